using System.CommandLine;
using System.Globalization;
using Hybrid.Experiments.Margin;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid margin</c>: normalised-margin control — networks fitted to α·targets by Nero with
/// fixed layer norms, over a grid of α; test accuracy, margin, k-net averages, a random-label twin
/// and the kernel interpolator's plateau.
/// </summary>
public static class MarginCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = MarginSettings.Default;
        var inv = CultureInfo.InvariantCulture;
        var common = new PartOneOptions.Common(MarginSettings.Default.Depth, MarginSettings.Default.Width, MarginSettings.Default.Steps, MarginSettings.Default.Seeds, MarginSettings.Quick.Depth, MarginSettings.Quick.Width, MarginSettings.Quick.Steps);
        var alphas = new Option<string?>("--alphas") { Description = $"Target scales α, comma-separated (default {string.Join(",", d.Alphas.Select(a => a.ToString(inv)))})." };
        var trainSize = new Option<int?>("--train-size") { Description = $"Training examples n (default {d.TrainSize}; 100 with --quick)." };
        var averageK = new Option<int?>("--average-k") { Description = $"Networks averaged at each α of --average-alphas (default {d.AverageK})." };
        var averageAlphas = new Option<string?>("--average-alphas") { Description = $"The α values with a k-net average (default {string.Join(",", d.AverageAlphas.Select(a => a.ToString(inv)))}; none for no averages)." };
        var noRandom = new Option<bool>("--no-random-labels") { Description = "Leave out the random-label twins." };
        var command = new Command("margin",
            "Normalised-margin control: train to α·targets with fixed layer norms over a grid of α; test accuracy, margin, " +
            "k-net averages, random-label twins and the kernel interpolator.");
        common.AddTo(command);
        foreach (var o in new Option[] { alphas, trainSize, averageK, averageAlphas, noRandom }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            MarginSettings settings = null!;
            return PartOneOptions.Execute("margin", () => settings = Settings(parse),
                parse.GetValue(common.Out), parse.GetValue(common.Resume), (folder, observer, cancel) =>
                {
                    var (units, kernels) = MarginExperiment.Run(settings, folder, parse.GetValue(common.Resume) is not null, observer, cancel);
                    Show(units, kernels);
                    return 0;
                });
        });
        return command;
    }

    /// <summary>The settings a command line asks for (validated), without running anything.</summary>
    /// <exception cref="ArgumentException">The line does not parse, or a value is invalid (the message names the option).</exception>
    public static MarginSettings ParseSettings(params string[] args) => Settings(PartOneOptions.Parse(Build(), args));

    /// <summary>The settings a parsed command line asks for (validated): the defaults, or --quick's, with every option given.</summary>
    public static MarginSettings Settings(ParseResult parse)
    {
        var b = parse.GetValue<bool>("--quick") ? MarginSettings.Quick : MarginSettings.Default;
        var averaged = parse.GetValue<string?>("--average-alphas") is { } text
            ? (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : PartOneOptions.Doubles(text, "average-alphas"))
            : b.AverageAlphas;
        var s = b with
        {
            Alphas = parse.GetValue<string?>("--alphas") is { } a ? PartOneOptions.Doubles(a, "alphas") : b.Alphas,
            AverageAlphas = averaged,
            Data = parse.GetValue<string?>("--data") ?? b.Data,
            Task = parse.GetValue<string?>("--task") ?? b.Task,
            TestSize = parse.GetValue<int?>("--test-size") ?? b.TestSize,
            Depth = parse.GetValue<int?>("--depth") ?? b.Depth,
            Width = parse.GetValue<int?>("--width") ?? b.Width,
            Steps = parse.GetValue<int?>("--steps") ?? b.Steps,
            Lr = parse.GetValue<double?>("--lr") ?? b.Lr,
            Decay = parse.GetValue<double?>("--decay") ?? b.Decay,
            Seeds = parse.GetValue<int?>("--seeds") ?? b.Seeds,
            Seed = parse.GetValue<long?>("--seed") ?? b.Seed,
            Threads = parse.GetValue<int?>("--threads") ?? b.Threads,
            TrainSize = parse.GetValue<int?>("--train-size") ?? b.TrainSize,
            AverageK = parse.GetValue<int?>("--average-k") ?? b.AverageK,
            RandomLabels = !parse.GetValue<bool>("--no-random-labels") && b.RandomLabels,
        };
        s.Validate();
        return s;
    }

    private static void Show(IReadOnlyList<MarginUnitResult> units, IReadOnlyList<MarginKernelResult> kernels)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var col in new[] { "α", "single net", "k-net average", "random labels", "median margin", "interpolating" }) table.AddColumn(col);
        foreach (var r in MarginExperiment.Summarise(units))
            table.AddRow(r.Alpha.ToString("G3", CultureInfo.InvariantCulture), r.Single.Format("F2", 100),
                r.Average.Count > 0 ? r.Average.Format("F2", 100) : "—", r.Random.Count > 0 ? r.Random.Format("F2", 100) : "—",
                r.Margin.Mean.ToString("G3", CultureInfo.InvariantCulture), $"{100 * r.Interpolating:F0}%");
        AnsiConsole.Write(table);
        var kernel = Hybrid.Experiments.Statistics.SeedSummary.Of(kernels.Select(k => k.TestAccuracy));
        AnsiConsole.MarkupLine($"[grey]% test accuracy, mean ± 95 % interval over seeds; kernel interpolator {Markup.Escape(kernel.Format("F2", 100))}%.[/]");
    }
}
