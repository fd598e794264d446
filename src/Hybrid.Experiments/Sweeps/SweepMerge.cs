using Hybrid.Experiments.Statistics;

using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Sweeps;

/// <summary>A finished run of the plan, its result as the run recorded it, and its metrics under the names the merge gives them
/// (<see cref="MetricKeyFold"/>).</summary>
public sealed record FinishedRun(PlannedRun Run, RunResult Result, IReadOnlyDictionary<string, double> Metrics);

/// <summary>A run of the plan without a final result, and where it stands.</summary>
public sealed record UnfinishedRun(PlannedRun Run, RunState State, string Detail);

/// <summary>
/// One point of the grid (every axis but the seed) summarised over its seeds: each metric's
/// mean ± 95 % interval (<see cref="SeedSummary"/>) over the completed seeds. Diverged seeds are
/// counted, not averaged (their last numbers are from before the loss stopped being finite).
/// </summary>
public sealed record GroupSummary(string Key, IReadOnlyList<AxisValue> Point, int Planned, int Completed, int Diverged,
    IReadOnlyDictionary<string, SeedSummary> Metrics);

/// <summary>How one group stands on a headline metric against the best group.</summary>
public enum Standing
{
    /// <summary>The best mean.</summary>
    Best,
    /// <summary>Its interval overlaps the best's: not called different.</summary>
    Indistinguishable,
    /// <summary>Its interval and the best's are disjoint: worse, significantly.</summary>
    Worse,
    /// <summary>It or the best has one seed (no interval): nothing can be said.</summary>
    NoInterval,
    /// <summary>No completed seed.</summary>
    NoData,
}

/// <summary>
/// Everything <c>sweep merge</c> reports, from whatever is finished: finished and unfinished
/// runs, one summary per grid point, and for each headline metric how each point stands against
/// the best (significance only where the 95 % intervals are disjoint).
/// </summary>
public sealed class SweepMerge
{
    private SweepMerge(SweepPlan plan, MetricKeyFold fold, IReadOnlyList<FinishedRun> finished, IReadOnlyList<UnfinishedRun> unfinished,
        IReadOnlyList<GroupSummary> groups, IReadOnlyList<HeadlineMetric> headline)
    {
        Plan = plan;
        Fold = fold;
        Finished = finished;
        Unfinished = unfinished;
        Groups = groups;
        Headline = headline;
    }

    /// <summary>The plan.</summary>
    public SweepPlan Plan { get; }
    /// <summary>How the metric names are merged: with each run's one key folded away, or as the runs gave them.</summary>
    public MetricKeyFold Fold { get; }
    /// <summary>Runs with a final result (completed or diverged), in plan order.</summary>
    public IReadOnlyList<FinishedRun> Finished { get; }
    /// <summary>Runs without one (missing, interrupted, running, failed), in plan order.</summary>
    public IReadOnlyList<UnfinishedRun> Unfinished { get; }
    /// <summary>One summary per grid point, in plan order.</summary>
    public IReadOnlyList<GroupSummary> Groups { get; }
    /// <summary>The metrics the report tables and plots.</summary>
    public IReadOnlyList<HeadlineMetric> Headline { get; }

    /// <summary>Every metric name of the finished runs (as merged), sorted.</summary>
    public IReadOnlyList<string> MetricNames => Finished.SelectMany(f => f.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Every timing name of the finished runs, sorted.</summary>
    public IReadOnlyList<string> TimingNames => Finished.SelectMany(f => f.Result.Timing.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Collects the sweep folder's results for <paramref name="plan"/>.</summary>
    public static SweepMerge Collect(SweepPlan plan)
    {
        var recorded = new List<(PlannedRun Run, RunResult Result)>();
        var unfinished = new List<UnfinishedRun>();
        foreach (var run in plan.Runs)
        {
            var (state, result, holder) = SweepRunFiles.State(plan, run);
            if (result is { Finished: true }) recorded.Add((run, result));
            else unfinished.Add(new UnfinishedRun(run, state, state switch
            {
                RunState.Running => $"running: {holder?.ToString() ?? "holder not recorded"}",
                RunState.Failed => $"failed: {result?.Message}",
                RunState.Interrupted => "interrupted: resumes on the next sweep run",
                _ => "not started",
            }));
        }
        var fold = MetricKeyFold.Of(plan, recorded.ToDictionary(f => f.Run.Id, f => f.Result));
        var finished = recorded.Select(f => new FinishedRun(f.Run, f.Result, fold.Metrics(f.Run, f.Result.Metrics))).ToList();
        var byRun = finished.ToDictionary(f => f.Run.Id);
        var groups = plan.Runs.GroupBy(r => r.GroupKey).Select(g =>
        {
            var results = g.Select(r => byRun.GetValueOrDefault(r.Id)).Where(f => f is not null).Select(f => f!).ToList();
            var done = results.Where(f => f.Result.Status == SweepRunStatus.Completed).ToList();
            var names = done.SelectMany(f => f.Metrics.Keys).Distinct().Order(StringComparer.Ordinal);
            var metrics = names.ToDictionary(n => n,
                n => SeedSummary.Of(done.Select(f => f.Metrics.GetValueOrDefault(n, double.NaN))));
            return new GroupSummary(g.Key, g.First().Point.Where(p => !p.IsSeed).ToList(), g.Count(), done.Count,
                results.Count(f => f.Result.Status == SweepRunStatus.Diverged), metrics);
        }).ToList();
        var headline = plan.Runs.SelectMany(r => plan.Definition.Experiment.Headline(r.Settings).Select(h => h with { Name = fold.Name(r, h.Name) }))
            .DistinctBy(h => h.Name).ToList();
        return new SweepMerge(plan, fold, finished, unfinished, groups, headline);
    }

    /// <summary>How each group stands on <paramref name="metric"/> against the group with the best mean.</summary>
    public IReadOnlyList<Standing> Standings(HeadlineMetric metric) =>
        Compare(Groups.Select(g => g.Metrics.GetValueOrDefault(metric.Name)).ToList(), metric.HigherIsBetter, metric.ZeroIsBest);

    /// <summary>
    /// How each of <paramref name="values"/> stands against the best mean: best, worse (disjoint 95 %
    /// intervals), indistinguishable (overlapping), or no interval to tell by. With <paramref name="zeroIsBest"/> the best
    /// mean is the one closest to 0 (a shift), whatever <paramref name="higherIsBetter"/> says.
    /// </summary>
    public static IReadOnlyList<Standing> Compare(IReadOnlyList<SeedSummary?> values, bool higherIsBetter, bool zeroIsBest = false)
    {
        bool Better(double a, double b) => zeroIsBest ? Math.Abs(a) < Math.Abs(b) : higherIsBetter ? a > b : a < b;
        int best = -1;
        for (int i = 0; i < values.Count; ++i)
        {
            if (values[i] is not { Count: > 0 } v) continue;
            if (best < 0 || Better(v.Mean, values[best]!.Mean)) best = i;
        }
        return values.Select((v, i) =>
            v is not { Count: > 0 } ? Standing.NoData
            : i == best ? Standing.Best
            : v.Count < 2 || values[best]!.Count < 2 ? Standing.NoInterval
            : v.DiffersFrom(values[best]!) ? Standing.Worse
            : Standing.Indistinguishable).ToList();
    }
}
