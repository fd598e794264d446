using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;
using TrainerRun = Hybrid.Training.Trainer.Trainer;

namespace Hybrid.Training.Tests.Trainer;

/// <summary>Issue 15 items 1, 5 and 7 at the trainer: no non-finite "last good" checkpoint, checkpoints that
/// refuse damage, figures that cover the whole run.</summary>
public class IntegrityTests
{
    private sealed record Config(string Optimizer, int Epochs, long Seed);

    private static ModelSpec Spec(DataSet data) => new(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 1, Width: 16);

    private static TrainingJob Job(DataSet data, string optimizer = "sgd", int epochs = 3, Action<int, long, nn.Module>? afterStep = null)
    {
        nn.Module? model = null;
        return new TrainingJob
        {
            Name = $"integrity {optimizer}",
            BuildModel = d => (nn.Module<Tensor, Tensor>)(model = OptimizerCatalog.PrepareModel(new OptimizerSpec(optimizer), ModelFactory.Build(Spec(data), 1, d))),
            BuildOptimizer = m => OptimizerCatalog.Create(new OptimizerSpec(optimizer), m, 1),
            Data = data,
            Epochs = epochs,
            BatchSize = 50,
            Seed = 1,
            Config = new Config(optimizer, epochs, 1),
            AfterStep = afterStep is null ? null : (e, b) => afterStep(e, b, model!),
        };
    }

    private static DataSet Data() => Synthetic.Mixture(new MixtureOptions(Train: 200, Test: 100, Dim: 8, Classes: 3), seed: 4);

    private static void Poison(nn.Module model)
    {
        using var _ = torch.no_grad();
        var w = model.parameters().First();
        w.view(-1)[0] = torch.tensor(float.PositiveInfinity);
    }

    [Test]
    public void AnEpochThatEndsWithInfiniteWeightsIsNotKeptAsLastGood()
    {
        // issue 15 item 1: the last step of an epoch overflowed; the loss of every batch was finite (it is computed before
        // the step), so the checkpoint after epoch 2 used to hold inf weights
        using var data = Data();
        var store = new MemoryRunStore();
        var result = TrainerRun.Run(Job(data, afterStep: (epoch, batch, model) =>
        {
            if (epoch == 2 && batch == 3) Poison(model); // the last of 4 batches
        }), store, SilentObserver.Instance);
        Assert.That(result.Status, Is.EqualTo(RunStatus.Diverged));
        Assert.That(result.Message, Does.Contain("epoch 2 left 1 weights NaN or infinite").And.Contain("checkpoint after epoch 1 is kept"));
        Assert.That(result.Message, Does.Not.Contain("resume from it with a lower learning rate"), "no advice the resume would refuse");
        using var model = ModelFactory.Build(Spec(data), 9);
        var (epoch, _) = TrainerRun.LoadWeights(store, model);
        Assert.That(epoch, Is.EqualTo(1));
        Assert.That(Checkpoint.NonFinite(model), Is.Zero);
    }

    [Test]
    public void ACheckpointWithAnInfiniteWeightIsRefused()
    {
        using var data = Data();
        var store = new MemoryRunStore();
        TrainerRun.Run(Job(data, epochs: 1), store, SilentObserver.Instance);
        // write a checkpoint (with a valid checksum) whose weights hold one inf, as a diverged run used to
        var job = Job(data, epochs: 1);
        using (var model = job.BuildModel(CPU))
        using (var optimizer = job.BuildOptimizer(model))
        {
            TrainerRun.LoadWeights(store, model);
            Poison(model);
            using var ms = new MemoryStream();
            Checkpoint.Write(ms, store.ConfigJson!, 1, store.Epochs, model, optimizer);
            store.CheckpointBytes = ms.ToArray();
        }
        var e = Assert.Throws<InvalidDataException>(() => TrainerRun.Run(Job(data, epochs: 2), store, SilentObserver.Instance, resume: true));
        Assert.That(e!.Message, Does.Contain("holds 1 NaN or infinite weights"));
    }

    [Test]
    public void AFlippedBitInTheCheckpointIsRefused()
    {
        // issue 15 item 5: one flipped bit used to load silently
        using var data = Data();
        var store = new MemoryRunStore();
        TrainerRun.Run(Job(data, epochs: 1), store, SilentObserver.Instance);
        var bytes = store.CheckpointBytes!;
        foreach (int at in new[] { 5, bytes.Length / 2, bytes.Length - 40, bytes.Length - 1 })
        {
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= 0x10;
            store.CheckpointBytes = damaged;
            var e = Assert.Throws<InvalidDataException>(() => TrainerRun.Run(Job(data, epochs: 2), store, SilentObserver.Instance, resume: true));
            Assert.That(e!.Message, Does.Contain("the in-memory checkpoint fails its SHA-256 check"), $"byte {at}");
        }
        store.CheckpointBytes = bytes[..^7];
        Assert.Throws<InvalidDataException>(() => TrainerRun.Run(Job(data, epochs: 2), store, SilentObserver.Instance, resume: true));
        store.CheckpointBytes = bytes;
        Assert.That(TrainerRun.Run(Job(data, epochs: 2), store, SilentObserver.Instance, resume: true).Epochs, Has.Count.EqualTo(2));
    }

