using Hybrid.Experiments.Statistics;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Pareto;

/// <summary>
/// What the accuracy–energy frontier reads from a merged sweep.
/// </summary>
/// <param name="Baseline">The baseline configuration: a substring of exactly one configuration's label
/// ("axis=value, axis=value", every axis but the seed), e.g. "optimizer=madam".</param>
/// <param name="AccuracyMetric">Higher is better (default test_accuracy).</param>
/// <param name="EnergyMetric">Lower is better. Default energy_per_step_pj: the full training step's estimated energy
/// (forward, backward, update, memory) that train runs record for Adam, Madam and LNS-Madam, and compare rows as
/// <c>row.energy_per_step_pj</c>; update_energy_per_step_pj is the synapse update's alone.</param>
/// <param name="PointsPerUnit">Accuracy points per metric unit (100: test_accuracy is a fraction).</param>
/// <param name="Margins">The within-X-points table's margins, in points (default 0.5, 1, 2).</param>
public sealed record ParetoSettings(string Baseline, string AccuracyMetric = "test_accuracy",
    string EnergyMetric = "energy_per_step_pj", double PointsPerUnit = 100, IReadOnlyList<double>? Margins = null)
{
    /// <summary>The margins used.</summary>
    public IReadOnlyList<double> EffectiveMargins => Margins ?? [0.5, 1, 2];
}

/// <summary>Where a configuration stands on the frontier.</summary>
public enum ParetoStanding
{
    /// <summary>No other configuration has both a higher-or-equal mean accuracy and a lower-or-equal mean energy (one strictly).</summary>
    Frontier,
    /// <summary>Beaten on both means, but by no configuration whose 95 % intervals are disjoint from its own on both.</summary>
    Undecided,
    /// <summary>Some configuration beats it on both, with disjoint 95 % intervals on both.</summary>
    Dominated,
}

/// <summary>One configuration (a sweep grid point, every axis but the seed) over its seeds.</summary>
public sealed record ParetoPoint(string Key, string Label, SeedSummary Accuracy, SeedSummary Energy);

/// <summary>A row of the study's table: the cheapest configuration within <see cref="MarginPoints"/> of the baseline.</summary>
/// <param name="MarginPoints">The margin in accuracy points.</param>
/// <param name="Point">The cheapest configuration whose mean accuracy is at least the baseline's minus the margin.</param>
/// <param name="EnergyRatio">Its mean energy over the baseline's.</param>
public sealed record MarginRow(double MarginPoints, ParetoPoint Point, double EnergyRatio);

/// <summary>
/// The accuracy–energy frontier of a merged sweep (issue 24 item 3): per configuration mean ± 95 % interval over
/// seeds (<see cref="SeedSummary"/>), the frontier, points dominated only within the spread marked undecided, and the
/// cheapest configuration within each margin of a baseline with its energy ratio.
/// </summary>
public sealed class ParetoStudy
{
    private ParetoStudy(ParetoSettings settings, IReadOnlyList<ParetoPoint> points, IReadOnlyList<ParetoStanding> standings,
        ParetoPoint baseline, IReadOnlyList<MarginRow> table)
    {
        Settings = settings; Points = points; Standings = standings; Baseline = baseline; Table = table;
    }

    /// <summary>The settings.</summary>
    public ParetoSettings Settings { get; }
    /// <summary>Every configuration with the metrics, in input order.</summary>
    public IReadOnlyList<ParetoPoint> Points { get; }
    /// <summary>Each point's standing, same order.</summary>
    public IReadOnlyList<ParetoStanding> Standings { get; }
    /// <summary>The baseline configuration.</summary>
    public ParetoPoint Baseline { get; }
    /// <summary>One row per margin.</summary>
    public IReadOnlyList<MarginRow> Table { get; }

    /// <summary>The study of a merged sweep (whatever <c>sweep merge</c> collected, Slurm shards included).</summary>
    /// <exception cref="ArgumentException">No completed configuration, a metric no run recorded, or a baseline that
    /// matches no or several configurations.</exception>
    public static ParetoStudy FromMerged(SweepMerge merge, ParetoSettings settings) => FromGroups(merge.Groups, settings);

    /// <summary>The study of the plan at <paramref name="sweepFile"/> (its runs read from the sweep's folder).</summary>
    public static ParetoStudy FromMerged(string sweepFile, ParetoSettings settings, string? outOverride = null) =>
        FromMerged(SweepMerge.Collect(SweepPlan.Load(sweepFile, outOverride)), settings);

