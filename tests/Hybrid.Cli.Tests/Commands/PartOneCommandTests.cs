using Hybrid.Cli.Commands;
using Hybrid.Experiments.Bpm;
using Hybrid.Experiments;
using Hybrid.Experiments.Margin;
using Hybrid.Experiments.Uncertainty;

namespace Hybrid.Cli.Tests;

/// <summary>margin, bpm and uncertainty: options map onto settings (defaults, --quick, overrides), and bad input
/// ends in exit code 2 before a run folder is written.</summary>
public class PartOneCommandTests
{
    [TestCase("margin"), TestCase("bpm"), TestCase("uncertainty")]
    public void CommandIsRegisteredAndHelpParses(string command)
    {
        var root = Program.BuildRoot();
        Assert.That(root.Subcommands.Select(c => c.Name), Does.Contain(command));
        Assert.That(root.Parse([command, "--help"]).Errors, Is.Empty);
    }

    [Test]
    public void MarginOptionsMapOntoSettings()
    {
        Assert.That(Read<MarginSettings>("margin").Alphas, Is.EqualTo(MarginSettings.DefaultAlphas));
        var quick = Read<MarginSettings>("margin", "--quick", "--data", "mixture");
        Assert.That(quick with { Data = "mnist" }, Is.EqualTo(MarginSettings.Quick).Using<MarginSettings>(SameJson));
        var s = Read<MarginSettings>("margin", "--data", "mixture", "--alphas", "1e-3, 0.1,10", "--average-alphas", "none", "--train-size", "64",
            "--width", "16", "--depth", "1", "--steps", "20", "--decay", "0.95", "--seeds", "3", "--seed", "7", "--no-random-labels");
        Assert.That(s.Alphas, Is.EqualTo(new[] { 1e-3, 0.1, 10 }));
        Assert.That(s.AverageAlphas, Is.Empty);
        Assert.That((s.TrainSize, s.Width, s.Depth, s.Steps, s.Decay, s.Seeds, s.Seed, s.RandomLabels), Is.EqualTo((64, 16, 1, 20, 0.95, 3, 7L, false)));
        Assert.That(s.Fit.SeedList, Is.EqualTo(new long[] { 7, 8, 9 }));
    }

    [Test]
    public void BpmAndUncertaintyOptionsMapOntoSettings()
    {
        Assert.That(Read<BpmSettings>("bpm").TrainSizes, Is.EqualTo(BpmSettings.DefaultTrainSizes));
        var s = Read<BpmSettings>("bpm", "--quick", "--data", "mixture", "--n", "20,40", "--voters", "3", "--gp-voters", "10001", "--delta", "0.05");
        Assert.That((s.NnVoters, s.GpVoters, s.Delta, s.Width, s.Steps), Is.EqualTo((3, 10001, 0.05, BpmSettings.Quick.Width, BpmSettings.Quick.Steps)));
        Assert.That(s.TrainSizes, Is.EqualTo(new[] { 20, 40 }));
        Assert.That(s.Fit.Schedule.Decay, Is.EqualTo(Math.Pow(0.99, 500.0 / s.Steps)).Within(1e-15), "default decay: the authors' final rate");
        var u = Read<UncertaintySettings>("uncertainty", "--data", "mixture", "--bins", "5");
        Assert.That(u.Bpm.TrainSizes, Is.EqualTo(new[] { 500 }));
        Assert.That(u.Bins, Is.EqualTo(5));
    }

    [TestCase("margin", "--data mixture --alphas 0,1", "--alphas 0")]
    [TestCase("margin", "--data mixture --alphas 1,x", "--alphas '1,x'")]
    [TestCase("margin", "--data mixture --train-size 20000", "--train-size 20000")]
    [TestCase("margin", "--data mixture --task parity", "--task 'parity'")]
    [TestCase("bpm", "--data mixture --n 50,20000", "--n 20000")]
    [TestCase("bpm", "--data mixture --task none", "binary task")]
    [TestCase("bpm", "--data mixture --gp-voters 0", "--gp-voters 0")]
    [TestCase("uncertainty", "--data mixture --from /nonexistent/bpm-run", "--from")]
    public void BadInputExitsWithTwoAndWritesNothing(string command, string options, string mentions)
    {
        Assert.That(() => Parse(command, options), Throws.InstanceOf<ArgumentException>().With.Message.Contains(mentions));
        var root = Directory.CreateTempSubdirectory("hybrid-cli-part1-").FullName;
        try
        {
            var outDir = Path.Combine(root, "run");
            int code = Program.Main([command, .. options.Split(' '), "--out", outDir]);
            Assert.That(code, Is.EqualTo(2));
            Assert.That(Directory.Exists(outDir), Is.False, "no run folder for rejected input");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static object Parse(string command, string options) => Read<object>(command, options.Split(' '));

    // a command line read into settings and validated, as the command's action does before anything is written
    private static T Read<T>(string command, params string[] args) where T : class
    {
        var settings = Settings.Read<T>([command, .. args]);
        ExperimentRegistry.Get(command).Validate(settings);
        return settings;
    }

    private static bool SameJson(MarginSettings a, MarginSettings b) =>
        System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b);
}
