using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Trust;

/// <summary>The slice of one checkpoint: loss and first-layer gradient change at each relative move t.</summary>
/// <param name="Epoch">The checkpoint in epochs (as requested).</param>
/// <param name="Step">The optimiser steps taken before it.</param>
/// <param name="Moves">t, starting with 0.</param>
/// <param name="Loss">Cross-entropy on the slice examples after moving every parameter tensor by t.</param>
/// <param name="GradChange">‖g₁(t) − g₁(0)‖ / ‖g₁(0)‖ for the first layer's weight gradient g₁.</param>
/// <param name="Accuracy">Accuracy on the slice examples at t = 0.</param>
public sealed record SliceCurve(double Epoch, long Step, double[] Moves, double[] Loss, double[] GradChange, double Accuracy);

/// <summary>What one slice run produced (slices.json).</summary>
/// <param name="Point">The run.</param>
/// <param name="Status">How its training ended.</param>
/// <param name="Curves">One slice per checkpoint reached, in order.</param>
public sealed record SliceResult(SlicePoint Point, RunStatus Status, IReadOnlyList<SliceCurve> Curves);

/// <summary>
/// The curvature slices of jxbz/fromage's <c>classify-mnist/curvature.ipynb</c>: train a net,
/// keep its weights at checkpoints, and at each one move every parameter tensor W (biases
/// included, as there) along its normalised full-batch gradient G by a relative amount t,
/// W → W − t·‖W‖·G/‖G‖, recording the loss and how far the first layer's gradient has moved.
/// The authors take 100 steps of 0.001 (t up to 0.099) with the whole training set as the batch;
/// here t comes from a list and the "full batch" is the first <see cref="SlicePoint.SliceExamples"/>
/// training examples (docs/part2.md says why).
/// </summary>
public static class CurvatureSlices
{
    /// <summary>
    /// Runs (or resumes) one slice run in <paramref name="folder"/>: training with weight snapshots (continued from
    /// its checkpoint when interrupted), then one slice per checkpoint; a finished run is read back (its unit.json).
    /// </summary>
    public static SliceResult Run(SlicePoint p, RunFolder folder, DataCache cache, ITrainingObserver observer, CancellationToken cancel = default)
    {
        if (UnitStore.Find<SlicePoint, SliceResult>(folder, p) is { } done) return done;
        var (data, normalization, note) = cache.Get(p.Data);
        var spec = new ModelSpec(ModelSpec.ParseKind(p.Net), data.InputShape, data.Classes, p.Layers - 1, p.Width, Activation.Relu, Bias: true);
        spec.Validate();
        long batches = (data.TrainCount + p.BatchSize - 1) / p.BatchSize;
        var steps = p.Checkpoints.Select(c => (Epoch: c, Step: (long)Math.Round(c * batches))).DistinctBy(c => c.Step).OrderBy(c => c.Step).ToList();
        var wanted = steps.Select(s => s.Step).ToHashSet();
        nn.Module<Tensor, Tensor>? live = null;
        var optimizer = new OptimizerSpec(p.Optimizer, p.Lr);
        var job = new TrainingJob
        {
            Name = p.Title,
            BuildModel = d =>
            {
                live = ModelFactory.Build(spec, p.Seed, d);
                if (!folder.Has(SnapshotFile(0))) Snapshot(folder, 0, live);
                return live;
            },
            BuildOptimizer = m => OptimizerCatalog.Create(optimizer, m.parameters(), (ulong)p.Seed),
            Data = data,
            Normalization = normalization,
            Epochs = p.Epochs,
            BatchSize = p.BatchSize,
            Seed = p.Seed,
            Config = p,
            DataNote = note,
            LearningRateFactor = p.LrDecay == 1 ? null : e => Math.Pow(p.LrDecay, e - 1),
            AfterStep = (epoch, batch) =>
            {
                long step = (epoch - 1) * batches + batch + 1;
                if (wanted.Contains(step)) Snapshot(folder, step, live!);
            },
        };
        // an interrupted run continues from its checkpoint (one that finished training trains no further epoch)
        var run = TrainingRun.Execute(job, folder, observer, folder.HasCheckpoint, cancel);
        if (run.Status == RunStatus.Cancelled) return new SliceResult(p, run.Status, []);

        using var x = normalization.Apply(data.TrainX.narrow(0, 0, Math.Min(p.SliceExamples, data.TrainCount)));
        using var y = data.TrainY.narrow(0, 0, Math.Min(p.SliceExamples, data.TrainCount));
        var curves = new List<SliceCurve>();
        foreach (var (epoch, step) in steps)
        {
            if (cancel.IsCancellationRequested) return new SliceResult(p, RunStatus.Cancelled, curves);
            if (!folder.Has(SnapshotFile(step))) continue; // training stopped before this checkpoint
            var curve = Slice(spec, p, folder, epoch, step, x, y);
            observer.Message($"{p.Title}: slice at epoch {epoch} (step {step}): loss {curve.Loss[0]:G4} → {curve.Loss[^1]:G4}, " +
                             $"first-layer gradient moved ×{curve.GradChange[^1]:G3} at t = {curve.Moves[^1]}");
            curves.Add(curve);
        }
        var result = new SliceResult(p, run.Status, curves);
        UnitStore.Write(folder, p, result);
        return result;
    }

