using Hybrid.Experiments.Options;

namespace Hybrid.Experiments.Fitting;

/// <summary>
/// What the settings of every Part I experiment (margin, bpm; uncertainty through bpm) share: the data and
/// task, the test subset, the MLP, its full-batch Nero schedule and the seeds. Each settings record keeps these
/// as its own top-level fields (config.json's shape) and exposes them as one value.
/// </summary>
/// <param name="Data">mnist, fashion-mnist, teacher, mixture or an MNIST-format folder.</param>
/// <param name="Task">A <c>--task</c>, or "none" for the data's own classes.</param>
/// <param name="TestSize">Test examples (a fixed random subset), or null for the whole test set.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Width">Units per hidden layer.</param>
/// <param name="Steps">Full-batch Nero steps per network.</param>
/// <param name="Lr">Nero's initial learning rate.</param>
/// <param name="Decay">Learning-rate factor per step; null: 0.99^(500/Steps), the authors' final rate (<see cref="FitSchedule.AuthorsDecay"/>).</param>
/// <param name="Seeds">Seeds (each a different training subset, initialisation and draw).</param>
/// <param name="Seed">The first seed; the units use Seed … Seed + Seeds − 1.</param>
public sealed record FitShape(string Data, string Task, int? TestSize, int Depth, int Width, int Steps, double Lr, double? Decay, int Seeds, long Seed)
{
    /// <summary>The schedule of every network.</summary>
    public FitSchedule Schedule => new(Steps, Lr, Decay ?? FitSchedule.AuthorsDecay(Steps));

    /// <summary>The seeds of the units.</summary>
    public long[] SeedList => Enumerable.Range(0, Seeds).Select(i => Seed + i).ToArray();

    /// <summary>The task name passed to the data layer (null for "none").</summary>
    public string? TaskOrNull => Task.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Task;

    /// <summary>Checks the shared values: data and task for <paramref name="maxTrain"/> training examples (binary where
    /// <paramref name="binary"/>; <paramref name="sizeOption"/> names the training-size option), the network, the schedule, the seeds.</summary>
    public void Validate(int maxTrain, bool binary, string sizeOption)
    {
        PartOneChecks.DataAndTask(Data, TaskOrNull, maxTrain, TestSize, binary, sizeOption);
        PartOneChecks.Network(Depth, Width);
        Schedule.Validate();
        if (Seeds < 1) throw new ArgumentException($"--seeds {Seeds} must be >= 1.", "seeds");
    }
}

/// <summary>Settings that hold a <see cref="FitShape"/>: the Part I experiments'.</summary>
public interface IFitSettings<TSelf> where TSelf : class
{
    /// <summary>The shared part.</summary>
    FitShape Fit { get; }

    /// <summary>These settings with the shared part replaced.</summary>
    TSelf WithFit(FitShape fit);
}

/// <summary>The options of the shared part, the same in margin, bpm and uncertainty.</summary>
public static class FitOptions
{
    /// <summary>--data, --task, --test-size, --depth, --width, --steps, --lr, --decay, --seeds, --seed.</summary>
    public static IEnumerable<SettingOption<T>> Of<T>(OptionBuilder<T> o) where T : class, IFitSettings<T> =>
    [
        o.Data(s => s.Fit.Data, (s, v) => s.WithFit(s.Fit with { Data = v })),
        o.Task(s => s.Fit.Task, (s, v) => s.WithFit(s.Fit with { Task = v }), none: true),
        o.TestSize(s => s.Fit.TestSize, (s, v) => s.WithFit(s.Fit with { TestSize = v }), "Test examples: a fixed random subset of the test set."),
        o.Depth(s => s.Fit.Depth, (s, v) => s.WithFit(s.Fit with { Depth = v }), "Hidden layers of the MLP (the authors count layers: depth 7 = 6 hidden)."),
        o.Width(s => s.Fit.Width, (s, v) => s.WithFit(s.Fit with { Width = v })),
        o.Int("--steps", "Full-batch Nero steps per network.", (s, v) => s.WithFit(s.Fit with { Steps = v }), s => s.Fit.Steps),
        o.Number("--lr", "Nero's initial learning rate.", (s, v) => s.WithFit(s.Fit with { Lr = v }), s => s.Fit.Lr),
        o.Number("--decay", "Learning-rate factor per step (0.99^(500/steps): the authors' 500 steps of ×0.99 end at the same rate).",
            (s, v) => s.WithFit(s.Fit with { Decay = v }), s => s.Fit.Decay is double d ? d : "0.99^(500/steps)"),
        o.Seeds(s => s.Fit.Seeds, (s, v) => s.WithFit(s.Fit with { Seeds = v }), "Seeds per grid point"),
        o.Seed(s => s.Fit.Seed, (s, v) => s.WithFit(s.Fit with { Seed = v }), "The first seed."),
    ];
}

/// <summary>The sweep-plan cost of Part I's full-batch networks.</summary>
public static class FitCost
{
    /// <summary>Multiply-adds of one full-batch MLP trained for <paramref name="steps"/> steps on <paramref name="n"/> examples (forward and backward ≈ 3× forward).</summary>
    public static double Network(string data, int n, int depth, int width, int steps)
    {
        var (shape, _, _, _) = Runs.CostModel.DataShape(data, n);
        double inputs = shape.Aggregate(1L, (a, b) => a * b);
        double parameters = inputs * width + (depth - 1.0) * width * width + width;
        return 3.0 * steps * n * parameters;
    }
}
