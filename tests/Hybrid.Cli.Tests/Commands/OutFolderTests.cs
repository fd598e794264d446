namespace Hybrid.Cli.Tests;

/// <summary>
/// Issue 22 item 11 through the real command line: an <c>--out</c> folder that holds the user's own files, or another
/// sweep, is refused in one line (exit 2) before anything is written — the user's files stay byte for byte and no lock
/// file is left — while a new or empty folder, and a sweep's own folder, are used as before.
/// </summary>
[NonParallelizable]
public class OutFolderTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-cli-out-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRun.Capture(Program.Main, args);

    private static readonly string[] TinyTrain = ["--data", "mixture", "--train-size", "200", "--epochs", "1", "--width", "8"];

    private static readonly string[] TinyCompare = ["--data", "mixture", "--train-size", "200", "--epochs", "1", "--width", "8", "--bits", "8"];

    /// <summary>A folder holding one file of the user's; its listing before the command.</summary>
    private string UserFolder(string name, string file)
    {
        var folder = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, file))!);
        File.WriteAllText(Path.Combine(folder, file), "the user's own\n");
        return folder;
    }

    private static string[] Listing(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).Order().ToArray();

    private static void RefusedUntouched(string folder, string file, (int Code, string Out, string Err) r, params string[] message)
    {
        var before = new[] { file }.Concat(Path.GetDirectoryName(file) is { Length: > 0 } d ? [d] : Array.Empty<string>()).Order().ToArray();
        Assert.That(r.Code, Is.EqualTo(2), r.Err);
        Assert.That(r.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), r.Err);
        Assert.That(r.Err, Does.StartWith("error: "));
        foreach (var m in message) Assert.That(r.Err, Does.Contain(m));
        Assert.That(File.ReadAllText(Path.Combine(folder, file)), Is.EqualTo("the user's own\n"), "the user's file is untouched");
        Assert.That(Listing(folder), Is.EqualTo(before), "nothing written, no lock file left");
    }

    [TestCase("config.json"), TestCase("metrics.csv"), TestCase("summary.json"), TestCase("learning-curve.png"), TestCase("notes.txt")]
    public void TrainRefusesAFolderOfTheUsersFiles(string file)
    {
        var folder = UserFolder("train", file);
        RefusedUntouched(folder, file, Run(["train", .. TinyTrain, "--out", folder]), $"--out {folder} is not empty ({file})", "choose another --out");
    }

    [TestCase("report.md"), TestCase("results.csv"), TestCase("summary.csv")]
    public void CompareRefusesAFolderOfTheUsersFiles(string file)
    {
        var folder = UserFolder("compare", file);
        RefusedUntouched(folder, file, Run(["compare", .. TinyCompare, "--out", folder]), $"--out {folder} is not empty ({file})");
    }

    [Test]
    public void ANewOrEmptyFolderIsUsedAndAFinishedRunSaysResume()
    {
        var folder = Path.Combine(_root, "empty");
        Directory.CreateDirectory(folder);
        var (code, _, err) = Run(["train", .. TinyTrain, "--out", folder]);
        Assert.That(code, Is.Zero, err);
        (code, _, err) = Run(["train", .. TinyTrain, "--out", folder]);
        Assert.That((code, err), Is.EqualTo((2, $"error: {folder} already holds a train run; use --resume to continue it or choose another --out.\n")));
    }

    private string Sweep(string name, double lr)
    {
        var path = Path.Combine(_root, $"{name}.json");
        File.WriteAllText(path, $$"""
            { "name": "{{name}}", "experiment": "train",
              "base": { "depth": 1, "width": 4, "epochs": 1, "batchSize": 100, "data": "mixture", "trainSize": 200, "device": "cpu" },
              "axes": { "optimizer.lr": [{{lr}}] } }
            """);
        return path;
    }

    [TestCase("run", "sweep.json"), TestCase("run", "plan.json"), TestCase("run", "merged/report.md"), TestCase("merge", "merged/report.md"),
     TestCase("run", "notes.txt")]
    public void ASweepRefusesAFolderOfTheUsersFiles(string verb, string file)
    {
        var folder = UserFolder("sweep", file);
        var r = Run("sweep", verb, Sweep("a", 0.01), "--out", folder);
        if (file == "plan.json") RefusedUntouched(folder, file, r, $"{folder}/plan.json is not a sweep plan");
        else RefusedUntouched(folder, file, r, $"the sweep folder {folder} is not empty", "holds no sweep");
    }

    [Test]
    public void SweepBIntoSweepAsFolderIsRefusedAndAKeepsItsFiles()
    {
        var folder = Path.Combine(_root, "shared");
        var a = Sweep("a", 0.01);
        var (code, _, err) = Run("sweep", "run", a, "--out", folder);
        Assert.That(code, Is.Zero, err);
        var sweepJson = File.ReadAllText(Path.Combine(folder, "sweep.json"));
        var planJson = File.ReadAllText(Path.Combine(folder, "plan.json"));
        var runs = Directory.GetDirectories(Path.Combine(folder, "runs"));
        foreach (var verb in new[] { "run", "merge" })
        {
            (code, _, err) = Run("sweep", verb, Sweep("b", 0.003), "--out", folder);
            Assert.That(code, Is.EqualTo(2), verb);
            Assert.That(err, Does.StartWith($"error: the sweep folder {folder} holds another sweep (sweep 'a' of train, 1 runs; this is sweep 'b'"), verb);
        }
        Assert.That(File.ReadAllText(Path.Combine(folder, "sweep.json")), Is.EqualTo(sweepJson));
        Assert.That(File.ReadAllText(Path.Combine(folder, "plan.json")), Is.EqualTo(planJson));
        Assert.That(Directory.GetDirectories(Path.Combine(folder, "runs")), Is.EqualTo(runs), "no run of b mixed in");
        Assert.That(Directory.Exists(Path.Combine(folder, "merged")), Is.False);
        // the same sweep again is its own folder: it finds its run finished and merges it
        (code, var output, err) = Run("sweep", "run", a, "--out", folder);
        Assert.That((code, err), Is.EqualTo((0, "")));
        Assert.That(output, Does.Contain("skipped 1 already finished"));
        (code, _, err) = Run("sweep", "merge", a, "--out", folder);
        Assert.That((code, err), Is.EqualTo((0, "")));
    }
}
