namespace Hybrid.Cli.Tests;

/// <summary><c>hybrid pareto --run</c>: one command runs a study's sweep and draws its frontier (issue 24 item 4: the
/// recorded study reruns from one sweep file and one command); the frontier lands in the sweep's folder, not beside the file.</summary>
public class ParetoCommandTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-pareto-cli-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private string SweepFile()
    {
        string file = Path.Combine(_root, "files", "tiny.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, $$"""
            { "name": "tiny-frontier", "experiment": "train",
              "base": { "depth": 1, "width": 8, "epochs": 1, "trainSize": 256, "batchSize": 64, "data": "mixture" },
              "axes": { "optimizer": [ { "name": "madam" }, { "name": "lns-madam", "bits": 6 } ] },
              "seeds": 2, "out": "{{Path.Combine(_root, "sweep").Replace("\\", "\\\\")}}" }
            """);
        return file;
    }

    [Test]
    public void RunRunsTheSweepThenWritesTheFrontierIntoTheSweepFolder()
    {
        string file = SweepFile();
        var (code, output, err) = CliRun.Capture(Program.Main, ["pareto", file, "--baseline", "\"madam\"", "--run", "--threads", "1"]);
        Assert.That(code, Is.Zero, err);
        Assert.That(Directory.GetDirectories(Path.Combine(_root, "sweep", "runs")), Has.Length.EqualTo(4), "every run of the sweep ran");
        Assert.That(File.Exists(Path.Combine(_root, "sweep", "pareto", "report.md")), output);
        Assert.That(Directory.Exists(Path.Combine(_root, "files", "pareto")), Is.False, "nothing is written beside the sweep file");
        Assert.That(File.ReadAllText(Path.Combine(_root, "sweep", "pareto", "report.md")), Does.Contain("lns-madam"));

        // a second time: the frontier exists, and that is refused before any run
        var (again, _, againErr) = CliRun.Capture(Program.Main, ["pareto", file, "--baseline", "\"madam\"", "--run"]);
        Assert.That(again, Is.EqualTo(2));
        Assert.That(againErr, Does.Contain("exists"));
    }

    [Test]
    public void ThreadsWithoutRunIsRefused()
    {
        var (code, _, err) = CliRun.Capture(Program.Main, ["pareto", SweepFile(), "--baseline", "madam", "--threads", "1"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err, Does.Contain("--threads applies only with --run"));
        Assert.That(Directory.Exists(Path.Combine(_root, "sweep")), Is.False, "nothing written");
    }
}
