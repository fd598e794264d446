using Hybrid.Experiments.Runs;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;

namespace Hybrid.Experiments.Tests;

/// <summary>A training job as a run folder: the files it writes, atomically, and what a diverged run records.</summary>
public class RunFolderTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-runfolder-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private sealed record Config(string Optimizer, int Epochs);

    private static TrainingJob Job(DataSet data, string optimizer, int epochs, Action<int, long, torch.optim.Optimizer>? afterStep = null)
    {
        var spec = new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 1, Width: 16);
        torch.optim.Optimizer? opt = null;
        return new TrainingJob
        {
            Name = "folder test",
            BuildModel = d => ModelFactory.Build(spec, 1, d),
            BuildOptimizer = m => opt = OptimizerCatalog.Create(new OptimizerSpec(optimizer), m.parameters(), 1),
            Data = data,
            Epochs = epochs,
            BatchSize = 64,
            Seed = 1,
            Config = new Config(optimizer, epochs),
            AfterStep = afterStep is null ? null : (e, b) => afterStep(e, b, opt!),
        };
    }

    private static DataSet Data() => Synthetic.Mixture(new MixtureOptions(Train: 300, Test: 100, Dim: 8, Classes: 3), seed: 2);

    [Test]
    public void WritesTheRunFolder()
    {
        using var data = Data();
        var folder = new RunFolder(Path.Combine(_root, "files"));
        TrainingRun.Execute(Job(data, "madam", 2), folder, SilentObserver.Instance);
        foreach (var f in new[] { "config.json", "metrics.csv", "summary.json", "learning-curve.png", "checkpoint.bin" })
            Assert.That(folder.Has(f), f);
        Assert.That(File.ReadAllBytes(folder.File("learning-curve.png")).Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
        Assert.That(Directory.GetFiles(folder.Path, "*.tmp"), Is.Empty, "no temporary files left");
        Assert.That(File.ReadAllText(folder.File("summary.json")), Does.Contain("\"environment\""));
        Assert.That(EpochMetrics.ParseCsv(File.ReadAllText(folder.File("metrics.csv"))), Has.Count.EqualTo(2));
    }

    [Test]
    public void ARefusedRunChangesNothingInTheFolder()
    {
        using var data = Data();
        var folder = new RunFolder(Path.Combine(_root, "refused"));
        TrainingRun.Execute(Job(data, "madam", 1), folder, SilentObserver.Instance);
        var before = Directory.GetFiles(folder.Path).ToDictionary(f => f, File.ReadAllBytes);
        Assert.Throws<InvalidOperationException>(() => TrainingRun.Execute(Job(data, "nero", 1), folder, SilentObserver.Instance));
        Assert.Throws<InvalidOperationException>(() => TrainingRun.Execute(Job(data, "nero", 2), folder, SilentObserver.Instance, resume: true));
        Assert.That(Directory.GetFiles(folder.Path).ToDictionary(f => f, File.ReadAllBytes), Is.EqualTo(before));
    }

    [Test]
    public void ADivergedRunSaysSoInItsSummary()
    {
        using var data = Data();
        var folder = new RunFolder(Path.Combine(_root, "nan"));
        var job = Job(data, "sgd", 3, (epoch, _, opt) =>
        {
            if (epoch == 2) opt.ParamGroups.First().LearningRate = 1e30;
        });
        var result = TrainingRun.Execute(job, folder, SilentObserver.Instance);
        Assert.That(result.Status, Is.EqualTo(RunStatus.Diverged));
        Assert.That(File.ReadAllText(folder.File("summary.json")), Does.Contain("\"status\": \"diverged\""));
    }

    [Test]
    public void AtomicWriteKeepsTheOldFileWhenWritingFails()
    {
        var folder = new RunFolder(Path.Combine(_root, "atomic"));
        folder.WriteText("x.txt", "old");
        Assert.Throws<IOException>(() => folder.Write("x.txt", s =>
        {
            s.Write("new, half"u8);
            throw new IOException("disk full");
        }));
        Assert.That(File.ReadAllText(folder.File("x.txt")), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(folder.Path, "*.tmp"), Is.Empty);
    }

    [Test]
    public void AFullDiskNamesTheFileNotItsTemporaryName()
    {
        var folder = new RunFolder(Path.Combine(_root, "full"));
        folder.WriteText("config.json", "{}");
        // what .NET throws when the disk fills: the message names the path being written, here the temporary one
        var e = Assert.Throws<IOException>(() => folder.Write("config.json", s =>
            throw new IOException($"No space left on device : '{((FileStream)s).Name}'")))!;
        Assert.That(e.Message, Is.EqualTo($"could not write {folder.File("config.json")}: No space left on device"));
        Assert.That(e.Message, Does.Not.Contain(".tmp"));
        Assert.That(File.ReadAllText(folder.File("config.json")), Is.EqualTo("{}"), "the old file stays");
        Assert.That(Directory.GetFiles(folder.Path, "*.tmp"), Is.Empty);
    }

    [Test]
    public void AFullDiskWhileTheManifestIsSavedNamesTheManifestNotItsTemporaryName()
    {
        if (!File.Exists("/dev/full")) Assert.Ignore("needs /dev/full (Linux) to make a write fail with ENOSPC");
        var folder = new RunFolder(Path.Combine(_root, "manifest-full"));
        folder.WriteText("config.json", "{}");
        // the manifest's temporary name made a link to /dev/full: its save meets a real ENOSPC, as on a full disk
        var tmp = folder.File($".manifest.json.{Environment.ProcessId}.tmp");
        File.CreateSymbolicLink(tmp, "/dev/full");
        var e = Assert.Throws<IOException>(() => folder.WriteText("summary.json", "{}"))!;
        Assert.That(e.Message, Does.StartWith($"could not write {folder.File("manifest.json")}: "));
        Assert.That(e.Message, Does.Not.Contain(".tmp"));
    }
}
