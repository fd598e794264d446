using System.Reflection;

namespace Hybrid.Cli.Tests;

/// <summary>
/// DESIGN.md's layering, checked on the compiled assemblies: nothing above Hybrid.Synapse touches
/// Hybrid.Native, Hybrid.Training has no presentation libraries, and the CLI calls the layer below it.
/// </summary>
public class LayeringTests
{
    private static IReadOnlyList<string> References(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();

    [TestCase("Hybrid.Training"), TestCase("Hybrid.Experiments"), TestCase("hybrid")]
    public void NothingAboveTheSynapseLayerReferencesTheNativeLayer(string assembly) =>
        Assert.That(References(assembly), Does.Not.Contain("Hybrid.Native"));

    [Test]
    public void TrainingHasNoPresentationLibraries() =>
        Assert.That(References("Hybrid.Training"), Has.None.StartsWith("Spectre").And.None.StartsWith("ScottPlot"));

    [Test]
    public void TheCliGoesThroughTheExperimentsLayer() =>
        Assert.That(References("hybrid"), Does.Contain("Hybrid.Experiments").And.Not.Contain("Hybrid.Native"));
}
