using System.Globalization;
using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Transfer;

/// <summary>What <c>hybrid transfer</c> produced: every point's result and the summary over seeds.</summary>
public sealed record TransferResult(IReadOnlyList<PointResult> Results, TransferSummary Summary);

/// <summary>
/// <c>hybrid transfer</c>: does each optimiser's best learning rate stay put across width and depth? Trains the
/// points of <see cref="TransferSettings"/> (each its own resumable unit under points/), then writes
/// results.csv/json, summary.json, report.md and the loss and accuracy against learning rate per width and per
/// depth. In a sweep (seed into <see cref="TransferSettings.Seed"/>): per optimiser and architecture the lowest
/// final training loss over the learning rates and where it is (<c>adam.w0016.d01.best_loss</c>, <c>…best_lr</c>),
/// and per slice the shift of the best rate in decades (<c>adam.width.shift_decades</c>; left out where fewer than
/// two values train); with <c>--bits</c> or <c>--c2c-noise</c> the same shift along each hardware slice (<c>lns-madam.bits.shift_decades</c>).
/// </summary>
public sealed class TransferExperiment : Experiment<TransferSettings, TransferResult>
{
    /// <inheritdoc />
    public override string Name => "transfer";
    /// <inheritdoc />
    public override string Description => "Does the learning rate transfer? Every optimiser over learning-rate decades at several widths and depths; " +
                                          "loss and accuracy against learning rate, and how many decades the best rate moves.";
    /// <inheritdoc />
    public override string ShortDescription => "does the best learning rate stay put across width and depth (hybrid transfer)";
    /// <inheritdoc />
    public override TransferSettings Defaults => TransferSettings.Default;
    /// <inheritdoc />
    public override TransferSettings Quick => TransferSettings.Quick;
    /// <inheritdoc />
    public override TransferSettings SweepDefaults => TransferSettings.Default with { Seeds = 1 };
    /// <inheritdoc />
    public override int? DefaultThreads => 1;

    /// <inheritdoc />
    protected override IEnumerable<SettingOption<TransferSettings>> DefineOptions(OptionBuilder<TransferSettings> o) =>
    [
        o.Optimizers(s => s.Optimizers, (s, v) => s with { Optimizers = v }),
        o.LrSpan(s => s.LrSpan, (s, v) => s with { LrSpan = v }, "2: default×10^{2…−2}"),
        o.Widths(s => s.Widths, (s, v) => s with { Widths = v }),
        o.Depths(s => s.Depths, (s, v) => s with { Depths = v }),
        o.Int("--base-width", "Width of the depth slice, one of --widths.", (s, v) => s with { BaseWidth = v }, s => s.BaseWidth),
        o.Int("--base-depth", "Depth of the width slice, one of --depths.", (s, v) => s with { BaseDepth = v }, s => s.BaseDepth),
        o.Ints("--bits", "The bits slice: LNS bits per synapse at (--base-width, --base-depth), comma-separated in the order the hardware gets cheaper " +
            $"(16,8,6), for the optimisers that take bits ({Hybrid.Training.Optimizers.OptimizerCatalog.AppliesTo("bits")}); others are left out of it.",
            (s, v) => s with { Bits = v }, s => s.Bits is null ? null : string.Join(",", s.Bits)),
        o.Numbers("--c2c-noise", "The c2c-noise slice: cycle-to-cycle device step noise (relative sd) at (--base-width, --base-depth), comma-separated " +
            "(0,0.1), for the optimisers that take it without an analog device (lns-madam, tiki-taka); others are left out of it.",
            (s, v) => s with { C2cNoise = v }, s => s.C2cNoise is null ? null : string.Join(",", s.C2cNoise.Select(c => c.ToString(CultureInfo.InvariantCulture)))),
        o.Text("--grid", "cross (the width slice and the depth slice) or product (every width at every depth).", (s, v) => s with { Grid = v }, s => s.Grid),
        o.Epochs(s => s.Epochs, (s, v) => s with { Epochs = v }),
        o.BatchSize(s => s.BatchSize, (s, v) => s with { BatchSize = v }),
        o.LrDecay(s => s.LrDecay, (s, v) => s with { LrDecay = v }),
        o.Seeds(s => s.Seeds, (s, v) => s with { Seeds = v }),
        o.Model(s => s.Model, (s, v) => s with { Model = v }, string.Join(", ", TrainingPoint.ModelNames)),
        .. PointOptions.Data(o, s => s.Data, (s, change) => s with { Data = change(s.Data) }),
    ];

