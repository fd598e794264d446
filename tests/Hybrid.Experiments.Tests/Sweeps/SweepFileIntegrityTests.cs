using System.Diagnostics;
using Hybrid.Experiments.Sweeps;
using NUnit.Framework;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>Issue 22 items 8–10: sweep files and run results are read through the one regular-file reader.</summary>
public class SweepFileIntegrityTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("hybrid-sweepfile-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static void MakeFifo(string path)
    {
        using var mk = Process.Start("mkfifo", [path])!;
        mk.WaitForExit();
        Assert.That(mk.ExitCode, Is.Zero, "mkfifo");
    }

    private static ArgumentException Refused(string path, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ArgumentException>(() => SweepDefinition.Load(path))!;
        Assert.That(clock.Elapsed, Is.LessThan(within), "refused, not read to the end or blocked");
        return e;
    }

    [Test]
    public void DevZeroIsRefusedNotReadUntilMemoryRunsOut() =>
        Assert.That(Refused("/dev/zero", TimeSpan.FromSeconds(10)).Message, Does.Contain("/dev/zero").And.Contain("sweep file"));

    [Test]
    public void AFifoIsRefusedWithoutWaitingForAWriter()
    {
        var fifo = Path.Combine(_root, "sweep.json");
        MakeFifo(fifo);
        Assert.That(Refused(fifo, TimeSpan.FromSeconds(10)).Message, Does.Contain(fifo));
    }

    [Test]
    public void AnOversizedFileIsRefused()
    {
        var big = Path.Combine(_root, "big.json");
        File.WriteAllText(big, "{" + new string(' ', 2 << 20) + "}");
        Assert.That(Refused(big, TimeSpan.FromSeconds(10)).Message, Does.Contain(big));
    }

    [Test]
    public void AKeyGivenTwiceNamesTheFile()
    {
        var path = Path.Combine(_root, "twice.json");
        File.WriteAllText(path, """{ "name": "t", "experiment": "train", "base": { "width": 8, "width": 16 }, "out": "x" }""");
        var e = Assert.Throws<ArgumentException>(() => SweepDefinition.Load(path))!;
        Assert.That(e.Message, Does.Contain(path));
    }

    [Test]
    public void AFifoAsARunResultIsRefused()
    {
        var run = Path.Combine(_root, "runs", "r0");
        Directory.CreateDirectory(run);
        MakeFifo(Path.Combine(run, SweepRunFiles.ResultFile));
        var clock = Stopwatch.StartNew();
        Assert.Throws<InvalidDataException>(() => SweepRunFiles.ReadResult(run));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }
}
