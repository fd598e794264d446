using System.Globalization;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.MarginAttack;

/// <summary>
/// <c>hybrid margin-attack</c>: "where margin fails" (issue 23 item 1; docs/part1.md) as an experiment plug-in — a network
/// fitted to clean + random labels against its clean twin over α, seeds and intervals (<see cref="MarginAttackRun"/>).
/// No resume: a run is minutes at the quick size; an interrupted one is rerun.
/// </summary>
public sealed class MarginAttackExperiment : Experiment<MarginAttackSettings, MarginAttackResult>
{
    /// <inheritdoc />
    public override string Name => "margin-attack";
    /// <inheritdoc />
    public override string Description => "Part I, where margin fails: a network fitted to clean plus randomly labelled points against its clean twin, " +
        "test accuracy over the normalised margin α with intervals over seeds.";
    /// <inheritdoc />
    public override string ShortDescription => "the margin attack and its clean twin (hybrid margin-attack)";
    /// <inheritdoc />
    public override MarginAttackSettings Defaults => MarginAttackSettings.Defaults;
    /// <inheritdoc />
    public override MarginAttackSettings? Quick => MarginAttackSettings.Quick;
    /// <inheritdoc />
    public override MarginAttackSettings SweepDefaults => MarginAttackSettings.Defaults with { Seeds = 1 };
    /// <inheritdoc />
    public override bool RecordsConfig => false; // MarginAttackRun writes config.json with its results

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<MarginAttackSettings>> DefineOptions(OptionBuilder<MarginAttackSettings> o) =>
    [
        o.Numbers("--alphas", "Normalised margins α, comma-separated.", (s, v) => s with { Alphas = v }, s => s.Alphas),
        o.Int("--clean", "Correctly labelled training points.", (s, v) => s with { Clean = v }, s => s.Clean),
        o.Int("--random", "Training points with uniformly random labels.", (s, v) => s with { Random = v }, s => s.Random),
        o.Text("--data", "mnist, fashion-mnist or an MNIST-format folder.", (s, v) => s with { Data = v }, s => s.Data),
        o.Text("--task", "none or odd-even.", (s, v) => s with { Task = v }, s => s.Task),
        o.Int("--test-size", "Test points (default: the whole test set).", (s, v) => s with { TestSize = v }, s => s.TestSize),
        o.Int("--depth", "Layers.", (s, v) => s with { Depth = v }, s => s.Depth),
        o.Int("--width", "Units per hidden layer.", (s, v) => s with { Width = v }, s => s.Width),
        o.Int("--steps", "Full-batch Nero steps.", (s, v) => s with { Steps = v }, s => s.Steps),
        o.Number("--lr", "Nero's initial learning rate.", (s, v) => s with { Lr = v }, s => s.Lr),
        o.Int("--seeds", "Seeds (subset, initialisation, random labels).", (s, v) => s with { Seeds = v }, s => s.Seeds),
        o.Long("--seed", "First seed.", (s, v) => s with { Seed = v }, s => s.Seed),
    ];

    /// <inheritdoc />
    public override void Validate(MarginAttackSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override IReadOnlyList<HeadlineMetric> Headline(MarginAttackSettings s) => [new("attacked_test_min", true), new("clean_minus_attacked_min", true)];

    /// <inheritdoc />
    public override MarginAttackResult Run(MarginAttackSettings s, ExperimentContext context) =>
        MarginAttackRun.Execute(s, context.Folder.Path, new Progress<string>(context.Log));

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(MarginAttackSettings s, MarginAttackResult r, RunFolder folder)
    {
        var inv = CultureInfo.InvariantCulture;
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (r.Summary.Count > 0)
        {
            metrics["attacked_test_min"] = r.Summary.Min(x => x.Attacked.Mean);
            metrics["clean_minus_attacked_min"] = r.Summary.Min(x => x.Clean.Mean - x.Attacked.Mean);
            metrics["alphas_disjoint"] = r.Summary.Count(x => x.Disjoint);
        }
        string Cell(Statistics.SeedSummary m) => string.Create(inv, $"{100 * m.Mean:F2} ± {100 * m.HalfWidth:F2}");
        var summary = ConsoleSummary.Empty
            .Table(["α", "attacked test %", "clean twin test %", "disjoint"],
                r.Summary.Select(x => (IReadOnlyList<string>)[x.Alpha.ToString("G3", inv), Cell(x.Attacked), Cell(x.Clean), x.Disjoint ? "yes" : "no"]),
                [true, true, true, false])
            .Line($"report: {folder.File("report.md")}");
        return new ExperimentOutcome(RunStatus.Completed, $"{r.Rows.Count} fits", metrics, new SortedDictionary<string, double>(StringComparer.Ordinal))
            { Summary = summary };
    }
}
