using System.Diagnostics;
using System.Text.Json.Nodes;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Tests;

/// <summary>Issue 22 items 3, 5, 6, 10, 12 and 13 at the run folder: every file of a run read through the one
/// regular-file reader (a damaged or forged manifest named, a special file refused rather than waited on),
/// temporary files of killed writers removed, refusals that say what is wrong, and a refused command leaving
/// no lock behind.</summary>
public class RunFileReaderTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-reader-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private sealed record Config(string Optimizer, int Epochs);

    private static TrainingJob Job(DataSet data, int epochs) => new()
    {
        Name = "reader",
        BuildModel = d => ModelFactory.Build(new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, Depth: 1, Width: 8), 1, d),
        BuildOptimizer = m => OptimizerCatalog.Create(new OptimizerSpec("madam"), m.parameters(), 1),
        Data = data,
        Epochs = epochs,
        BatchSize = 64,
        Seed = 1,
        Config = new Config("madam", epochs),
    };

    private static DataSet Data() => Synthetic.Mixture(new MixtureOptions(Train: 200, Test: 50, Dim: 8, Classes: 3), seed: 2);

    private RunFolder FolderWithOneFile(string name = "run")
    {
        var folder = new RunFolder(Path.Combine(_root, name));
        folder.WriteText(RunFolder.ConfigFile, "{\"optimizer\": \"madam\"}\n");
        return folder;
    }

    private static void MakeFifo(string path)
    {
        File.Delete(path);
        using var mk = Process.Start("mkfifo", [path]);
        mk.WaitForExit();
        Assert.That(mk.ExitCode, Is.Zero);
    }

    /// <summary>Runs <paramref name="act"/> and returns what it threw; fails if it takes over 10 s (the old reader
    /// blocked on a FIFO forever: a writer is then opened to let it go).</summary>
    private static Exception? Within10s(Action act, string? fifo = null)
    {
        var task = Task.Run(act);
        Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))).Wait();
        if (!task.IsCompleted)
        {
            if (fifo is not null) _ = Task.Run(() => { using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write); });
            Assert.Fail("the read blocked (a special file was waited on, not refused)");
        }
        return task.Exception?.InnerException;
    }

    [Test]
    public void ATooShortHashInTheManifestNamesTheManifest()
    {
        var folder = FolderWithOneFile();
        var manifest = folder.File(RunManifest.FileName);
        var doc = JsonNode.Parse(File.ReadAllText(manifest))!;
        doc["files"]![RunFolder.ConfigFile]!["sha256"] = "abc";
        File.WriteAllText(manifest, doc.ToJsonString());
        File.WriteAllText(folder.File(RunFolder.ConfigFile), "{}\n"); // so that a check would compare hashes
        var e = Assert.Throws<InvalidDataException>(() => RunFolder.At(folder.Path).Verify())!;
        Assert.That(e.Message, Does.StartWith(manifest).And.Contain("not 64 hex digits").And.Contain(RunFolder.ConfigFile));
    }

    [Test]
    public void ADuplicateKeyInTheManifestIsRefused()
    {
        var folder = FolderWithOneFile();
        var manifest = folder.File(RunManifest.FileName);
        string text = File.ReadAllText(manifest);
        var entry = JsonNode.Parse(text)!["files"]![RunFolder.ConfigFile]!.ToJsonString();
        string forged = "{\"format\": \"hybrid-manifest-1\", \"files\": {\"config.json\": {\"sha256\": \"" + new string('0', 64) +
                        "\", \"bytes\": 3}, \"config.json\": " + entry + "}}";
        File.WriteAllText(manifest, forged);
        var e = Assert.Throws<InvalidDataException>(() => RunFolder.At(folder.Path).Verify())!;
        Assert.That(e.Message, Does.StartWith(manifest).And.Contain("config.json"));
        File.WriteAllText(manifest, text.Replace("\"format\": \"hybrid-manifest-1\"",
            "\"format\": \"hybrid-manifest-1\", \"format\": \"hybrid-manifest-1\""));
        Assert.Throws<InvalidDataException>(() => RunManifest.Parse(File.ReadAllText(manifest), manifest));
    }

    [Test]
    public void AManifestWithADamagedOrMissingFieldIsRefused()
    {
        // scripts/probe-files.sh: one flipped byte turned "bytes" into "byues", and the manifest was read as valid
        var folder = FolderWithOneFile();
        var manifest = folder.File(RunManifest.FileName);
        string text = File.ReadAllText(manifest);
        foreach (var damaged in new[] { text.Replace("\"bytes\"", "\"byues\""), text.Replace("\"format\"", "\"formax\""),
                                        text.Replace("\"sha256\"", "\"sha257\"") })
        {
            Assert.That(damaged, Is.Not.EqualTo(text));
            File.WriteAllText(manifest, damaged);
            var e = Assert.Throws<InvalidDataException>(() => RunFolder.At(folder.Path).Verify())!;
            Assert.That(e.Message, Does.StartWith(manifest).And.Contain("damaged"));
        }
        File.WriteAllText(manifest, text);
        Assert.DoesNotThrow(() => RunFolder.At(folder.Path).Verify());
    }

    [TestCase(RunFolder.ConfigFile)]
    [TestCase(RunManifest.FileName)]
    [TestCase(RunFolder.CheckpointFile)]
    public void AFifoInARunFolderIsRefusedNotWaitedOn(string name)
    {
        var folder = FolderWithOneFile();
        folder.WriteBytes(RunFolder.CheckpointFile, [1, 2, 3]);
        MakeFifo(folder.File(name));
        var e = Within10s(() =>
        {
            var f = RunFolder.At(folder.Path);
            f.Verify();
            using var _ = f.OpenCheckpoint();
        }, folder.File(name));
        Assert.That(e, Is.TypeOf<InvalidDataException>());
        Assert.That(e!.Message, Does.StartWith(folder.File(name)).And.Contain("FIFO"));
    }

    [Test]
    public void ACheckpointLinkedToDevZeroIsRefused()
    {
        var folder = FolderWithOneFile();
        folder.WriteBytes(RunFolder.CheckpointFile, [1, 2, 3]);
        File.Delete(folder.File(RunFolder.CheckpointFile));
        File.CreateSymbolicLink(folder.File(RunFolder.CheckpointFile), "/dev/zero");
        var e = Within10s(() => RunFolder.At(folder.Path).Verify());
        Assert.That(e, Is.TypeOf<InvalidDataException>());
        Assert.That(e!.Message, Does.StartWith(folder.File(RunFolder.CheckpointFile)).And.Contain("character device"));
        var open = Within10s(() => RunFolder.At(folder.Path).OpenCheckpoint().Dispose());
        Assert.That(open, Is.TypeOf<InvalidDataException>());
    }

    private static int DeadPid()
    {
        using var p = Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }

    [Test]
    public void TemporaryFilesOfKilledWritersAreRemovedUnderTheLock()
    {
        var folder = FolderWithOneFile();
        int dead = DeadPid();
        string[] stale = [$".config.json.{dead}.tmp", $".checkpoint.bin.{dead}.tmp", $".manifest.json.{dead}.tmp", $".hybrid.lock.owner.{dead}.tmp"];
        string live = ".checkpoint.bin.1.tmp"; // pid 1 runs: its file is not ours to remove
        string own = $".metrics.csv.{Environment.ProcessId}.tmp";
        string user = ".notes.tmp";
        foreach (var n in stale.Append(live).Append(own).Append(user)) File.WriteAllText(folder.File(n), "partial");
        var at = RunFolder.At(folder.Path);
        using (at.Acquire())
        {
            foreach (var n in stale) Assert.That(File.Exists(folder.File(n)), Is.False, n);
            foreach (var n in new[] { live, own, user }) Assert.That(File.Exists(folder.File(n)), n);
            Assert.That(at.RemovedTemporaries, Is.EquivalentTo(stale));
        }
        Assert.That(File.Exists(folder.File(RunFolder.ConfigFile)));
    }

    [Test]
    public void AMissingOrReplacedCheckpointIsNamedNotCalledNoEpoch()
    {
        using var data = Data();
        var folder = new RunFolder(Path.Combine(_root, "gone"));
        TrainingRun.Execute(Job(data, 1), folder, SilentObserver.Instance);
        var ckpt = folder.File(RunFolder.CheckpointFile);
        File.Delete(ckpt);
        var e = Assert.Throws<InvalidDataException>(() =>
            TrainingRun.Execute(Job(data, 2), RunFolder.At(folder.Path), SilentObserver.Instance, resume: true))!;
        Assert.That(e.Message, Does.StartWith(ckpt + " is missing").And.Contain(RunManifest.FileName));
        Directory.CreateDirectory(ckpt);
        var d = Assert.Throws<InvalidDataException>(() =>
            TrainingRun.Execute(Job(data, 2), RunFolder.At(folder.Path), SilentObserver.Instance, resume: true))!;
        Assert.That(d.Message, Does.StartWith(ckpt + " is a directory"));
    }

    [Test]
    public void ALockFileReplacedByAFolderSaysSo()
    {
        var path = Path.Combine(_root, "locked");
        Directory.CreateDirectory(Path.Combine(path, RunLock.LockFile));
        var e = Assert.Throws<InvalidDataException>(() => RunFolder.At(path).Acquire())!;
        Assert.That(e.Message, Does.StartWith(Path.Combine(path, RunLock.LockFile) + " is a directory"));
    }

    [Test]
    public void ARefusedRunRemovesTheParentFoldersItsLockCreated()
    {
        // train with the default --out (runs/train-<time>) and bad data: runs/ was left behind (the probe of issue 22)
        var path = Path.Combine(_root, "runs", "deeper", "train-x");
        var folder = RunFolder.At(path);
        using (folder.Acquire()) { }
        Assert.That(Directory.Exists(Path.Combine(_root, "runs")), Is.False, "runs/ and runs/deeper/ were made by the lock and hold nothing");
        // a parent that holds something else stays, and so does everything above it
        Directory.CreateDirectory(Path.Combine(_root, "kept"));
        File.WriteAllText(Path.Combine(_root, "kept", "user.txt"), "mine");
        using (RunFolder.At(Path.Combine(_root, "kept", "new", "run")).Acquire())
            File.WriteAllText(Path.Combine(_root, "kept", "new", "beside.txt"), "written meanwhile");
        Assert.That(Directory.Exists(Path.Combine(_root, "kept", "new", "run")), Is.False);
        Assert.That(File.Exists(Path.Combine(_root, "kept", "new", "beside.txt")), "a created parent that now holds a file is kept");
        Assert.That(File.ReadAllText(Path.Combine(_root, "kept", "user.txt")), Is.EqualTo("mine"));
    }

    [Test]
    public void ALockOnAnExistingEmptyFolderLeavesItEmpty()
    {
        // train --resume <empty folder> takes the lock, is refused, and must leave the folder as it found it
        var path = Path.Combine(_root, "empty");
        Directory.CreateDirectory(path);
        var folder = RunFolder.At(path);
        using (folder.Acquire())
            Assert.Throws<InvalidOperationException>(() => folder.RequireResumable("{}"));
        Assert.That(Directory.Exists(path), "the user's folder stays");
        Assert.That(Directory.EnumerateFileSystemEntries(path), Is.Empty, "no .hybrid.lock left behind");
        // and a folder holding a run keeps its lock file (the run's files are there)
        var run = FolderWithOneFile("kept");
        using (run.Acquire()) { }
        Assert.That(File.Exists(run.File(RunLock.LockFile)));
    }

    [Test]
    public void ADamagedMetricsCsvNamesItsFolder()
    {
        var row = Path.Combine(_root, "rows", "madam", "seed-0");
        Directory.CreateDirectory(row);
        var path = Path.Combine(row, "metrics.csv");
        File.WriteAllText(path, EpochMetrics.CsvHeader + "\n1,0.5,0.8,0.6,0.7,100,1,x\n");
        var e = Assert.Throws<InvalidDataException>(() => EpochMetrics.ReadCsv(path))!;
        Assert.That(e.Message, Does.StartWith(path + " row 1, column 8"));
        MakeFifo(path);
        var f = Within10s(() => EpochMetrics.ReadCsv(path), path);
        Assert.That(f, Is.TypeOf<InvalidDataException>());
    }
}
