using System.CommandLine;
using Hybrid.Experiments.Bpm;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid bpm</c>: the NN–BPM correspondence — kernel interpolator, GP posterior vote and
/// Gibbs error, small-margin network ensembles and one large-margin network — with the PAC-Bayes
/// Gibbs bound, the Rademacher bound and the C-bound, over a grid of training sizes.
/// </summary>
public static class BpmCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = BpmSettings.Default;
        var common = new PartOneOptions.Common(BpmSettings.Default.Depth, BpmSettings.Default.Width, BpmSettings.Default.Steps, BpmSettings.Default.Seeds, BpmSettings.Quick.Depth, BpmSettings.Quick.Width, BpmSettings.Quick.Steps);
        var n = new Option<string?>("--n") { Description = $"Training sizes, comma-separated (default {string.Join(",", d.TrainSizes)}; 50 with --quick)." };
        var voters = new Option<int?>("--voters") { Description = $"Small-margin networks in the ensemble (default {d.NnVoters}; 5 with --quick)." };
        var large = new Option<double?>("--large-margin") { Description = $"Target scale α of the large-margin network (default {d.LargeMargin})." };
        var gpVoters = new Option<int?>("--gp-voters") { Description = $"GP posterior draws (default {d.GpVoters})." };
        var samples = new Option<int?>("--bound-samples") { Description = $"Importance samples for the Monte-Carlo ln 1/P (default {d.BoundSamples}; 0 = analytic only)." };
        var delta = new Option<double?>("--delta") { Description = $"PAC-Bayes confidence δ (default {d.Delta})." };
        var command = new Command("bpm",
            "Neural networks as Bayes point machines: kernel interpolator, GP vote and Gibbs error, small- and large-margin networks, " +
            "PAC-Bayes, Rademacher and C-bounds over training sizes n.");
        common.AddTo(command);
        foreach (var o in new Option[] { n, voters, large, gpVoters, samples, delta }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            BpmSettings settings = null!;
            return PartOneOptions.Execute("bpm", () => settings = Settings(parse),
                parse.GetValue(common.Out), parse.GetValue(common.Resume), (folder, observer, cancel) =>
                {
                    var (units, summary) = BpmExperiment.Run(settings, folder, parse.GetValue(common.Resume) is not null, observer, cancel);
                    Show(summary);
                    return 0;
                });
        });
        return command;
    }

    /// <summary>The settings a command line asks for (validated), without running anything.</summary>
    /// <exception cref="ArgumentException">The line does not parse, or a value is invalid (the message names the option).</exception>
    public static BpmSettings ParseSettings(params string[] args) => Settings(PartOneOptions.Parse(Build(), args));

    /// <summary>The settings a parsed command line asks for (validated): <paramref name="baseline"/> (default: bpm's
    /// defaults, or its quick settings with --quick) with every option given on the command line. Also used by
    /// <c>uncertainty</c>, whose command has the same options.</summary>
    public static BpmSettings Settings(ParseResult parse, BpmSettings? baseline = null)
    {
        var b = baseline ?? (parse.GetValue<bool>("--quick") ? BpmSettings.Quick : BpmSettings.Default);
        var s = b with
        {
            TrainSizes = parse.GetValue<string?>("--n") is { } text ? PartOneOptions.Ints(text, "n") : b.TrainSizes,
            Data = parse.GetValue<string?>("--data") ?? b.Data,
            Task = parse.GetValue<string?>("--task") ?? b.Task,
            TestSize = parse.GetValue<int?>("--test-size") ?? b.TestSize,
            Depth = parse.GetValue<int?>("--depth") ?? b.Depth,
            Width = parse.GetValue<int?>("--width") ?? b.Width,
            Steps = parse.GetValue<int?>("--steps") ?? b.Steps,
            Lr = parse.GetValue<double?>("--lr") ?? b.Lr,
            Decay = parse.GetValue<double?>("--decay") ?? b.Decay,
            NnVoters = parse.GetValue<int?>("--voters") ?? b.NnVoters,
            LargeMargin = parse.GetValue<double?>("--large-margin") ?? b.LargeMargin,
            GpVoters = parse.GetValue<int?>("--gp-voters") ?? b.GpVoters,
            BoundSamples = parse.GetValue<int?>("--bound-samples") ?? b.BoundSamples,
            Delta = parse.GetValue<double?>("--delta") ?? b.Delta,
            Seeds = parse.GetValue<int?>("--seeds") ?? b.Seeds,
            Seed = parse.GetValue<long?>("--seed") ?? b.Seed,
            Threads = parse.GetValue<int?>("--threads") ?? b.Threads,
        };
        s.Validate();
        return s;
    }

    private static void Show(IReadOnlyList<BpmSummaryRow> summary)
    {
        var sizes = summary.Select(r => r.N).Distinct().OrderBy(n => n).ToArray();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("% test error (bounds: % bound)");
        foreach (int n in sizes) table.AddColumn($"n = {n}");
        foreach (var q in BpmExperiment.Quantities.Where(q => q.Key != "rademacher"))
            table.AddRow(new[] { Markup.Escape(q.Label) }.Concat(sizes.Select(n => summary.First(r => r.N == n && r.Key == q.Key).Seeds.Format("F2", 100))).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]mean ± 95 % interval over seeds; the Rademacher bound and per-unit diagnostics are in the report.[/]");
    }
}
