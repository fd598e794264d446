using Hybrid.Experiments.Runs;

namespace Hybrid.Cli.Tests;

/// <summary>Issue 15 items 3, 4, 6, 8 and 9 through the real command line: one line on stderr, exit code 2,
/// nothing written — for a held folder, hostile data, wrong resumes, sizes and rates that cannot work.</summary>
[NonParallelizable]
public class ErrorPathTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-cli-errors-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRun.Capture(Program.Main, args);

    [Test]
    public void TheMarginAttackRunsAndRefusesBadValuesAndAUsedFolder()
    {
        var (code, _, err) = Run("margin-attack", "--alphas", "1,0");
        OneLineError(code, err, "--alphas");
        var folder = Path.Combine(_root, "attack");
        string[] tiny = ["margin-attack", "--alphas", "1", "--clean", "10", "--random", "30", "--test-size", "100", "--steps", "5",
            "--width", "8", "--depth", "2", "--seeds", "2", "--data", "mixture", "--out", folder];
        var (ok, output, okErr) = Run(tiny);
        Assert.That(ok, Is.Zero, okErr);
        Assert.That(output, Does.Contain("clean twin test %"));
        foreach (var f in new[] { "config.json", "results.csv", "report.md", "plot.png" }) Assert.That(File.Exists(Path.Combine(folder, f)), f);
        (code, _, err) = Run(tiny);
        OneLineError(code, err, "already holds a margin-attack run; use --resume");
    }

    [Test]
    public void ASweepFolderThatCannotBeWrittenIsNamedAndNoParameterSuffixLeaks()
    {
        if (!Directory.Exists("/proc/self")) Assert.Ignore("no /proc here: the unwritable folder this test needs");
        string sweep = Path.Combine(FolderGraph.RepositoryRoot(), "docs", "sweeps", "quick.json");
        var (code, _, err) = Run("sweep", "run", sweep, "--out", "/proc/hybrid-no-such-folder");
        OneLineError(code, err, "the sweep folder /proc/hybrid-no-such-folder (--out or the file's \"out\") cannot be written");
        (code, _, err) = Run("compare", "--full-lr", "-1", "--out", Path.Combine(_root, "c"));
        OneLineError(code, err, "--full-lr -1 must be finite and > 0.");
        Assert.That(err, Does.Not.Contain("(Parameter"), "no .NET parameter suffix");
        Assert.That(Directory.Exists(Path.Combine(_root, "c")), Is.False, "nothing written");
    }

    private static void OneLineError(int code, string err, string expected)
    {
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.StartWith("error: ").And.Contain(expected));
    }

    private string[] Train(string folder, params string[] more) =>
        ["train", "--data", "teacher", "--depth", "1", "--width", "8", "--epochs", "1", "--out", folder, .. more];

    [Test]
    public void ASecondProcessOnAHeldFolderIsRefusedNamingTheHolder()
    {
        var path = Path.Combine(_root, "held");
        using var holder = RunFolder.At(path).Acquire(); // another open file description: another holder, as another process is
        var (code, _, err) = Run(Train(path, "--optimizer", "nero"));
        OneLineError(code, err, $"{path} is in use by another process: pid {Environment.ProcessId}");
        Assert.That(Directory.GetFiles(path).Where(f => !RunLock.IsLockFile(Path.GetFileName(f))), Is.Empty, "nothing written");
    }

    [TestCase("margin"), TestCase("bpm"), TestCase("uncertainty"), TestCase("trust"), TestCase("depth"), TestCase("transfer")]
    public void EveryExperimentCommandLocksItsFolderAndChecksResume(string command)
    {
        var path = Path.Combine(_root, "held-" + command);
        using (RunFolder.At(path).Acquire())
        {
            var (code, _, err) = Run(command, "--quick", "--data", "mixture", "--out", path);
            OneLineError(code, err, $"{path} is in use by another process: pid {Environment.ProcessId}");
            Assert.That(Directory.GetFiles(path).Where(f => !RunLock.IsLockFile(Path.GetFileName(f))), Is.Empty, "nothing written");
        }
        var missing = Path.Combine(_root, "missing-" + command);
        var (code2, _, err2) = Run(command, "--quick", "--data", "mixture", "--resume", missing);
        OneLineError(code2, err2, "--resume " + missing + ": no such folder");
        Assert.That(Directory.Exists(missing), Is.False);
    }

    [Test]
    public void AResumeOfAMissingFolderOrAnotherFolderIsRefusedCreatingNothing()
    {
        var missing = Path.Combine(_root, "missing");
        var (code, _, err) = Run("train", "--data", "teacher", "--resume", missing);
        OneLineError(code, err, "--resume " + missing + ": no such folder");
        Assert.That(Directory.Exists(missing), Is.False);
        (code, _, err) = Run("compare", "--data", "teacher", "--resume", missing);
        OneLineError(code, err, "no such folder");
        (code, _, err) = Run("train", "--data", "teacher", "--resume", _root, "--out", missing);
        OneLineError(code, err, "name different folders");
    }

    [Test]
    public void HostileDataIsOneLineAndLeavesNoRunFolder()
    {
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        byte[] header = [0, 0, 8, 3, 0, 0x29, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28]; // 2.7 M images declared, none there
        foreach (var f in new[] { "train-images-idx3-ubyte", "t10k-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(data, f), header);
        var output = Path.Combine(_root, "run");
        var (code, _, err) = Run("train", "--data", data, "--out", output);
        OneLineError(code, err, "train-images-idx3-ubyte: declares 2686976×28×28");
        Assert.That(Directory.Exists(output), Is.False, "the refused command leaves no folder");
    }

    [TestCase("--depth", "2147483647", "GiB for weights")]
    [TestCase("--width", "2147483647", "more than 2147483647")]
    [TestCase("--lr", "1e39", "larger than float32 holds")]
    public void SizesAndRatesThatCannotWorkAreRefusedUpFront(string option, string value, string expected)
    {
        var output = Path.Combine(_root, "sized");
        var (code, _, err) = Run("train", "--data", "teacher", option, value, "--out", output);
        OneLineError(code, err, expected);
        Assert.That(Directory.Exists(output), Is.False);
    }

    [Test]
    public void CompareRefusesAnLnsRateThatOverflowsBeforeAnyRowTrains()
    {
        var output = Path.Combine(_root, "cmp");
        var (code, _, err) = Run("compare", "--data", "teacher", "--lr", "1e30", "--out", output);
        OneLineError(code, err, "--lr 1E+30: one LNS step");
        Assert.That(Directory.Exists(output), Is.False);
        (code, _, err) = Run("compare", "--data", "teacher", "--bits", "99999999999", "--out", output);
        OneLineError(code, err, "--bits '99999999999' must be comma-separated integers");
    }

    [Test]
    public void OutputProblemsAreSaidInHybridsWordsAndEnergyTablesRefuseDuplicateKeys()
    {
        var (code, _, err) = Run(Train("/proc/hybrid-x"));
        OneLineError(code, err, "--out /proc/hybrid-x: cannot be used as a run folder");
        Assert.That(err, Does.Not.Contain("Could not find"));
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        (code, _, err) = Run(Train(file));
        OneLineError(code, err, "it is a file, not a folder");

        var table = Path.Combine(_root, "dup.json");
        File.WriteAllText(table, """{"events": {"int8Add": 0.03, "int8Add": 5, "int32Add": 0.1, "int8Mult": 0.2, "int32Mult": 3.1, "fp32Add": 0.9, "fp32Mult": 3.7}}""");
        (code, _, err) = Run("compare", "--data", "teacher", "--energy-table", table, "--out", Path.Combine(_root, "e"));
        OneLineError(code, err, "Duplicate property 'int8Add'"); // System.Text.Json's words, as for run files (ConfigDiff)
    }
}

/// <summary>What the command prints when its output is not a terminal, and the GPU build switch.</summary>
[NonParallelizable]
public class PipedOutputTests
{
    [Test]
    public void TablesAreMarkdownWhenPiped()
    {
        Assert.That(Hybrid.Cli.Output.Tables.Markdown(["row", "acc"], [["LNS 8-bit", "91.20%"], ["a|b", "1"]], [false, true]),
            Is.EqualTo("| row | acc |\n|---|---:|\n| LNS 8-bit | 91.20% |\n| a\\|b | 1 |\n"));
        var old = Console.Out;
        using var o = new StringWriter();
        Console.SetOut(o);
        try { Assert.That(Program.Main(["info"]), Is.Zero); }
        finally { Console.SetOut(old); }
        Assert.That(o.ToString(), Does.Contain("| backend | available | detail |").And.Contain("| native-cpu | yes |"));
        Assert.That(o.ToString(), Does.Not.Contain("╭"), "no box drawing in a pipe");
    }

    [Test]
    public void CudaWithoutTheBuildSwitchNamesIt()
    {
        var oldErr = Console.Error;
        using var e = new StringWriter();
        Console.SetError(e);
        int code;
        try { code = Program.Main(["train", "--data", "teacher", "--device", "cuda", "--out", Path.Combine(Path.GetTempPath(), "hybrid-never-" + Guid.NewGuid())]); }
        finally { Console.SetError(oldErr); }
        Assert.That(code, Is.EqualTo(2));
        Assert.That(e.ToString(), Does.Contain("-p:TorchSharpRuntime=cuda-linux").And.Contain("TorchSharp-cpu"));
    }
}
