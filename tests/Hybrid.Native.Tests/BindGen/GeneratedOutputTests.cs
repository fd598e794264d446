using Hybrid.BindGen;

namespace Hybrid.Native.Tests.BindGen;

/// <summary>Writing and checking generated files (the program's default mode and --check).</summary>
[TestFixture]
public sealed class GeneratedOutputTests
{
    private static readonly string[] OutputDirectories = ["out/a", "out/b"];

    private string root = string.Empty;

    [SetUp]
    public void CreateRoot()
    {
        root = Path.Combine(Path.GetTempPath(), "hybrid-bindgen-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
    }

    [TearDown]
    public void DeleteRoot() => Directory.Delete(root, recursive: true);

    [Test]
    public void MissingFilesAreReportedThenWritten()
    {
        var files = Files(("out/a/One.g.cs", "one\n"), ("out/b/Two.g.cs", "two\n"));

        Assert.That(GeneratedOutput.FindDifferences(root, files, OutputDirectories),
            Is.EqualTo(new[] { "out/a/One.g.cs: missing", "out/b/Two.g.cs: missing" }));

        var done = GeneratedOutput.Write(root, files, OutputDirectories);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(done, Is.EqualTo(new[] { "created out/a/One.g.cs", "created out/b/Two.g.cs" }));
            Assert.That(File.ReadAllText(Path.Combine(root, "out/a/One.g.cs")), Is.EqualTo("one\n"));
            Assert.That(GeneratedOutput.FindDifferences(root, files, OutputDirectories), Is.Empty);
            Assert.That(Directory.EnumerateFiles(root, "*.tmp", SearchOption.AllDirectories), Is.Empty);
        }
    }

    [Test]
    public void ChangedFilesAreReportedAndOnlyTheyAreRewritten()
    {
        GeneratedOutput.Write(root, Files(("out/a/One.g.cs", "one\n"), ("out/a/Two.g.cs", "two\n")), OutputDirectories);
        var changed = Files(("out/a/One.g.cs", "one, changed\n"), ("out/a/Two.g.cs", "two\n"));

        Assert.That(GeneratedOutput.FindDifferences(root, changed, OutputDirectories), Is.EqualTo(new[] { "out/a/One.g.cs: differs" }));
        Assert.That(GeneratedOutput.Write(root, changed, OutputDirectories), Is.EqualTo(new[] { "updated out/a/One.g.cs" }));
    }

    [Test]
    public void StaleGeneratedFilesAreReportedThenDeleted()
    {
        var files = Files(("out/a/One.g.cs", "one\n"));
        GeneratedOutput.Write(root, files, OutputDirectories);
        Directory.CreateDirectory(Path.Combine(root, "out/b"));
        File.WriteAllText(Path.Combine(root, "out/b/Old.g.cs"), "old\n");
        File.WriteAllText(Path.Combine(root, "out/b/HandWritten.cs"), "kept\n");

        Assert.That(GeneratedOutput.FindDifferences(root, files, OutputDirectories),
            Is.EqualTo(new[] { "out/b/Old.g.cs: stale, no longer generated" }));

        var done = GeneratedOutput.Write(root, files, OutputDirectories);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(done, Is.EqualTo(new[] { "deleted out/b/Old.g.cs (no longer generated)" }));
            Assert.That(File.Exists(Path.Combine(root, "out/b/Old.g.cs")), Is.False);
            Assert.That(File.Exists(Path.Combine(root, "out/b/HandWritten.cs")), Is.True);
        }
    }

    private static Dictionary<string, string> Files(params (string Path, string Content)[] files) =>
        files.ToDictionary(f => f.Path, f => f.Content);
}
