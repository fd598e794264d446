using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Trainer;

/// <summary>The trainer: determinism, resume, divergence, refusals (run folders: Hybrid.Experiments.Tests).</summary>
public class TrainerTests
{
    private sealed record Config(string Optimizer, int Epochs, long Seed);

    private static TrainingJob Job(DataSet data, string optimizer = "madam", int epochs = 3, long seed = 1,
        Action<int, long, optim.Optimizer>? afterStep = null)
    {
        var spec = new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 2, Width: 32);
        optim.Optimizer? opt = null;
        return new TrainingJob
        {
            Name = $"test {optimizer}",
            BuildModel = d => OptimizerCatalog.PrepareModel(new OptimizerSpec(optimizer), ModelFactory.Build(spec, seed, d)),
            BuildOptimizer = m => opt = OptimizerCatalog.Create(new OptimizerSpec(optimizer), m, (ulong)seed),
            Data = data,
            Epochs = epochs,
            BatchSize = 64,
            Seed = seed,
            Config = new Config(optimizer, epochs, seed),
            AfterStep = afterStep is null ? null : (e, b) => afterStep(e, b, opt!),
        };
    }

    private static DataSet Data() => Synthetic.Mixture(new MixtureOptions(Train: 600, Test: 200, Dim: 16, Classes: 4), seed: 3);

    private static float[] Weights(IRunStore folder, DataSet data, string optimizer = "madam")
    {
        using var model = OptimizerCatalog.PrepareModel(new OptimizerSpec(optimizer),
            ModelFactory.Build(new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 2, Width: 32), 999));
        Hybrid.Training.Trainer.Trainer.LoadWeights(folder, model);
        return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }

    [Test]
    public void SameSeedGivesIdenticalRuns([Values("madam", "lns-madam", "lns-madam-sim", "nero")] string optimizer)
    {
        using var data = Data();
        var (sa, sb) = (new MemoryRunStore(), new MemoryRunStore());
        var a = Hybrid.Training.Trainer.Trainer.Run(Job(data, optimizer), sa, SilentObserver.Instance);
        var b = Hybrid.Training.Trainer.Trainer.Run(Job(data, optimizer), sb, SilentObserver.Instance);
        Assert.That(b.Epochs.Select(e => (e.TrainLoss, e.TestLoss, e.TestAccuracy)),
            Is.EqualTo(a.Epochs.Select(e => (e.TrainLoss, e.TestLoss, e.TestAccuracy))));
        Assert.That(Weights(sb, data, optimizer), Is.EqualTo(Weights(sa, data, optimizer)));
        Assert.That(a.FinalTestAccuracy, Is.GreaterThan(0.6), "the mixture is learnable (chance is 0.25)");
    }

    [Test]
    public void ResumeGivesTheSameFinalWeightsAsAnUninterruptedRun([Values("adam", "madam", "kernel-madam", "lns-madam", "lns-madam-sim", "fromage", "nero")] string optimizer)
    {
        using var data = Data();
        var whole = new MemoryRunStore();
        var split = new MemoryRunStore();
        Hybrid.Training.Trainer.Trainer.Run(Job(data, optimizer, epochs: 4), whole, SilentObserver.Instance);
        Hybrid.Training.Trainer.Trainer.Run(Job(data, optimizer, epochs: 2), split, SilentObserver.Instance);
        var resumed = Hybrid.Training.Trainer.Trainer.Run(Job(data, optimizer, epochs: 4), split, SilentObserver.Instance, resume: true);
        Assert.That(resumed.Epochs, Has.Count.EqualTo(4));
        Assert.That(Weights(split, data, optimizer), Is.EqualTo(Weights(whole, data, optimizer)), "final weights are bit-identical");
        Assert.That(split.Epochs.Select(r => r.TestLoss), Is.EqualTo(whole.Epochs.Select(r => r.TestLoss)));
    }

    [Test]
    public void NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        using var data = Data();
        var folder = new MemoryRunStore();
        // SGD whose learning rate explodes in epoch 2: the loss goes to inf/NaN there.
        var job = Job(data, "sgd", epochs: 4, afterStep: (epoch, _, opt) =>
        {
            if (epoch == 2) opt.ParamGroups.First().LearningRate = 1e30;
        });
        var result = Hybrid.Training.Trainer.Trainer.Run(job, folder, SilentObserver.Instance);
        Assert.That(result.Status, Is.EqualTo(RunStatus.Diverged));
        Assert.That(result.Message, Does.Contain("epoch 2").And.Contain("checkpoint after epoch 1 is kept"));
        Assert.That(result.Epochs, Has.Count.EqualTo(1));
        var (epoch, rows) = Hybrid.Training.Trainer.Trainer.LoadWeights(folder, ModelFactory.Build(
            new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 2, Width: 32), 0));
        Assert.That(epoch, Is.EqualTo(1));
        Assert.That(Weights(folder, data).All(float.IsFinite), "checkpoint weights are the good ones");
    }

    [Test]
    public void RefusesToOverwriteARunOrResumeWithOtherSettings()
    {
        using var data = Data();
        var folder = new MemoryRunStore();
        Hybrid.Training.Trainer.Trainer.Run(Job(data, epochs: 1), folder, SilentObserver.Instance);
        var again = Assert.Throws<InvalidOperationException>(() =>
            Hybrid.Training.Trainer.Trainer.Run(Job(data, epochs: 1), folder, SilentObserver.Instance));
        Assert.That(again!.Message, Does.Contain("--resume"));
        var other = Assert.Throws<InvalidOperationException>(() =>
            Hybrid.Training.Trainer.Trainer.Run(Job(data, epochs: 2, seed: 7), folder, SilentObserver.Instance, resume: true));
        Assert.That(other!.Message, Does.Contain("seed: 1 in the run, 7 in this command"), "the differing field is named");
        Assert.Throws<InvalidOperationException>(() =>
            Hybrid.Training.Trainer.Trainer.Run(Job(data), new MemoryRunStore(), SilentObserver.Instance, resume: true));
    }

    [Test]
    public void CosineScheduleSetsEachEpochsRateAndSurvivesResume()
    {
        using var data = Data();
        var schedule = LearningRateSchedules.Parse("cosine", 4)!;
        TrainingJob WithSchedule(int epochs) => new()
        {
            Name = "cos", BuildModel = Job(data).BuildModel, BuildOptimizer = Job(data).BuildOptimizer, Data = data,
            Epochs = epochs, BatchSize = 64, Seed = 1, Config = new Config("madam", epochs, 1), LearningRateFactor = schedule,
        };
        var whole = new MemoryRunStore();
        var split = new MemoryRunStore();
        var r = Hybrid.Training.Trainer.Trainer.Run(WithSchedule(4), whole, SilentObserver.Instance);
        Assert.That(r.Epochs.Select(e => e.LearningRate),
            Is.EqualTo(new[] { 1.0, 0.5 * (1 + Math.Cos(Math.PI / 4)), 0.5, 0.5 * (1 + Math.Cos(3 * Math.PI / 4)) }.Select(f => 0.01 * f)).Within(1e-12));
        Hybrid.Training.Trainer.Trainer.Run(WithSchedule(2), split, SilentObserver.Instance);
        Hybrid.Training.Trainer.Trainer.Run(WithSchedule(4), split, SilentObserver.Instance, resume: true);
        Assert.That(Weights(split, data), Is.EqualTo(Weights(whole, data)));
    }
}
