using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Depth;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary><c>hybrid depth</c>: which optimisers train how deep (MLPs with biases, each optimiser over learning-rate decades).</summary>
public static class DepthCommand
{
    private static readonly DepthSettings D = DepthSettings.Default, Q = DepthSettings.Quick;

    private sealed class Options
    {
        public readonly GridCommandOptions Grid = new();
        public readonly Option<string?> Optimizers = new("--optimizers") { Description = $"Comma-separated optimisers (default {string.Join(",", D.Optimizers)}; --quick {string.Join(",", Q.Optimizers)})." };
        public readonly Option<int?> LrSpan = new("--lr-span") { Description = $"Decades each side of every optimiser's default learning rate (default {D.LrSpan}: default×{{10, 1, 0.1}}; --quick {Q.LrSpan})." };
        public readonly Option<string?> Depths = new("--depths") { Description = $"Comma-separated depths in hidden layers (default {string.Join(",", D.Depths)}; --quick {string.Join(",", Q.Depths)})." };
        public readonly Option<int?> Width = new("--width") { Description = $"Units per hidden layer (default {D.Width}; --quick {Q.Width}; the authors 784)." };
        public readonly Option<int?> Epochs = new("--epochs") { Description = $"Epochs per run: the horizon (default {D.Epochs}; --quick {Q.Epochs})." };
        public readonly Option<int?> Batch = new("--batch-size") { Description = $"Examples per batch (default {D.BatchSize})." };
        public readonly Option<double?> LrDecay = new("--lr-decay") { Description = $"Learning-rate factor per epoch (default {D.LrDecay.ToString(CultureInfo.InvariantCulture)})." };
        public readonly Option<int?> Seeds = new("--seeds") { Description = $"Seeds per point; with 2 or more the report gives 95 % intervals (default {D.Seeds})." };
        public readonly Option<double?> Threshold = new("--threshold") { Description = $"Train accuracy at which a depth counts as trainable (default {D.Threshold.ToString(CultureInfo.InvariantCulture)})." };
        public readonly Option<string?> Model = new("--model") { Description = "mlp (default) or residual-mlp." };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Optimizers, LrSpan, Depths, Width, Epochs, Batch, LrDecay, Seeds, Threshold, Model }) c.Options.Add(o);
            Grid.AddTo(c);
        }

        public DepthSettings Settings(ParseResult p)
        {
            var b = p.GetValue(Grid.Quick) ? Q : D;
            return b with
            {
                Optimizers = GridCommandOptions.Names(p, Optimizers, b.Optimizers),
                LrSpan = p.GetValue(LrSpan) ?? b.LrSpan,
                Depths = GridCommandOptions.Ints(p, Depths, b.Depths),
                Width = p.GetValue(Width) ?? b.Width,
                Epochs = p.GetValue(Epochs) ?? b.Epochs,
                BatchSize = p.GetValue(Batch) ?? b.BatchSize,
                LrDecay = p.GetValue(LrDecay) ?? b.LrDecay,
                Seeds = p.GetValue(Seeds) ?? b.Seeds,
                Threshold = p.GetValue(Threshold) ?? b.Threshold,
                Model = p.GetValue(Model) ?? b.Model,
                Data = Grid.DataSpec(p, b.Data),
            };
        }
    }

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var o = new Options();
        var command = new Command("depth", "Which optimisers train how deep: MLPs at each depth, every optimiser over learning-rate decades; " +
                                           "a depth × optimiser heatmap of the best final-epoch train accuracy, the deepest trainable depth, learning curves.");
        o.AddTo(command);
        ExperimentCommand.SetAction(command, parse => Run(o.Settings(parse), o.Grid, parse));
        return command;
    }

    /// <summary>The settings a command line gives, unvalidated (for tests).</summary>
    public static DepthSettings Parse(params string[] args)
    {
        var o = new Options();
        return GridCommandOptions.Parse("depth", o.AddTo, o.Settings, args);
    }

    private static int Run(DepthSettings settings, GridCommandOptions grid, ParseResult parse)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable();
        grid.ApplyThreads(parse);
        string? output = parse.GetValue(grid.Out), resume = parse.GetValue(grid.Resume);
        var (folder, held) = ExperimentCommand.Open("depth", output, resume);
        using var _ = held;
        Tables.Line($"{settings.Points.Count} runs");
        using var cts = CliCancel.OnCtrlC();
        var (results, summary) = DepthExperiment.Run(settings, folder, resume is not null, body => ConsoleProgress.Run(body), cts.Token);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("depth");
        foreach (var opt in settings.Optimizers) table.AddColumn(opt);
        foreach (var d in settings.Depths)
            table.AddRow(new[] { d.ToString(CultureInfo.InvariantCulture) }.Concat(settings.Optimizers.Select(opt =>
                summary.Best.FirstOrDefault(b => b.Optimizer == opt && b.Depth == d) is { } b
                    ? $"{(b.Trainable ? "[green]" : "[grey]")}{Markup.Escape(b.Accuracy.Format("F1", 100))}%[/] @ {b.Lr.ToString("G3", CultureInfo.InvariantCulture)}"
                    : "—")).ToArray());
        AnsiConsole.Write(table);
        foreach (var opt in settings.Optimizers)
            AnsiConsole.MarkupLine($"{Markup.Escape(opt)}: deepest trainable depth {summary.Deepest[opt]?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        AnsiConsole.MarkupLine($"report: {Markup.Escape(folder.File("report.md"))}");
        return results.Count == settings.Points.Count && results.All(r => r.Status != "cancelled") ? 0 : 3;
    }
}
