using Hybrid.Cli.Commands;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Cli.Tests;

/// <summary><c>hybrid sweep</c>'s subcommands: options into requests, and bad input as one line on stderr, exit 2, nothing written.</summary>
public class SweepOptionsTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-sweep-cli-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [TestCase("plan"), TestCase("run"), TestCase("status"), TestCase("merge"), TestCase("slurm")]
    public void EverySubcommandIsThereAndParsesItsHelp(string verb)
    {
        Assert.That(Program.BuildRoot().Subcommands.Single(c => c.Name == "sweep").Subcommands.Select(c => c.Name), Does.Contain(verb));
        Assert.That(Program.BuildRoot().Parse(["sweep", verb, "--help"]).Errors, Is.Empty);
    }

    [Test]
    public void RunReadsItsOptions()
    {
        Assert.That(Settings.Read<SweepRunRequest>("sweep", "run", "s.json"), Is.EqualTo(new SweepRunRequest("s.json", null, null, null, null, false)));
        Assert.That(Settings.Read<SweepRunRequest>("sweep", "run", "s.json", "--shard", "1/4", "--out", "o", "--threads", "2", "--steal"),
            Is.EqualTo(new SweepRunRequest("s.json", "o", "1/4", null, 2, true)));
        Assert.That(Settings.Read<SweepRunRequest>("sweep", "run", "s.json", "--shards", "8").Shards, Is.EqualTo(8));
    }

    [Test]
    public void SlurmReadsItsOptions()
    {
        var r = Settings.Read<SweepSlurmRequest>("sweep", "slurm", "s.json", "--array", "4", "--partition", "gpu", "--time", "1:00:00",
            "--cpus", "2", "--gpus", "1", "--mem", "8G", "--submit", "--steal");
        Assert.That(r, Is.EqualTo(new SweepSlurmRequest("s.json", null, new SlurmOptions(4, "gpu", "1:00:00", 2, 1, "8G", null, true), null, true)));
        Assert.That(Assert.Throws<ArgumentException>(() => Settings.Read<SweepSlurmRequest>("sweep", "slurm", "s.json"))!.Message, Does.Contain("--array"));
    }

    [Test]
    public void PlanStatusAndMergeReadTheirOptions()
    {
        Assert.That(Settings.Read<SweepPlanRequest>("sweep", "plan", "s.json", "--shards", "3"), Is.EqualTo(new SweepPlanRequest("s.json", null, 3)));
        Assert.That(Settings.Read<SweepStatusRequest>("sweep", "status", "s.json", "--runs"), Is.EqualTo(new SweepStatusRequest("s.json", null, true)));
        Assert.That(Settings.Read<SweepMergeRequest>("sweep", "merge", "s.json", "--out", "o"), Is.EqualTo(new SweepMergeRequest("s.json", "o")));
        Assert.That(Assert.Throws<ArgumentException>(() => Settings.Read<SweepMergeRequest>("sweep", "merge"))!.Message, Does.Contain("Required argument missing"));
    }

    private static (int Code, string Error) Invoke(params string[] args) => CliRun.Capture(Program.Main, args) is var (code, _, error) ? (code, error) : default;

    private string Sweep(string json)
    {
        var path = Path.Combine(_root, "sweep.json");
        File.WriteAllText(path, json);
        return path;
    }

    [TestCase("run", "{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"widht\": [1] } }", "axis 'widht': the settings have no field 'widht'")]
    [TestCase("run", "{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"width\": [] } }", "axis 'width' is empty")]
    [TestCase("plan", "{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"width\": [\"wide\"] } }", "wide is not an integer")]
    [TestCase("merge", "{ \"name\": \"x\", \"experiment\": \"fit\" }", "unknown experiment 'fit'")]
    [TestCase("slurm", "{ \"name\": \"x\", \"experiment\": \"train\", \"seeds\": -1 }", "'seeds' must be a count")]
    public void ABadSweepFileIsOneLineOnStderrAndExitTwo(string verb, string json, string message)
    {
        var file = Sweep(json);
        var outFolder = Path.Combine(_root, "out");
        string[] args = verb == "slurm" ? ["sweep", verb, file, "--out", outFolder, "--array", "2"] : ["sweep", verb, file, "--out", outFolder];
        var (code, error) = Invoke(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("error: ").And.Contain(message));
        Assert.That(Directory.Exists(outFolder), Is.False, "nothing was written");
    }

    [TestCase("plan"), TestCase("run"), TestCase("status"), TestCase("merge")]
    public void ATenMillionRunGridIsOneLineAndExitTwoAtOnce(string verb)
    {
        // issue 22 item 9: `sweep plan` of this grid used to pass 2 GB and print nothing for 60 s
        string ten = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
        var file = Sweep($$"""
            { "name": "big", "experiment": "train",
              "axes": { "width": {{ten}}, "depth": {{ten}}, "epochs": {{ten}}, "batchSize": {{ten}}, "seed": {{ten}},
                        "optimizer.lr": [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01], "trainSize": [100, 101, 102, 103, 104, 105, 106, 107, 108, 109] } }
            """);
        var outFolder = Path.Combine(_root, "out");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, error) = Invoke("sweep", verb, file, "--out", outFolder);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("error: sweep file " + file).And.Contain("10,000,000 runs").And.Contain("limit of 100,000 runs"));
        Assert.That(Directory.Exists(outFolder), Is.False, "nothing was written");
    }

    [TestCase("5/4", "shard 5 does not exist")]
    [TestCase("x", "must be i/n")]
    public void ABadShardIsRefusedBeforeAnythingRuns(string shard, string message)
    {
        var file = Sweep("{ \"name\": \"x\", \"experiment\": \"train\", \"base\": { \"epochs\": 1, \"data\": \"mixture\" } }");
        var outFolder = Path.Combine(_root, "out");
        var (code, error) = Invoke("sweep", "run", file, "--out", outFolder, "--shard", shard);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
        Assert.That(Directory.Exists(outFolder), Is.False);
    }

    [Test]
    public void SlurmWritesTheScriptWithoutSubmitting()
    {
        var file = Sweep("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"depth\": [1, 2] } }");
        var outFolder = Path.Combine(_root, "out");
        var (code, error) = Invoke("sweep", "slurm", file, "--out", outFolder, "--array", "2", "--hybrid", "/opt/hybrid");
        Assert.That((code, error), Is.EqualTo((0, "")));
        var script = File.ReadAllText(Path.Combine(outFolder, "x.sbatch"));
        Assert.That(script, Does.Contain("#SBATCH --array=0-1").And.Contain($"exec /opt/hybrid sweep run {file} --out {outFolder}"));
        Assert.That(File.Exists(Path.Combine(outFolder, "plan.json")));
    }
}