    /// <summary>The slice of the weights in snapshot <paramref name="step"/> on inputs <paramref name="x"/> (normalised) and labels <paramref name="y"/>.</summary>
    public static SliceCurve Slice(ModelSpec spec, SlicePoint p, RunFolder folder, double epoch, long step, Tensor x, Tensor y)
    {
        using var model = ModelFactory.Build(spec, p.Seed);
        using (var r = new BinaryReader(File.OpenRead(folder.File(SnapshotFile(step))))) model.load(r);
        return Slice(model, p.Moves, epoch, step, x, y);
    }

    /// <summary>The slice of <paramref name="model"/>'s current weights (restored afterwards).</summary>
    public static SliceCurve Slice(nn.Module<Tensor, Tensor> model, IReadOnlyList<double> moves, double epoch, long step, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var ps = model.parameters().ToList();
        var w0 = ps.Select(q => q.detach().clone()).ToList();
        var (loss0, acc0) = LossAndGradient(model, x, y);
        var g0 = ps.Select(q => q.grad!.detach().clone()).ToList();
        var wNorm = w0.Select(w => (double)w.norm().item<float>()).ToArray();
        var gNorm = g0.Select(g => (double)g.norm().item<float>()).ToArray();
        var ts = new[] { 0.0 }.Concat(moves.Order()).ToArray();
        var loss = new double[ts.Length];
        var change = new double[ts.Length];
        loss[0] = loss0;
        for (int i = 1; i < ts.Length; ++i)
        {
            using (torch.no_grad())
                for (int k = 0; k < ps.Count; ++k)
                    if (gNorm[k] > 0)
                    {
                        using Scalar move = (ts[i] * wNorm[k] / gNorm[k]).ToScalar(); // lives through the call (TorchScalars)
                        ps[k].copy_(w0[k] - move * g0[k]);
                    }
            (loss[i], _) = LossAndGradient(model, x, y);
            change[i] = (ps[0].grad! - g0[0]).norm().item<float>() / gNorm[0];
        }
        using (torch.no_grad())
            for (int k = 0; k < ps.Count; ++k) ps[k].copy_(w0[k]);
        model.zero_grad();
        return new SliceCurve(epoch, step, ts, loss, change, acc0);
    }

    private static (double Loss, double Accuracy) LossAndGradient(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        model.zero_grad();
        var logits = model.call(x);
        var loss = nn.functional.cross_entropy(logits, y);
        loss.backward();
        return (loss.item<float>(), logits.argmax(1).eq(y).to_type(ScalarType.Float64).mean().item<double>());
    }

    private static string SnapshotFile(long step) => $"snapshot-step-{step:D6}.bin";

    private static void Snapshot(RunFolder folder, long step, nn.Module model) =>
        folder.Write(SnapshotFile(step), s =>
        {
            using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
            model.save(w);
        });

}