    /// <summary>The study of grid-point summaries.</summary>
    public static ParetoStudy FromGroups(IEnumerable<GroupSummary> groups, ParetoSettings settings)
    {
        var done = groups.Where(g => g.Completed > 0).ToList();
        if (done.Count == 0) throw new ArgumentException("the sweep has no completed run to place on the frontier.", nameof(groups));
        foreach (var metric in new[] { settings.AccuracyMetric, settings.EnergyMetric })
            if (!done.Any(g => g.Metrics.ContainsKey(metric)))
                throw new ArgumentException($"no completed run recorded the metric '{metric}' (recorded: " +
                    $"{string.Join(", ", done.SelectMany(g => g.Metrics.Keys).Distinct().Order(StringComparer.Ordinal))}).", nameof(settings));
        var points = done.Where(g => g.Metrics.ContainsKey(settings.AccuracyMetric) && g.Metrics.ContainsKey(settings.EnergyMetric))
            .Select(g => new ParetoPoint(g.Key, string.Join(", ", g.Point.Select(p => $"{p.Axis}={p.Value}")),
                g.Metrics[settings.AccuracyMetric], g.Metrics[settings.EnergyMetric]))
            .Where(p => double.IsFinite(p.Accuracy.Mean) && double.IsFinite(p.Energy.Mean)).ToList();
        return FromPoints(points, settings);
    }

    /// <summary>The study of configurations already summarised (tests, other sources).</summary>
    public static ParetoStudy FromPoints(IReadOnlyList<ParetoPoint> points, ParetoSettings settings)
    {
        if (points.Count == 0) throw new ArgumentException("no configuration has finite values of both metrics.", nameof(points));
        if (string.IsNullOrWhiteSpace(settings.Baseline)) throw new ArgumentException("name a baseline configuration.", nameof(settings));
        if (!(settings.PointsPerUnit > 0)) throw new ArgumentException($"points per unit {settings.PointsPerUnit} must be > 0.", nameof(settings));
        if (settings.EffectiveMargins.Any(m => !(m >= 0) || !double.IsFinite(m)))
            throw new ArgumentException("every margin must be finite and >= 0.", nameof(settings));
        var matches = points.Where(p => p.Label.Contains(settings.Baseline, StringComparison.Ordinal)).ToList();
        if (matches.Count != 1)
            throw new ArgumentException($"the baseline '{settings.Baseline}' matches {matches.Count} configurations; it must match exactly one " +
                $"(configurations: {string.Join("; ", points.Select(p => p.Label))}).", nameof(settings));
        var baseline = matches[0];
        var standings = points.Select(p => Stand(p, points)).ToList();
        var table = settings.EffectiveMargins.Select(m =>
        {
            double floor = baseline.Accuracy.Mean - m / settings.PointsPerUnit;
            var best = points.Where(p => p.Accuracy.Mean >= floor).MinBy(p => p.Energy.Mean)!; // the baseline itself qualifies
            return new MarginRow(m, best, best.Energy.Mean / baseline.Energy.Mean);
        }).ToList();
        return new ParetoStudy(settings, points, standings, baseline, table);
    }

    /// <summary>Whether <paramref name="q"/> beats <paramref name="p"/> on both means (at least as good on both, better on one).</summary>
    public static bool Beats(ParetoPoint q, ParetoPoint p) =>
        q.Accuracy.Mean >= p.Accuracy.Mean && q.Energy.Mean <= p.Energy.Mean &&
        (q.Accuracy.Mean > p.Accuracy.Mean || q.Energy.Mean < p.Energy.Mean);

    /// <summary>Whether <paramref name="q"/> beats <paramref name="p"/> beyond the spread on both metrics: on each, the 95 %
    /// intervals are disjoint, or both values are the same with no spread at all (a deterministic metric such as an energy
    /// count that two configurations share: a tie that no seed can undo).</summary>
    public static bool BeatsBeyondSpread(ParetoPoint q, ParetoPoint p) =>
        Beats(q, p) && Settled(q.Accuracy, p.Accuracy) && Settled(q.Energy, p.Energy);

    private static bool Settled(SeedSummary a, SeedSummary b) =>
        a.DiffersFrom(b) || (a.Count > 1 && b.Count > 1 && a.HalfWidth == 0 && b.HalfWidth == 0 && a.Mean == b.Mean);

    private static ParetoStanding Stand(ParetoPoint p, IReadOnlyList<ParetoPoint> all)
    {
        var beaters = all.Where(q => !ReferenceEquals(q, p) && Beats(q, p)).ToList();
        if (beaters.Count == 0) return ParetoStanding.Frontier;
        return beaters.Any(q => BeatsBeyondSpread(q, p)) ? ParetoStanding.Dominated : ParetoStanding.Undecided;
    }
}