    [Test]
    public void AResumedLnsRunReportsTheCostsOfTheWholeRun()
    {
        // issue 15 item 7: energy and codes changed must cover every step, not only the resumed part
        using var data = Data();
        var whole = TrainerRun.Run(Job(data, "lns-madam", epochs: 4), new MemoryRunStore(), SilentObserver.Instance);
        var split = new MemoryRunStore();
        TrainerRun.Run(Job(data, "lns-madam", epochs: 2), split, SilentObserver.Instance);
        var resumed = TrainerRun.Run(Job(data, "lns-madam", epochs: 4), split, SilentObserver.Instance, resume: true);
        var (a, b) = (whole.Optimizer!, resumed.Optimizer!);
        Assert.That(b.Steps, Is.EqualTo(a.Steps));
        Assert.That(b.CodesChanged, Is.EqualTo(a.CodesChanged));
        Assert.That(b.Ledger, Is.EqualTo(a.Ledger));
        Assert.That(resumed.Epochs, Has.Count.EqualTo(4));
        Assert.That(resumed.MeanEpochSeconds, Is.EqualTo(resumed.Epochs.Average(e => e.EpochSeconds)));
    }

    /// <summary>A store that loses the metrics of <paramref name="lostEpoch"/>: a kill after its checkpoint.</summary>
    private sealed class KilledAfterCheckpoint(MemoryRunStore inner, int lostEpoch) : IRunStore
    {
        public string Location => inner.Location;
        public bool HasCheckpoint => inner.HasCheckpoint;
        public void Begin(string configJson) => inner.Begin(configJson);
        public void WriteCheckpoint(Action<Stream> write) => inner.WriteCheckpoint(write);
        public Stream OpenCheckpoint() => inner.OpenCheckpoint();
        public void EpochsCompleted(IReadOnlyList<EpochMetrics> epochs)
        {
            if (epochs.Count < lostEpoch) inner.EpochsCompleted(epochs);
        }
    }

    [Test]
    public void AKillAfterTheLastCheckpointLeavesNoMetricsRowMissingOnResume()
    {
        // scripts/probe-files.sh: killed between the last epoch's checkpoint and its metrics.csv, the resumed run found
        // nothing to train and left metrics.csv one row short of the uninterrupted run's
        using var data = Data();
        var store = new MemoryRunStore();
        TrainerRun.Run(Job(data, epochs: 2), new KilledAfterCheckpoint(store, lostEpoch: 2), SilentObserver.Instance);
        Assert.That(store.Epochs, Has.Count.EqualTo(1), "the kill's aftermath: the metrics an epoch behind the checkpoint");
        var resumed = TrainerRun.Run(Job(data, epochs: 2), store, SilentObserver.Instance, resume: true);
        Assert.That(store.Epochs, Has.Count.EqualTo(2));
        Assert.That(store.Epochs, Is.EqualTo(resumed.Epochs));
    }

    [Test]
    public void ResumingWithFewerEpochsSaysWhatTheRunHolds()
    {
        // issue 15 item 7: resuming a 4-epoch run with --epochs 2 said "trained 2 epochs"
        using var data = Data();
        var store = new MemoryRunStore();
        TrainerRun.Run(Job(data, epochs: 4), store, SilentObserver.Instance);
        var again = TrainerRun.Run(Job(data, epochs: 2), store, SilentObserver.Instance, resume: true);
        Assert.That(again.Epochs, Has.Count.EqualTo(4));
        Assert.That(again.Message, Does.Contain("already has 4 epochs").And.Not.Contain("trained 2 epochs"));
    }

    [Test]
    public void AResumeNamesEveryDifferingSetting()
    {
        string a = """{"model": {"depth": 2, "width": 64}, "optimizer": {"name": "adam", "lr": 0.01}, "epochs": 3}""";
        string b = """{"model": {"depth": 2, "width": 32}, "optimizer": {"name": "adam", "lr": 0.001}, "epochs": 5}""";
        var diff = ConfigDiff.Differences(a, b, "config.json", "epochs");
        Assert.That(diff, Is.EqualTo(new[] { "model.width: 64 in the run, 32 in this command", "optimizer.lr: 0.01 in the run, 0.001 in this command" }));
        var e = Assert.Throws<InvalidOperationException>(() => ConfigDiff.RequireSame(a, b, "runs/x", "config.json"));
        Assert.That(e!.Message, Does.Contain("3 settings differ").And.Contain("epochs: 3 in the run, 5 in this command").And.Contain("no setting may change"));
    }
}
