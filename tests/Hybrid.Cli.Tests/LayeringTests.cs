using System.Reflection;

namespace Hybrid.Cli.Tests;

/// <summary>
/// DESIGN.md's layering, checked on the compiled assemblies: nothing above Hybrid.Synapse touches
/// Hybrid.Native, Hybrid.Training has no presentation libraries, the CLI calls the layer below it and
/// never TorchSharp; and on the sources: no folder inside a project references a folder that references
/// it back (<see cref="FolderGraph"/>).
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

    [Test]
    public void TheCliNeverCallsTorchSharp() =>
        Assert.That(References("hybrid"), Has.None.StartsWith("TorchSharp"), "the experiments layer owns the runtime");

    [Test]
    public void NoFolderInsideAProjectReferencesAFolderThatReferencesItBack()
    {
        var graph = FolderGraph.Read(Path.Combine(FolderGraph.RepositoryRoot(), "src"));
        Assert.That(graph.Edges.Keys, Has.Some.EqualTo("Hybrid.Experiments.Compare"), "the sources were read");
        Assert.That(graph.Cycles().Select(c => string.Join(" → ", c)), Is.Empty);
    }

    [Test]
    public void TheFolderCheckFindsACycleThroughAPartlyQualifiedName()
    {
        string root = Directory.CreateTempSubdirectory("hybrid-layering-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "P", "A"));
            Directory.CreateDirectory(Path.Combine(root, "P", "B"));
            File.WriteAllText(Path.Combine(root, "P", "A", "X.cs"), "using Hybrid.P.B;\nnamespace Hybrid.P.A;\npublic class X { Y? y; }\n");
            File.WriteAllText(Path.Combine(root, "P", "B", "Y.cs"),
                "namespace Hybrid.P.B;\n// Hybrid.P.A in a comment is no reference\npublic class Y { A.X? x; string s = \"Hybrid.P.A\"; }\n");
            Assert.That(FolderGraph.Read(root).Cycles().Single(), Is.EquivalentTo(new[] { "Hybrid.P.A", "Hybrid.P.B" }));
            File.WriteAllText(Path.Combine(root, "P", "B", "Y.cs"), "namespace Hybrid.P.B;\n// A.X\npublic class Y { string s = \"A.X\"; }\n");
            Assert.That(FolderGraph.Read(root).Cycles(), Is.Empty, "comments and strings are no references");
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
