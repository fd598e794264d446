using System.Buffers.Binary;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests;

/// <summary>Every run folder gets TensorBoard event files; read back here record by record (TFRecord framing,
/// TensorBoard's Event protobuf as TorchSharp ships it).</summary>
public class TensorBoardTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-tensorboard-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private static List<Tensorboard.Event> ReadEvents(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var events = new List<Tensorboard.Event>();
        for (int at = 0; at < bytes.Length;)
        {
            // uint64 length, uint32 masked CRC of the length, the record, uint32 masked CRC of the record
            long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            events.Add(Tensorboard.Event.Parser.ParseFrom(bytes, at + 12, (int)length));
            at += 12 + (int)length + 4;
        }
        return events;
    }

    [Test]
    public void AnLnsRunLogsScalarsPerEpochAndCodeHistogramsPerLayer()
    {
        using var data = Synthetic.Mixture(new MixtureOptions(Train: 200, Test: 100, Dim: 8, Classes: 3), seed: 2);
        var spec = new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 1, Width: 16);
        var lns = new OptimizerSpec("lns-madam", Bits: 6);
        var job = new TrainingJob
        {
            Name = "tb", Data = data, Epochs = 2, BatchSize = 50, Seed = 1, Config = new { lns },
            BuildModel = d => OptimizerCatalog.PrepareModel(lns, ModelFactory.Build(spec, 1, d)),
            BuildOptimizer = m => OptimizerCatalog.Create(lns, m, 1),
        };
        var folder = new RunFolder(Path.Combine(_root, "run"));
        var result = TrainingRun.Execute(job, folder, SilentObserver.Instance);
        var files = Directory.GetFiles(folder.File(TensorBoardLog.Folder), "events.out.tfevents.*");
        Assert.That(files, Has.Length.EqualTo(1));
        var values = ReadEvents(files[0]).Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v))).ToList();
        var testAcc = values.Where(x => x.v.Tag == "accuracy/test").ToList();
        Assert.That(testAcc.Select(x => x.Step), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(testAcc.Select(x => (double)x.v.SimpleValue), Is.EqualTo(result.Epochs.Select(e => (double)(float)e.TestAccuracy)));
        Assert.That(values.Select(x => x.v.Tag), Is.SupersetOf(new[] { "loss/train", "loss/test", "accuracy/train", "learning_rate" }));
        var histograms = values.Where(x => x.v.Tag.StartsWith("codes/", StringComparison.Ordinal)).ToList();
        Assert.That(histograms.Select(x => x.v.Tag).Distinct().Count(), Is.EqualTo(2), "one histogram per synapse layer");
        Assert.That(histograms.All(x => x.v.Histo.Num == 16 * 8 || x.v.Histo.Num == 3 * 16), "every synapse counted");
    }
}
