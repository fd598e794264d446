using System.CommandLine;
using Hybrid.Cli.Commands;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;

namespace Hybrid.Cli.Tests.Commands;

/// <summary>Settings of the test-only experiment: no training, a known result.</summary>
public sealed record Tiny(int Width = 8, double Rate = 0.5, int[]? Sizes = null, bool Diverge = false)
{
    /// <summary>The sizes (default 1,2).</summary>
    public int[] SizeList => Sizes ?? [1, 2];
}

/// <summary>
/// An experiment that exists only in this test (issue 19: "a newcomer can add a toy experiment; a test does exactly
/// that"): a settings record, its options, its --quick settings, a body and a console summary; nothing else.
/// </summary>
public sealed class TinyExperiment : Experiment<Tiny, Tiny>
{
    public override string Name => "tiny";
    public override string Description => "A test-only experiment.";
    public override string ShortDescription => "test-only";
    public override Tiny Defaults => new();
    public override Tiny Quick => new(Width: 2);
    public override int? DefaultThreads => 1;

    protected override IEnumerable<SettingOption<Tiny>> DefineOptions(OptionBuilder<Tiny> options) =>
    [
        options.Width(s => s.Width, (s, v) => s with { Width = v }),
        options.Number("--rate", "A rate.", (s, v) => s with { Rate = v }, s => s.Rate),
        options.Ints("--sizes", "Sizes, comma-separated.", (s, v) => s with { Sizes = v }, s => s.SizeList),
        options.Flag("--diverge", "Report the run as diverged.", (s, v) => s with { Diverge = v }),
    ];

    public override void Validate(Tiny s)
    {
        if (s.Width < 1) throw new ArgumentException($"--width {s.Width} must be >= 1.", "width");
    }

    public override Tiny Run(Tiny s, ExperimentContext context)
    {
        context.Begin();
        context.Folder.WriteText("result.txt", $"{s.Width}\n");
        return s;
    }

    public override ExperimentOutcome Outcome(Tiny s, Tiny result, RunFolder folder) =>
        new(s.Diverge ? RunStatus.Diverged : RunStatus.Completed, "tiny", new Dictionary<string, double> { ["width"] = s.Width },
            new Dictionary<string, double>())
        {
            Summary = ConsoleSummary.Empty.Table(["width", "rate"], [[$"{result.Width}", "0.5"]], [true, true]).Note("a note"),
        };
}

/// <summary>An experiment added to a registry becomes a command with its options, runs through the host, and exits by the one rule.</summary>
[NonParallelizable]
public class ExperimentCommandTests
{
    private static readonly IReadOnlyList<IExperiment> Registry = [new TinyExperiment()];
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-cli-tiny-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) =>
        CliRun.Capture(a => Program.Run(Program.BuildRoot(Registry), a), args);

    [Test]
    public void ARegisteredExperimentIsACommandWithItsOptions()
    {
        var root = Program.BuildRoot(Registry);
        Assert.That(root.Subcommands.Select(c => c.Name), Is.EqualTo(new[] { "info", "sweep", "tiny", "pareto" }));
        var tiny = root.Subcommands.Single(c => c.Name == "tiny");
        Assert.That(tiny.Description, Is.EqualTo("A test-only experiment."));
        Assert.That(tiny.Options.Select(o => o.Name),
            Is.EqualTo(new[] { "--width", "--rate", "--sizes", "--diverge", "--out", "--resume", "--threads", "--quick" }));
        Assert.That(tiny.Options.Single(o => o.Name == "--width").Description, Is.EqualTo("Units per hidden layer (default 8; --quick 2)."));
        Assert.That(tiny.Options.Single(o => o.Name == "--sizes").Description, Does.Contain("(default 1,2)"));
        Assert.That(root.Parse(["tiny", "--help"]).Errors, Is.Empty);
        Assert.That(Program.BuildRoot().Subcommands.Select(c => c.Name), Does.Not.Contain("tiny"), "only the registry given");
    }

    [Test]
    public void TheCommandLineReadsIntoTheSettings()
    {
        var root = Program.BuildRoot(Registry);
        Assert.That(Settings.Read<Tiny>(root, "tiny"), Is.EqualTo(new Tiny()));
        Assert.That(Settings.Read<Tiny>(root, "tiny", "--quick"), Is.EqualTo(new Tiny(Width: 2)));
        var s = Settings.Read<Tiny>(root, "tiny", "--quick", "--width", "5", "--rate", "0.25", "--sizes", "3, 4", "--diverge");
        Assert.That((s.Width, s.Rate, s.SizeList, s.Diverge), Is.EqualTo((5, 0.25, new[] { 3, 4 }, true)));
        Assert.That(() => Settings.Read<Tiny>(root, "tiny", "--sizes", "3,,4"), Throws.ArgumentException.With.Message.Contains("entry 2 is empty"));
    }

    [Test]
    public void ItRunsThroughTheHostAndPrintsItsSummaryAsMarkdownWhenPiped()
    {
        var folder = Path.Combine(_root, "run");
        var (code, output, err) = Run("tiny", "--width", "3", "--out", folder);
        Assert.That(code, Is.EqualTo(ExitCodes.Completed), err);
        Assert.That(File.ReadAllText(Path.Combine(folder, "result.txt")), Is.EqualTo("3\n"));
        Assert.That(File.Exists(Path.Combine(folder, RunFolder.ConfigFile)), "the host recorded the settings");
        Assert.That(output, Does.Contain("| width | rate |\n|---:|---:|\n| 3 | 0.5 |\n").And.Contain("a note"));
        Assert.That(output, Does.Not.Contain("╭"), "no box drawing in a pipe");

        // the same settings resume; other settings are refused naming the field
        Assert.That(Run("tiny", "--width", "3", "--resume", folder).Code, Is.EqualTo(ExitCodes.Completed));
        var (code2, _, err2) = Run("tiny", "--width", "4", "--resume", folder);
        Assert.That(code2, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(err2, Does.StartWith("error: ").And.Contain("width"));
    }

    [Test]
    public void ADivergedRunExitsWithTheDivergedCode()
    {
        var (code, _, err) = Run("tiny", "--diverge", "--out", Path.Combine(_root, "d"));
        Assert.That(code, Is.EqualTo(ExitCodes.Diverged), err);
    }

    [TestCase("--width", "0", "--width 0 must be >= 1")]
    [TestCase("--width", "x", "--width 'x' is not an integer")]
    [TestCase("--threads", "-1", "--threads -1 must be >= 0")]
    [TestCase("--sizes", "1,x", "--sizes '1,x' must be comma-separated integers")]
    public void BadInputIsOneLineExitTwoAndNoFolder(string option, string value, string expected)
    {
        var folder = Path.Combine(_root, "bad");
        var (code, _, err) = Run("tiny", option, value, "--out", folder);
        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(err.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.StartWith("error: ").And.Contain(expected).And.Not.Contain("Exception"));
        Assert.That(Directory.Exists(folder), Is.False, "nothing written");
    }
}
