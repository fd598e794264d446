using System.Text.Json;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Train;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests;

/// <summary>
/// <c>hybrid train --optimizer lns-madam</c> and <c>hybrid compare</c> give bit-identical synapse codes
/// for the same seed whichever backend runs them (native-cuda joins where a GPU is present).
/// </summary>
public class BackendIdentityTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-backends-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private static IEnumerable<string> Backends() => SynapseBackends.Available.Select(b => b.Name);

    /// <summary>The codes of every LNS layer in a run folder's checkpoint.</summary>
    private static byte[] Codes(string folder, OptimizerSpec optimizer, ModelSpec spec)
    {
        using var model = OptimizerCatalog.PrepareModel(optimizer, ModelFactory.Build(spec, 0));
        Trainer.LoadWeights(new RunFolder(folder), model);
        return model.modules().OfType<LnsLinear>().SelectMany(l => l.Synapses.Codes8.ToArray()).ToArray();
    }

    [Test]
    public void TrainGivesTheSameCodesOnEveryBackend()
    {
        Assert.That(Backends(), Is.SupersetOf(new[] { "managed", "managed-simd", "native-cpu" }));
        var codes = new Dictionary<string, byte[]>();
        foreach (var backend in Backends())
        {
            var s = new TrainSettings(Depth: 1, Width: 16, Optimizer: new OptimizerSpec("lns-madam", Backend: backend,
                C2cNoise: 0.1, StuckFraction: 0.05), Epochs: 1, BatchSize: 64, Data: "mixture", TrainSize: 2000);
            var (job, _) = s.BuildJob();
            using var data = job.Data;
            var folder = Path.Combine(_root, "train-" + backend);
            TrainingRun.Execute(job, new RunFolder(folder), SilentObserver.Instance);
            codes[backend] = Codes(folder, s.Optimizer, new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, 1, 16));
        }
        foreach (var (backend, c) in codes)
            Assert.That(c, Is.EqualTo(codes["managed"]), $"{backend} vs managed");
    }

    [Test]
    public void CompareGivesTheSameRowsAndCodesOnEveryBackend()
    {
        var rows = new Dictionary<string, CompareRow>();
        var codes = new Dictionary<string, byte[]>();
        foreach (var backend in Backends())
        {
            var s = new CompareSettings([8], Depth: 1, Width: 16, Epochs: 1, BatchSize: 64, Data: "mixture", Backend: backend,
                IncludeAdam: false, IncludeMadam: false, TrainSize: 2000);
            var folder = new RunFolder(Path.Combine(_root, "compare-" + backend));
            var row = ExperimentHost.Run(new CompareExperiment(), s, folder, false).Result!.Rows.Single();
            rows[backend] = row;
            var rowFolder = Path.Combine(folder.Path, row.RunFolder);
            codes[backend] = Codes(rowFolder, s.LnsSpec(8), ModelOf(rowFolder));
        }
        foreach (var backend in rows.Keys)
        {
            Assert.That((rows[backend].TestAccuracy, rows[backend].FinalTrainLoss, rows[backend].CodesChangedPerStep),
                Is.EqualTo((rows["managed"].TestAccuracy, rows["managed"].FinalTrainLoss, rows["managed"].CodesChangedPerStep)), backend);
            Assert.That(codes[backend], Is.EqualTo(codes["managed"]), $"{backend} vs managed");
        }
    }

    // each row's config.json records its model spec
    private static ModelSpec ModelOf(string rowFolder)
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(rowFolder, "config.json")))!;
        return config["model"].Deserialize<ModelSpec>(RunFolder.Json)!;
    }
}