    /// <inheritdoc />
    public override void Validate(TransferSettings settings) => settings.Validate();

    /// <inheritdoc />
    public override double Cost(TransferSettings s) => PointRunner.Cost(s.Points);

    /// <inheritdoc />
    /// <remarks>Also each slice's shift of the best rate (<c>adam.width.shift_decades</c>; with --bits or --c2c-noise
    /// <c>lns-madam.bits.shift_decades</c>), so a sweep over seeds tables it with its interval; a shift is signed, so the
    /// one closest to 0 is the best (<see cref="HeadlineMetric.ZeroIsBest"/>).</remarks>
    public override IReadOnlyList<HeadlineMetric> Headline(TransferSettings s) =>
        (from opt in s.Optimizers from a in s.Architectures select new HeadlineMetric($"{Key(opt, a.Width, a.Depth)}.best_loss", false))
        .Concat(from axis in new[] { ("width", s.Widths.Length), ("depth", s.Depths.Length) }
                where axis.Item2 > 1
                from opt in s.Optimizers
                select new HeadlineMetric($"{opt}.{axis.Item1}.shift_decades", false, ZeroIsBest: true))
        .Concat(from axis in TransferSettings.HardwareAxes
                where s.HardwareValues(axis).Length > 1
                from opt in s.HardwareOptimizers(axis)
                select new HeadlineMetric($"{opt}.{axis}.shift_decades", false, ZeroIsBest: true)).ToList();

    /// <inheritdoc />
    /// <remarks>Every metric but <c>diverged_points</c> begins with its optimiser.</remarks>
    public override IReadOnlyList<string> MetricKeys(TransferSettings s) => s.Optimizers;

    /// <summary>"adam.w0016.d01": the metric prefix of one (optimiser, width, depth).</summary>
    public static string Key(string optimizer, int width, int depth) =>
        string.Create(CultureInfo.InvariantCulture, $"{optimizer}.w{width:D4}.d{depth:D2}");

    /// <inheritdoc />
    public override TransferResult Run(TransferSettings s, ExperimentContext context)
    {
        using var cache = new DataCache();
        var (results, data, note) = PointRunner.RunGrid(context, s.Data, s.Points, cache);
        var summary = TransferSummary.From(s, results, data.Classes);
        TransferReport.Write(context.Folder, s, results, summary, note, data.Summary, data.Classes);
        return new TransferResult(results, summary);
    }

    /// <inheritdoc />
    public override ExperimentOutcome Outcome(TransferSettings s, TransferResult r, RunFolder folder)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var group in r.Summary.Cells.Where(c => c.Plain).GroupBy(c => (c.Optimizer, c.Width, c.Depth)))
        {
            var best = group.Where(c => double.IsFinite(c.Loss.Mean)).MinBy(c => c.Loss.Mean);
            if (best is null) continue; // every rate diverged: no loss to report
            metrics[$"{Key(best.Optimizer, best.Width, best.Depth)}.best_loss"] = best.Loss.Mean;
            metrics[$"{Key(best.Optimizer, best.Width, best.Depth)}.best_lr"] = best.Lr;
            metrics[$"{Key(best.Optimizer, best.Width, best.Depth)}.accuracy_at_best"] = best.Accuracy.Mean;
        }
        foreach (var slice in r.Summary.Slices)
            if (double.IsFinite(slice.ShiftDecades)) metrics[$"{slice.Optimizer}.{slice.Axis}.shift_decades"] = slice.ShiftDecades;
        metrics["diverged_points"] = r.Results.Count(x => x.Diverged);

        var inv = CultureInfo.InvariantCulture;
        var rows = r.Summary.Slices.Select(sl => (IReadOnlyList<string>)[sl.Optimizer, sl.Axis,
            TransferReport.BestPerValue(sl),
            sl.ShiftDecades.ToString("+0.##;-0.##;0", inv), sl.RangeDecades.ToString("0.##", inv), sl.ShiftInterpolated.ToString("+0.##;-0.##;0", inv)]);
        var summary = ConsoleSummary.Empty.Table(["optimizer", "axis", "best lr per value", "shift (decades)", "range", "interp."], rows,
            [false, false, false, true, true, true]);
        return PointRunner.Outcome(s.Points, r.Results, metrics, summary);
    }
}
