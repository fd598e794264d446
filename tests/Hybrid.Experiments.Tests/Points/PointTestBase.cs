using Hybrid.Experiments.Data;

namespace Hybrid.Experiments.Tests;

/// <summary>What the depth/transfer point tests share: one TorchSharp thread, as the commands run by default (--threads 1),
/// restored afterwards; a fresh temporary folder per test; the tiny synthetic data set.</summary>
public abstract class PointTestBase
{
    private IDisposable? _oneThread;

    /// <summary>This test's temporary folder (removed after it).</summary>
    protected string Root { get; private set; } = null!;

    /// <summary>400 training and 100 test points of the Gaussian mixture: no data set needs to be installed.</summary>
    protected static readonly DataSpec Tiny = new("mixture", TrainSize: 400, TestSize: 100);

    [OneTimeSetUp]
    public void OneThread() => _oneThread = Hybrid.Experiments.Runs.ThreadScope.Use(1);

    [OneTimeTearDown]
    public void RestoreThreads() => _oneThread?.Dispose();

    [SetUp]
    public void MakeRoot() => Root = Directory.CreateTempSubdirectory($"hybrid-{GetType().Name}-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(Root, recursive: true);
}
