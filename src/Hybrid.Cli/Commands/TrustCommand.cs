using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Grid;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Trust;
using Hybrid.Training;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary><c>hybrid trust</c>: measure deep relative trust (the deep network descent lemma) and the curvature slices.</summary>
public static class TrustCommand
{
    private static readonly TrustSettings D = TrustSettings.Default, Q = TrustSettings.Quick;

    private static string L<T>(IEnumerable<T> v) => string.Join(",", v.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)));

    private sealed class Options
    {
        public readonly GridCommandOptions Grid = new();
        public readonly Option<string?> Depths = new("--depths") { Description = $"Weight layers L of the measured nets (default {L(D.Depths)}; --quick {L(Q.Depths)})." };
        public readonly Option<int?> Width = new("--width") { Description = $"Their width (default {D.Width}; --quick {Q.Width})." };
        public readonly Option<string?> Epsilons = new("--epsilons") { Description = $"Relative perturbation sizes ε > 0 (default {L(D.Epsilons)}; --quick {L(Q.Epsilons)})." };
        public readonly Option<string?> Directions = new("--directions") { Description = $"Perturbation directions: {string.Join(", ", TrustSettings.DirectionNames)} (default all)." };
        public readonly Option<int?> Examples = new("--examples") { Description = $"Training inputs f is evaluated on (default {D.Examples}; --quick {Q.Examples})." };
        public readonly Option<int?> Seeds = new("--seeds") { Description = $"Nets per depth; 2 or more give 95 % intervals (default {D.Seeds}; --quick {Q.Seeds})." };
        public readonly Option<string?> SliceNets = new("--slice-nets") { Description = $"Curvature-slice nets as kind-layers, or none (default {L(D.Slices.Nets)}; --quick {L(Q.Slices.Nets)})." };
        public readonly Option<int?> SliceWidth = new("--slice-width") { Description = $"Their width (default {D.Slices.Width}; --quick {Q.Slices.Width}; the authors 784)." };
        public readonly Option<string?> SliceOptimizer = new("--slice-optimizer") { Description = $"Trains them (default {D.Slices.Optimizer})." };
        public readonly Option<double?> SliceLr = new("--slice-lr") { Description = $"Its learning rate (default {D.Slices.Lr.ToString(CultureInfo.InvariantCulture)}, ×{D.Slices.LrDecay.ToString(CultureInfo.InvariantCulture)} per epoch)." };
        public readonly Option<int?> SliceEpochs = new("--slice-epochs") { Description = $"Training epochs (default {D.Slices.Epochs}; --quick {Q.Slices.Epochs})." };
        public readonly Option<string?> SliceCheckpoints = new("--slice-checkpoints") { Description = $"Where slices are taken, in epochs (default {L(D.Slices.Checkpoints)}; --quick {L(Q.Slices.Checkpoints)})." };
        public readonly Option<string?> SliceMoves = new("--slice-moves") { Description = $"Relative moves t > 0 of every layer (default {L(D.Slices.Moves)}; --quick {L(Q.Slices.Moves)})." };
        public readonly Option<int?> SliceExamples = new("--slice-examples") { Description = $"Examples of a slice's full-batch gradient (default {D.Slices.SliceExamples}; --quick {Q.Slices.SliceExamples})." };
        public readonly Option<int?> SliceSeeds = new("--slice-seeds") { Description = $"Runs per slice net (default {D.Slices.Seeds})." };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Depths, Width, Epsilons, Directions, Examples, Seeds, SliceNets, SliceWidth, SliceOptimizer, SliceLr,
                         SliceEpochs, SliceCheckpoints, SliceMoves, SliceExamples, SliceSeeds })
                c.Options.Add(o);
            Grid.AddTo(c);
        }

        public TrustSettings Settings(ParseResult p)
        {
            var b = p.GetValue(Grid.Quick) ? Q : D;
            var nets = p.GetValue(SliceNets) is { } n ? (n.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : GridMath.Names(n)) : b.Slices.Nets;
            return b with
            {
                Depths = GridCommandOptions.Ints(p, Depths, b.Depths),
                Width = p.GetValue(Width) ?? b.Width,
                Epsilons = GridCommandOptions.Doubles(p, Epsilons, b.Epsilons),
                Directions = GridCommandOptions.Names(p, Directions, b.Directions),
                Examples = p.GetValue(Examples) ?? b.Examples,
                Seeds = p.GetValue(Seeds) ?? b.Seeds,
                Data = Grid.DataSpec(p, b.Data),
                Slices = b.Slices with
                {
                    Nets = nets,
                    Width = p.GetValue(SliceWidth) ?? b.Slices.Width,
                    Optimizer = p.GetValue(SliceOptimizer) ?? b.Slices.Optimizer,
                    Lr = p.GetValue(SliceLr) ?? b.Slices.Lr,
                    Epochs = p.GetValue(SliceEpochs) ?? b.Slices.Epochs,
                    Checkpoints = GridCommandOptions.Doubles(p, SliceCheckpoints, b.Slices.Checkpoints),
                    Moves = GridCommandOptions.Doubles(p, SliceMoves, b.Slices.Moves),
                    SliceExamples = p.GetValue(SliceExamples) ?? b.Slices.SliceExamples,
                    Seeds = p.GetValue(SliceSeeds) ?? b.Slices.Seeds,
                    Data = Grid.DataSpec(p, b.Slices.Data),
                },
            };
        }
    }

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var o = new Options();
        var command = new Command("trust", "Measure deep relative trust: ‖Δf‖/‖f‖ of bias-free ReLU MLPs against Π(1+‖ΔW_k‖/‖W_k‖) − 1 over depth, " +
                                           "for radial, random and gradient perturbations; and the curvature slices of a shallow, a deep and a residual net.");
        o.AddTo(command);
        ExperimentCommand.SetAction(command, parse => Run(o.Settings(parse), o.Grid, parse));
        return command;
    }

    /// <summary>The settings a command line gives, unvalidated (for tests).</summary>
    public static TrustSettings Parse(params string[] args)
    {
        var o = new Options();
        return GridCommandOptions.Parse("trust", o.AddTo, o.Settings, args);
    }

    private static int Run(TrustSettings settings, GridCommandOptions grid, ParseResult parse)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable();
        grid.ApplyThreads(parse);
        string? output = parse.GetValue(grid.Out), resume = parse.GetValue(grid.Resume);
        var (folder, held) = ExperimentCommand.Open("trust", output, resume);
        using var _ = held;
        using var cts = CliCancel.OnCtrlC();
        var (bounds, slices) = TrustExperiment.Run(settings, folder, resume is not null, body => ConsoleProgress.Run(body), cts.Token);
        var summary = TrustSummary.From(settings, bounds, slices);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("direction").AddColumn("L");
        foreach (var e in settings.Epsilons) table.AddColumn($"ε={e.ToString("G3", CultureInfo.InvariantCulture)}");
        foreach (var dir in settings.Directions)
            foreach (var l in settings.Depths)
                table.AddRow(new[] { dir, l.ToString(CultureInfo.InvariantCulture) }.Concat(settings.Epsilons.Select(e =>
                    summary.Cells.FirstOrDefault(c => c.Direction == dir && c.Layers == l && c.Epsilon == e) is { } c
                        ? Math.Pow(10, c.Log10Ratio.Mean).ToString("G3", CultureInfo.InvariantCulture) : "—")).ToArray());
        AnsiConsole.MarkupLine("measured ‖Δf‖/‖f‖ over Π(1+ε_k) − 1:");
        AnsiConsole.Write(table);
        foreach (var b in summary.Slices)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{b.Title}: peak first-layer gradient change ×{Math.Pow(10, b.Log10PeakGradChange.Mean):G3}, peak loss ratio ×{Math.Pow(10, b.Log10PeakLossRatio.Mean):G3}, trust radius t = {b.TrustRadius.Mean:G3}")));
        AnsiConsole.MarkupLine($"report: {Markup.Escape(folder.File("report.md"))}");
        bool complete = bounds.Count == settings.BoundPoints.Count && slices.Count == settings.SlicePoints.Count && slices.All(s => s.Status != "cancelled");
        return complete ? 0 : 3;
    }
}
