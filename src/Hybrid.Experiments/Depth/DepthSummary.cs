using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Statistics;

using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Depth;

/// <summary>One (optimiser, depth, learning rate) over its seeds.</summary>
/// <param name="Optimizer">The optimiser.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Lr">The learning rate.</param>
/// <param name="Accuracy">Final-epoch training accuracy over seeds (a diverged seed counts at chance, 1/classes).</param>
/// <param name="Diverged">Seeds whose loss stopped being finite.</param>
public sealed record DepthCell(string Optimizer, int Depth, double Lr, SeedSummary Accuracy, int Diverged);

/// <summary>The best learning rate of one (optimiser, depth).</summary>
/// <param name="Optimizer">The optimiser.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Lr">The learning rate with the highest mean accuracy.</param>
/// <param name="Accuracy">Its accuracy over seeds.</param>
/// <param name="Trainable">Whether the mean reaches the threshold.</param>
public sealed record DepthBest(string Optimizer, int Depth, double Lr, SeedSummary Accuracy, bool Trainable);

/// <summary>What <c>hybrid depth</c> found: every cell, the best learning rate per (optimiser, depth), the deepest trainable depth per optimiser.</summary>
/// <param name="Cells">Every (optimiser, depth, learning rate).</param>
/// <param name="Best">The best learning rate per (optimiser, depth), in the settings' order.</param>
/// <param name="Deepest">Per optimiser: the deepest depth that is trainable (null: none).</param>
/// <param name="FirstFailure">Per optimiser: the shallowest depth that is not (null: none fails).</param>
public sealed record DepthSummary(IReadOnlyList<DepthCell> Cells, IReadOnlyList<DepthBest> Best,
    IReadOnlyDictionary<string, int?> Deepest, IReadOnlyDictionary<string, int?> FirstFailure)
{
    /// <summary>Summarises finished points (cancelled ones are left out).</summary>
    public static DepthSummary From(DepthSettings s, IReadOnlyList<PointResult> results, int classes)
    {
        double chance = 1.0 / classes;
        var cells = new List<DepthCell>();
        var best = new List<DepthBest>();
        foreach (var opt in s.Optimizers)
            foreach (var depth in s.Depths)
            {
                var here = new List<DepthCell>();
                foreach (var lr in s.Lrs(opt))
                {
                    var runs = results.Where(r => r.Point.Optimizer == opt && r.Point.Depth == depth && r.Point.Lr == lr && r.Status != RunStatus.Cancelled).ToList();
                    if (runs.Count == 0) continue;
                    var acc = SeedSummary.Of(runs.Select(r => r.Diverged ? chance : r.TrainAccuracy));
                    here.Add(new DepthCell(opt, depth, lr, acc, runs.Count(r => r.Diverged)));
                }
                cells.AddRange(here);
                var top = here.Where(c => double.IsFinite(c.Accuracy.Mean)).MaxBy(c => c.Accuracy.Mean);
                if (top is not null) best.Add(new DepthBest(opt, depth, top.Lr, top.Accuracy, top.Accuracy.Mean >= s.Threshold));
            }
        var deepest = s.Optimizers.ToDictionary(o => o,
            o => best.Where(b => b.Optimizer == o && b.Trainable).Select(b => (int?)b.Depth).Max());
        var first = s.Optimizers.ToDictionary(o => o,
            o => best.Where(b => b.Optimizer == o && !b.Trainable).Select(b => (int?)b.Depth).Min());
        return new DepthSummary(cells, best, deepest, first);
    }
}
