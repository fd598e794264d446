namespace Hybrid.Experiments.Sweeps;

/// <summary>
/// How <c>sweep merge</c> names the metrics of experiments that key them (<see cref="Runs.IExperiment.MetricKeys"/>):
/// transfer and depth name every metric after its optimiser (<c>sgd.w0064.d01.best_loss</c>), compare after its row
/// (<c>lns-08.test_accuracy</c>). A sweep whose axis gives each run one key (<c>"optimizers": [["sgd"], ["adam"]]</c>)
/// then has one quantity under a different name in every run, and a table per name would have one filled row. Where every
/// run has exactly one key and the keys differ, the merge folds the key away (<c>w0064.d01.best_loss</c>), so each run's
/// value lands on its own row of one table and the keys compare against each other. It does not fold when a run has
/// several keys (its names are told apart only by them) or when two names of one run would fold to the same name (an
/// unkeyed <c>loss</c> beside <c>sgd.loss</c>: two different numbers merged as one); the names then stay as the runs gave
/// them, and <see cref="Note"/> says why. Folding is for the whole sweep or not at all, so that every table of a merge
/// uses one naming. Each run's own result.json keeps its names.
/// </summary>
public sealed class MetricKeyFold
{
    private readonly IReadOnlyDictionary<string, string> _keyOfRun;

    private MetricKeyFold(IReadOnlyDictionary<string, string> keyOfRun, IReadOnlyList<string> keys, string? note)
    {
        _keyOfRun = keyOfRun;
        Keys = keys;
        Note = note;
    }

    /// <summary>Whether the metric names are folded.</summary>
    public bool Folded => _keyOfRun.Count > 0;

    /// <summary>Every key of the sweep's runs, in plan order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Why the names are not folded although the runs' keys differ; null when folded or when nothing varies.</summary>
    public string? Note { get; }

    /// <summary>The key folded out of <paramref name="run"/>'s metric names, or null when nothing is folded.</summary>
    public string? KeyOf(PlannedRun run) => _keyOfRun.GetValueOrDefault(run.Id);

    /// <summary>The name <paramref name="metric"/> of <paramref name="run"/> has in the merge.</summary>
    public string Name(PlannedRun run, string metric) => KeyOf(run) is { } key ? Fold(key, metric) : metric;

    /// <summary>The metrics of <paramref name="run"/> under their merged names.</summary>
    public SortedDictionary<string, double> Metrics(PlannedRun run, IReadOnlyDictionary<string, double> metrics) =>
        new(metrics.ToDictionary(kv => Name(run, kv.Key), kv => kv.Value), StringComparer.Ordinal);

    /// <summary>
    /// The fold for <paramref name="plan"/>, checked against the names its finished runs recorded (<paramref name="results"/>,
    /// by run id) and the headline names of every planned run.
    /// </summary>
    public static MetricKeyFold Of(SweepPlan plan, IReadOnlyDictionary<string, RunResult> results)
    {
        var experiment = plan.Definition.Experiment;
        var keys = plan.Runs.Select(r => experiment.MetricKeys(r.Settings)).ToList();
        var all = keys.SelectMany(k => k).Distinct(StringComparer.Ordinal).ToList();
        MetricKeyFold None(string? note) => new(new Dictionary<string, string>(), all, note);
        // one key in every run (or none anywhere): the names already match from run to run
        if (all.Count < 2) return None(null);
        const string NotFolded = "not folded into one table per quantity";
        for (int i = 0; i < plan.Runs.Count; ++i)
            if (keys[i].Count != 1)
                return None($"{NotFolded}: run {i + 1} ({plan.Runs[i].ReadableLabel}) reports under {keys[i].Count} keys " +
                            $"({string.Join(", ", keys[i])}), told apart only by them");
        for (int i = 0; i < plan.Runs.Count; ++i)
        {
            var run = plan.Runs[i];
            var names = experiment.Headline(run.Settings).Select(h => h.Name)
                .Concat(results.TryGetValue(run.Id, out var r) ? r.Metrics.Keys : []).Distinct(StringComparer.Ordinal);
            if (names.GroupBy(n => Fold(keys[i][0], n), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
                return None($"{NotFolded}: run {i + 1} ({run.ReadableLabel}) would name both " +
                            $"{string.Join(" and ", clash.Select(n => $"`{n}`"))} `{clash.Key}`");
        }
        return new MetricKeyFold(plan.Runs.Select((r, i) => (r.Id, Key: keys[i][0])).ToDictionary(x => x.Id, x => x.Key), all, null);
    }

    // "sgd.w0064.d01.best_loss" → "w0064.d01.best_loss"; a name without the key (diverged_points) stays
    private static string Fold(string key, string metric) =>
        metric.Length > key.Length + 1 && metric.StartsWith(key, StringComparison.Ordinal) && metric[key.Length] == '.'
            ? metric[(key.Length + 1)..] : metric;
}
