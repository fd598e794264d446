using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Tests.Runs;

/// <summary>Issue 22 item 7: a unit folder copied from another run (other settings, or another row's folder swapped in
/// with its own valid manifest) is refused on resume, naming what differs; the run's own unit reads back.</summary>
public class UnitStoreTests
{
    private sealed record Config(string Row, long Seed, int Width);

    private sealed record Result(double Accuracy);

    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-units-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void AForeignOrSwappedUnitIsRefusedAndTheRunsOwnReadsBack()
    {
        var folder = new RunFolder(Path.Combine(_root, "rows", "adam", "seed-0"));
        UnitStore.Write(folder, new Config("adam", 0, 256), new Result(0.88));
        Assert.That(UnitStore.Find<Config, Result>(folder, new Config("adam", 0, 256)), Is.EqualTo(new Result(0.88)));

        var swapped = Assert.Throws<InvalidOperationException>(() => UnitStore.Find<Config, Result>(folder, new Config("madam", 0, 256)))!;
        Assert.That(swapped.Message, Does.Contain("holds a finished unit of other settings").And.Contain("row: \"adam\" in the run, \"madam\" in this command"));
        var foreign = Assert.Throws<InvalidOperationException>(() => UnitStore.Find<Config, Result>(folder, new Config("adam", 0, 32)))!;
        Assert.That(foreign.Message, Does.Contain("width: 256 in the run, 32 in this command"));
        Assert.That(UnitStore.TryRead<Config, Result>(folder, new Config("adam", 0, 32)), Is.Null, "TryRead reads another run's unit as missing");
        Assert.That(UnitStore.Find<Config, Result>(new RunFolder(Path.Combine(_root, "empty")), new Config("adam", 0, 256)), Is.Null);
    }
}
