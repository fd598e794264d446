using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests;

/// <summary>Issue 15 items 5 and 6 at the run folder: checksums verified on resume naming the file, resume refusing
/// what it should, and every refusal leaving the folder as it was.</summary>
public class RunFolderIntegrityTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-integrity-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private sealed record Config(string Optimizer, int Epochs, int Width);

    private static TrainingJob Job(DataSet data, int epochs, int width = 16) => new()
    {
        Name = "integrity",
        BuildModel = d => ModelFactory.Build(new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 1, Width: width), 1, d),
        BuildOptimizer = m => OptimizerCatalog.Create(new OptimizerSpec("madam"), m.parameters(), 1),
        Data = data,
        Epochs = epochs,
        BatchSize = 64,
        Seed = 1,
        Config = new Config("madam", epochs, width),
    };

    private static DataSet Data() => Synthetic.Mixture(new MixtureOptions(Train: 300, Test: 100, Dim: 8, Classes: 3), seed: 2);

    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

    [Test]
    public void AFlippedBitInACheckpointIsNamedOnResume()
    {
        using var data = Data();
        var folder = new RunFolder(Path.Combine(_root, "flip"));
        TrainingRun.Execute(Job(data, 1), folder, SilentObserver.Instance);
        Assert.That(folder.Manifest.Files.Keys, Is.SupersetOf(new[] { "checkpoint.bin", "config.json", "metrics.csv", "summary.json" }));
        var path = folder.File(RunFolder.CheckpointFile);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var before = Snapshot(folder.Path);
        var e = Assert.Throws<InvalidDataException>(() => TrainingRun.Execute(Job(data, 2), folder, SilentObserver.Instance, resume: true))!;
        Assert.That(e.Message, Does.StartWith(path + " fails its checksum"));
        Assert.That(Snapshot(folder.Path), Is.EqualTo(before), "a refused resume changes nothing");
    }

    [Test]
    public void AResumeWithOtherSettingsNamesThemAndChangesNothing()
    {
        using var data = Data();
        var folder = new RunFolder(Path.Combine(_root, "diff"));
        TrainingRun.Execute(Job(data, 1), folder, SilentObserver.Instance);
        var before = Snapshot(folder.Path);
        var e = Assert.Throws<InvalidOperationException>(() => TrainingRun.Execute(Job(data, 2, width: 32), folder, SilentObserver.Instance, resume: true))!;
        Assert.That(e.Message, Does.Contain("width: 16 in the run, 32 in this command").And.Contain("only --epochs may change"));
        Assert.That(Snapshot(folder.Path), Is.EqualTo(before));
    }

    [Test]
    public void AKillBetweenAnyTwoStepsOfAWriteStillVerifies()
    {
        // the states a kill -9 can leave: manifest pending with the old file, or pending with the new one
        var folder = new RunFolder(Path.Combine(_root, "kill"));
        folder.WriteText("metrics.csv", "old");
        string newHash = RunManifest.Hash("new"u8);
        folder.Manifest.GetType().GetMethod("Pending", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .Invoke(folder.Manifest, ["metrics.csv", newHash]);
        var reread = RunFolder.At(folder.Path);
        Assert.DoesNotThrow(() => reread.Manifest.Check("metrics.csv"), "killed before the rename: the old file");
        File.WriteAllText(folder.File("metrics.csv"), "new");
        Assert.DoesNotThrow(() => RunFolder.At(folder.Path).Manifest.Check("metrics.csv"), "killed after the rename: the new file");
        File.WriteAllText(folder.File("metrics.csv"), "neither");
        Assert.Throws<InvalidDataException>(() => RunFolder.At(folder.Path).Manifest.Check("metrics.csv"));
    }

    private static CompareSettings Small() => new([8], Depth: 1, Width: 8, Epochs: 1, BatchSize: 64, Data: "mixture", IncludeMadam: false);

    private static IReadOnlyList<CompareRow> RunCompare(CompareSettings s, RunFolder f, bool resume = false) =>
        ExperimentHost.Run(new CompareExperiment(), s, f, resume).Result!.Rows;

    [Test]
    public void CompareResumeRefusesAFolderWithoutItsConfigOrWithDamagedRows()
    {
        var empty = new RunFolder(Path.Combine(_root, "empty"));
        var e = Assert.Throws<InvalidOperationException>(() => RunCompare(Small(), empty, resume: true))!;
        Assert.That(e.Message, Does.Contain("holds no run (config.json is missing)"));
        Assert.That(Directory.GetFileSystemEntries(empty.Path), Is.Empty, "nothing written");

        var folder = new RunFolder(Path.Combine(_root, "cmp"));
        RunCompare(Small(), folder);
        var row = Path.Combine(folder.Path, "rows", "lns-08", "seed-0", UnitStore.File); // each (row, seed) is a unit in its own folder
        File.WriteAllText(row, "{ junk");
        var before = Snapshot(folder.Path);
        var bad = Assert.Throws<InvalidDataException>(() => RunCompare(Small(), folder, resume: true))!;
        Assert.That(bad.Message, Does.StartWith(row + " fails its checksum"));
        Assert.That(Snapshot(folder.Path), Is.EqualTo(before));

        File.WriteAllText(folder.File("config.json"), "");
        var cfg = Assert.Throws<InvalidDataException>(() => RunCompare(Small(), folder, resume: true))!;
        Assert.That(cfg.Message, Does.StartWith(folder.File("config.json")));
    }

    [Test]
    public void CompareResumeVerifiesEveryFileOfAFinishedRow()
    {
        // scripts/probe-files.sh: a finished row was read by its unit.json alone. Its manifest gone, unit.json was read
        // unchecked; a damaged checkpoint.bin, config.json or metrics.csv passed (the damaged metrics.csv drawn into
        // learning-curves.png), and a truncated metrics.csv was refused only after summary.json had been rewritten.
        var folder = new RunFolder(Path.Combine(_root, "rows"));
        RunCompare(Small(), folder);
        var row = Path.Combine(folder.Path, "rows", "lns-08", "seed-0");
        var pristine = Snapshot(folder.Path);
        foreach (var (name, damage) in new (string, Action<string>)[]
                 {
                     (RunManifest.FileName, File.Delete),
                     (RunFolder.CheckpointFile, p => File.WriteAllBytes(p, File.ReadAllBytes(p)[..100])),
                     (RunFolder.ConfigFile, p => File.WriteAllText(p, "")),
                     ("metrics.csv", File.Delete),
                     ("metrics.csv", p => File.WriteAllText(p, File.ReadAllText(p)[..100])),
                 })
        {
            var path = Path.Combine(row, name);
            damage(path);
            var before = Snapshot(folder.Path);
            var e = Assert.Throws<InvalidDataException>(() => RunCompare(Small(), folder, resume: true), name)!;
            Assert.That(e.Message, Does.StartWith(path), name);
            Assert.That(Snapshot(folder.Path), Is.EqualTo(before), $"{name}: nothing written");
            foreach (var (f, bytes) in pristine) File.WriteAllBytes(f, bytes);
        }
        Assert.DoesNotThrow(() => RunCompare(Small(), folder, resume: true), "the restored folder resumes");
    }

    [Test]
    public void ABadDataFolderLeavesNoConfigThatBlocksTheCorrectedCommand()
    {
        var folder = new RunFolder(Path.Combine(_root, "bad-data"));
        Assert.That(() => RunCompare(Small() with { Data = Path.Combine(_root, "no-such-data") }, folder), Throws.Exception);
        Assert.That(folder.Has("config.json"), Is.False);
        Assert.That(RunCompare(Small(), folder), Has.Count.EqualTo(2), "the corrected command runs");
        var resumed = Assert.Throws<InvalidOperationException>(() => RunCompare(Small() with { Width = 9 }, folder, resume: true))!;
        Assert.That(resumed.Message, Does.Contain("width: 8 in the run, 9 in this command"));
    }
}
