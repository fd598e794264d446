using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Transfer;
using Hybrid.Training;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary><c>hybrid transfer</c>: does each optimiser's best learning rate stay put across width and depth?</summary>
public static class TransferCommand
{
    private static readonly TransferSettings D = TransferSettings.Default, Q = TransferSettings.Quick;

    private sealed class Options
    {
        public readonly GridCommandOptions Grid = new();
        public readonly Option<string?> Optimizers = new("--optimizers") { Description = $"Comma-separated optimisers (default {string.Join(",", D.Optimizers)}; --quick {string.Join(",", Q.Optimizers)})." };
        public readonly Option<int?> LrSpan = new("--lr-span") { Description = $"Decades each side of every optimiser's default learning rate (default {D.LrSpan}; --quick {Q.LrSpan})." };
        public readonly Option<string?> Widths = new("--widths") { Description = $"Comma-separated widths (default {string.Join(",", D.Widths)}; --quick {string.Join(",", Q.Widths)})." };
        public readonly Option<string?> Depths = new("--depths") { Description = $"Comma-separated depths in hidden layers (default {string.Join(",", D.Depths)}; --quick {string.Join(",", Q.Depths)})." };
        public readonly Option<int?> BaseWidth = new("--base-width") { Description = $"Width of the depth slice, one of --widths (default {D.BaseWidth}; --quick {Q.BaseWidth})." };
        public readonly Option<int?> BaseDepth = new("--base-depth") { Description = $"Depth of the width slice, one of --depths (default {D.BaseDepth}; --quick {Q.BaseDepth})." };
        public readonly Option<string?> GridKind = new("--grid") { Description = "cross (the width slice and the depth slice, default) or product (every width at every depth)." };
        public readonly Option<int?> Epochs = new("--epochs") { Description = $"Epochs per run (default {D.Epochs}; --quick {Q.Epochs})." };
        public readonly Option<int?> Batch = new("--batch-size") { Description = $"Examples per batch (default {D.BatchSize})." };
        public readonly Option<double?> LrDecay = new("--lr-decay") { Description = $"Learning-rate factor per epoch (default {D.LrDecay.ToString(CultureInfo.InvariantCulture)})." };
        public readonly Option<int?> Seeds = new("--seeds") { Description = $"Seeds per point; with 2 or more the report gives 95 % intervals (default {D.Seeds})." };
        public readonly Option<string?> Model = new("--model") { Description = "mlp (default) or residual-mlp." };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Optimizers, LrSpan, Widths, Depths, BaseWidth, BaseDepth, GridKind, Epochs, Batch, LrDecay, Seeds, Model })
                c.Options.Add(o);
            Grid.AddTo(c);
        }

        public TransferSettings Settings(ParseResult p)
        {
            var b = p.GetValue(Grid.Quick) ? Q : D;
            return b with
            {
                Optimizers = GridCommandOptions.Names(p, Optimizers, b.Optimizers),
                LrSpan = p.GetValue(LrSpan) ?? b.LrSpan,
                Widths = GridCommandOptions.Ints(p, Widths, b.Widths),
                Depths = GridCommandOptions.Ints(p, Depths, b.Depths),
                BaseWidth = p.GetValue(BaseWidth) ?? b.BaseWidth,
                BaseDepth = p.GetValue(BaseDepth) ?? b.BaseDepth,
                Grid = p.GetValue(GridKind) ?? b.Grid,
                Epochs = p.GetValue(Epochs) ?? b.Epochs,
                BatchSize = p.GetValue(Batch) ?? b.BatchSize,
                LrDecay = p.GetValue(LrDecay) ?? b.LrDecay,
                Seeds = p.GetValue(Seeds) ?? b.Seeds,
                Model = p.GetValue(Model) ?? b.Model,
                Data = Grid.DataSpec(p, b.Data),
            };
        }
    }

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var o = new Options();
        var command = new Command("transfer", "Does the learning rate transfer? Every optimiser over learning-rate decades at several widths and depths; " +
                                              "loss and accuracy against learning rate, and how many decades the best rate moves.");
        o.AddTo(command);
        ExperimentCommand.SetAction(command, parse => Run(o.Settings(parse), o.Grid, parse));
        return command;
    }

    /// <summary>The settings a command line gives, unvalidated (for tests).</summary>
    public static TransferSettings Parse(params string[] args)
    {
        var o = new Options();
        return GridCommandOptions.Parse("transfer", o.AddTo, o.Settings, args);
    }

    private static int Run(TransferSettings settings, GridCommandOptions grid, ParseResult parse)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable();
        grid.ApplyThreads(parse);
        string? output = parse.GetValue(grid.Out), resume = parse.GetValue(grid.Resume);
        var (folder, held) = ExperimentCommand.Open("transfer", output, resume);
        using var _ = held;
        Tables.Line($"{settings.Points.Count} runs");
        using var cts = CliCancel.OnCtrlC();
        var (results, summary) = TransferExperiment.Run(settings, folder, resume is not null, body => ConsoleProgress.Run(body), cts.Token);
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in new[] { "optimizer", "axis", "best lr per value", "shift (decades)", "range", "interp." }) table.AddColumn(c);
        foreach (var sl in summary.Slices)
            table.AddRow(sl.Optimizer, sl.Axis,
                string.Join(", ", sl.Values.Select((v, i) => double.IsFinite(sl.BestLr[i]) ? string.Create(CultureInfo.InvariantCulture, $"{v}: {sl.BestLr[i]:G3}") : $"{v}: —")),
                sl.ShiftDecades.ToString("+0.##;-0.##;0", CultureInfo.InvariantCulture), sl.RangeDecades.ToString("0.##", CultureInfo.InvariantCulture),
                sl.ShiftInterpolated.ToString("+0.##;-0.##;0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"report: {Markup.Escape(folder.File("report.md"))}");
        return results.Count == settings.Points.Count && results.All(r => r.Status != "cancelled") ? 0 : 3;
    }
}
