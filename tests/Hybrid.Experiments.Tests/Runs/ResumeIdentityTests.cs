using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests;

/// <summary>Issue 22 item 16: a run stopped after an epoch and resumed holds exactly what the same run done in one go
/// holds, byte for byte, outside the timing fields docs/reliability.md lists ("What a resume repeats").</summary>
public class ResumeIdentityTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-identity-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private sealed record Config(string Optimizer, int Epochs);

    private static TrainingJob Job(DataSet data) => new()
    {
        Name = "identity",
        BuildModel = d => ModelFactory.Build(new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 1, Width: 8), 1, d),
        BuildOptimizer = m => OptimizerCatalog.Create(new OptimizerSpec("madam"), m.parameters(), 1),
        Data = data,
        Epochs = 3,
        BatchSize = 64,
        Seed = 1,
        Config = new Config("madam", 3),
    };

    /// <summary>Stops the run once <paramref name="after"/> epochs are done (as a kill between epochs would).</summary>
    private sealed class StopAfter(int after, CancellationTokenSource cts) : ITrainingObserver
    {
        public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch) { }
        public void Batch(int epoch, long batch, double loss) { }
        public void Epoch(EpochMetrics metrics) { if (metrics.Epoch >= after) cts.Cancel(); }
        public void Message(string text) { }
    }

    // the timing fields (docs/reliability.md): metrics' examples_per_s and epoch_seconds; summary.json's
    // meanEpochSeconds, meanExamplesPerSecond, startedUtc, finishedUtc; and its message, which says what the last
    // command did ("trained epochs 2..3"), not what the run holds
    private static List<EpochMetrics> Untimed(IEnumerable<EpochMetrics> rows) =>
        rows.Select(r => r with { ExamplesPerSecond = 0, EpochSeconds = 0 }).ToList();

    private static (string Config, int Epoch, List<EpochMetrics> Metrics, byte[] State) Checkpoint(RunFolder f)
    {
        using var r = Hybrid.Training.Trainer.Checkpoint.Open(File.ReadAllBytes(f.File(RunFolder.CheckpointFile)), "c");
        var s = r.Body.BaseStream;
        var state = new byte[s.Length - s.Position];
        s.ReadExactly(state);
        return (r.Config, r.Epoch, Untimed(r.Metrics), state);
    }

    private static JsonObject Summary(RunFolder f)
    {
        var o = JsonNode.Parse(File.ReadAllText(f.File("summary.json")))!.AsObject();
        foreach (var k in new[] { "meanEpochSeconds", "meanExamplesPerSecond", "startedUtc", "finishedUtc", "message" })
            Assert.That(o.Remove(k), k);
        return o;
    }

    [Test]
    public void AResumedRunEqualsAnUninterruptedOneOutsideTheTimingFields()
    {
        using var data = Synthetic.Mixture(new MixtureOptions(Train: 300, Test: 100, Dim: 8, Classes: 3), seed: 2);
        var whole = new RunFolder(Path.Combine(_root, "whole"));
        Assert.That(TrainingRun.Execute(Job(data), whole, SilentObserver.Instance).Status, Is.EqualTo(RunStatus.Completed));

        var split = new RunFolder(Path.Combine(_root, "split"));
        using (var cts = new CancellationTokenSource())
            Assert.That(TrainingRun.Execute(Job(data), split, new StopAfter(1, cts), cancel: cts.Token).Status, Is.EqualTo(RunStatus.Cancelled));
        var said = new Messages();
        Assert.That(TrainingRun.Execute(Job(data), RunFolder.At(split.Path), said, resume: true).Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(said.Said, Has.None.Contains("another environment"), string.Join(" / ", said.Said));

        Assert.That(File.ReadAllBytes(split.File(RunFolder.ConfigFile)), Is.EqualTo(File.ReadAllBytes(whole.File(RunFolder.ConfigFile))));
        var (c1, e1, m1, s1) = Checkpoint(whole);
        var (c2, e2, m2, s2) = Checkpoint(split);
        Assert.That((c2, e2), Is.EqualTo((c1, e1)));
        Assert.That(m2, Is.EqualTo(m1), "the checkpoint's metrics outside the timing columns");
        Assert.That(s2, Is.EqualTo(s1), "weights and optimiser state, byte for byte");
        Assert.That(Untimed(EpochMetrics.ReadCsv(split.File("metrics.csv"))), Is.EqualTo(Untimed(EpochMetrics.ReadCsv(whole.File("metrics.csv")))));
        Assert.That(Summary(split).ToJsonString(), Is.EqualTo(Summary(whole).ToJsonString()));
        Assert.That(File.ReadAllBytes(split.File("learning-curve.png")), Is.EqualTo(File.ReadAllBytes(whole.File("learning-curve.png"))));
        Assert.That(m1, Has.Count.EqualTo(3));
    }

    private sealed class Messages : ITrainingObserver
    {
        public readonly List<string> Said = [];
        public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch) { }
        public void Batch(int epoch, long batch, double loss) { }
        public void Epoch(EpochMetrics metrics) { }
        public void Message(string text) => Said.Add(text);
    }

    [Test]
    public void AResumeInAnotherEnvironmentSaysSo()
    {
        using var data = Synthetic.Mixture(new MixtureOptions(Train: 300, Test: 100, Dim: 8, Classes: 3), seed: 2);
        var run = new RunFolder(Path.Combine(_root, "env"));
        using (var cts = new CancellationTokenSource())
            TrainingRun.Execute(Job(data), run, new StopAfter(1, cts), cancel: cts.Token);
        var summary = JsonNode.Parse(File.ReadAllText(run.File("summary.json")))!;
        Assert.That(summary["environment"]!["torchThreads"], Is.Not.Null, "summary.json records libtorch's threads");
        summary["environment"]!["torchThreads"] = 999;
        run.WriteText("summary.json", summary.ToJsonString()); // through the folder: the manifest accepts it
        var other = new Messages();
        TrainingRun.Execute(Job(data), RunFolder.At(run.Path), other, resume: true);
        Assert.That(other.Said, Has.Some.Contains("torchThreads: 999 in the run,").And.Some.Contains("another environment"));
    }
}
