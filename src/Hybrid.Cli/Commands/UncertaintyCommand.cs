using System.CommandLine;
using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Statistics;
using Hybrid.Experiments.Uncertainty;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid uncertainty</c>: the confidence of many small-margin networks (their vote), of the GP
/// and of one large-margin network on <c>hybrid bpm</c>'s test points — rank correlation,
/// selective accuracy and calibration.
/// </summary>
public static class UncertaintyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = UncertaintySettings.Default;
        var common = new PartOneOptions.Common(UncertaintySettings.Default.Bpm.Depth, UncertaintySettings.Default.Bpm.Width, UncertaintySettings.Default.Bpm.Steps, UncertaintySettings.Default.Bpm.Seeds, BpmSettings.Quick.Depth, BpmSettings.Quick.Width, BpmSettings.Quick.Steps);
        var n = new Option<string?>("--n") { Description = $"Training sizes of the bpm units, comma-separated (default {string.Join(",", d.Bpm.TrainSizes)}; 50 with --quick)." };
        var voters = new Option<int?>("--voters") { Description = $"Small-margin networks per unit (default {d.Bpm.NnVoters}; 5 with --quick)." };
        var large = new Option<double?>("--large-margin") { Description = $"Target scale α of the large-margin network (default {d.Bpm.LargeMargin})." };
        var gpVoters = new Option<int?>("--gp-voters") { Description = $"GP posterior draws (default {d.Bpm.GpVoters})." };
        var samples = new Option<int?>("--bound-samples") { Description = $"bpm's Monte-Carlo bound samples (default {d.Bpm.BoundSamples}; part of a unit's settings)." };
        var delta = new Option<double?>("--delta") { Description = $"bpm's δ (default {d.Bpm.Delta}; part of a unit's settings)." };
        var from = new Option<string?>("--from") { Description = "A `hybrid bpm` run folder whose units (run with the same options) are reused instead of trained again." };
        var bins = new Option<int?>("--bins") { Description = $"Reliability-diagram bins (default {d.Bins})." };
        var command = new Command("uncertainty",
            "Predictive uncertainty from many small-margin networks (their vote), from the GP and from one large-margin network: " +
            "rank correlation, selective accuracy and calibration.");
        common.AddTo(command);
        foreach (var o in new Option[] { n, voters, large, gpVoters, samples, delta, from, bins }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            UncertaintySettings settings = null!;
            return PartOneOptions.Execute("uncertainty", () => settings = Settings(parse),
                parse.GetValue(common.Out), parse.GetValue(common.Resume), (folder, observer, cancel) =>
                {
                    var (metrics, correlations) = UncertaintyExperiment.Run(settings, folder, parse.GetValue(common.Resume) is not null, observer, cancel);
                    Show(metrics);
                    return 0;
                });
        });
        return command;
    }

    /// <summary>The settings a command line asks for (validated), without running anything.</summary>
    /// <exception cref="ArgumentException">The line does not parse, or a value is invalid (the message names the option).</exception>
    public static UncertaintySettings ParseSettings(params string[] args) => Settings(PartOneOptions.Parse(Build(), args));

    /// <summary>The settings a parsed command line asks for (validated): the bpm options over uncertainty's defaults (n = 500)
    /// or bpm's quick settings, plus --from and --bins.</summary>
    public static UncertaintySettings Settings(ParseResult parse)
    {
        var d = UncertaintySettings.Default;
        var bpm = BpmCommand.Settings(parse, parse.GetValue<bool>("--quick") ? BpmSettings.Quick : d.Bpm);
        var settings = new UncertaintySettings(bpm, parse.GetValue<string?>("--from"), parse.GetValue<int?>("--bins") ?? d.Bins);
        settings.Validate();
        return settings;
    }

    private static void Show(IReadOnlyList<SourceMetrics> metrics)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in new[] { "n", "source", "accuracy", "ECE", "mean selective accuracy" }) table.AddColumn(c);
        foreach (var g in metrics.GroupBy(m => (m.N, m.Source)))
            table.AddRow(g.Key.N.ToString(), g.Key.Source, SeedSummary.Of(g.Select(m => m.Accuracy)).Format("F2", 100),
                SeedSummary.Of(g.Select(m => m.Ece)).Format("F2", 100), SeedSummary.Of(g.Select(m => m.MeanSelective)).Format("F2", 100));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]%, mean ± 95 % interval over seeds; rank correlations and plots are in the report.[/]");
    }
}
