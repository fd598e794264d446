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

    private static string Values(int n, int from = 1) => "[" + string.Join(", ", Enumerable.Range(from, n)) + "]";

    /// <summary>Issue 22 item 9: a grid's size is its axes' lengths multiplied, checked before a run is expanded.</summary>
    private static ArgumentException RefusedQuickly(string path)
    {
        // the old code expanded every run first (10^7 runs: past 2 GB and nothing printed in 60 s); a guard keeps
        // a regression from taking the test run down with it
        var load = Task.Run(() => SweepPlan.Load(path));
        Assert.That(Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(20))).Result, Is.SameAs(load), "refused from the axes' lengths, not expanded");
        return Assert.Throws<ArgumentException>(() => load.GetAwaiter().GetResult())!;
    }

    [Test]
    public void ATenMillionRunGridIsRefusedBeforeItIsExpanded()
    {
        var path = Path.Combine(_root, "big.json");
        File.WriteAllText(path, $$"""
            { "name": "big", "experiment": "train",
              "axes": { "width": {{Values(10)}}, "depth": {{Values(10)}}, "epochs": {{Values(10)}}, "batchSize": {{Values(10)}},
                        "trainSize": {{Values(10, 100)}}, "optimizer.lr": [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01] },
              "seeds": 10, "out": "x" }
            """);
        var e = RefusedQuickly(path);
        Assert.That(e.Message, Does.Contain(path).And.Contain("10,000,000 runs").And.Contain("limit of 100,000 runs")
            .And.Contain("width 10 × depth 10 × epochs 10 × batchSize 10 × trainSize 10 × optimizer.lr 10 × seeds 10"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void AGridBeyondSixtyFourBitsIsCountedExactly()
    {
        var path = Path.Combine(_root, "huge.json");
        var axes = string.Join(", ", new[] { "width", "depth", "epochs", "batchSize", "trainSize", "seed", "optimizer.lr" }
            .Select(f => $"\"{f}\": {Values(1000)}"));
        File.WriteAllText(path, $$"""{ "name": "huge", "experiment": "train", "axes": { {{axes}} }, "out": "x" }""");
        Assert.That(RefusedQuickly(path).Message, Does.Contain("1,000,000,000,000,000,000,000 runs"), "10^21: no overflow to a small or negative count");
    }

    [Test]
    public void AGridAtTheLimitIsAccepted()
    {
        var path = Path.Combine(_root, "limit.json");
        File.WriteAllText(path, $$"""{ "name": "limit", "experiment": "train", "axes": { "width": {{Values(10)}} }, "seeds": 10000, "out": "x" }""");
        Assert.That(SweepDefinition.Load(path).Axes.Aggregate(1, (n, a) => n * a.Values.Count), Is.EqualTo(100_000));
    }

    [TestCase("""{ "name": "t", "experiment": "train", "axes": { "width": [8], "width": [16] }, "out": "x" }""")]
    [TestCase("""{ "name": "t", "experiment": "train", "base": { "optimizer": { "lr": 0.1, "lr": 0.2 } }, "out": "x" }""")]
    [TestCase("""{ "name": "t", "name": "u", "experiment": "train", "out": "x" }""")]
    public void AKeyGivenTwiceInTheAxesOrAnywhereNamesTheFile(string json)
    {
        var path = Path.Combine(_root, "twice.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<ArgumentException>(() => SweepDefinition.Load(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("sweep file"));
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
