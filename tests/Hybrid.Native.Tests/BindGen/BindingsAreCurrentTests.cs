using Hybrid.BindGen;

namespace Hybrid.Native.Tests.BindGen;

/// <summary>The checked-in bindings and layout tests are what the headers generate now.</summary>
[TestFixture]
public sealed class BindingsAreCurrentTests
{
    [Test]
    public void GeneratedBindingsAreCurrent()
    {
        var root = TestPaths.RepositoryRoot;
        var options = BindingGeneratorOptions.ForRepository(root);

        var files = BindingGenerator.Generate(options);
        var problems = GeneratedOutput.FindDifferences(root, files, options.OutputDirectories);

        Assert.That(problems, Is.Empty,
            "The generated bindings do not match native/include/hybrid/*.h. Regenerate them with\n" +
            $"    {options.RegenerateCommand}\nand commit the result. Out of date:\n    " +
            string.Join("\n    ", problems));
    }

    [Test]
    public void EveryHeaderWithDeclarationsHasItsFile()
    {
        var files = BindingGenerator.Generate(TestPaths.RepositoryRoot);

        Assert.That(files.Keys, Is.EqualTo(new[]
        {
            "src/Hybrid.Native/Generated/Cpu.g.cs",
            "src/Hybrid.Native/Generated/Cuda.g.cs",
            "src/Hybrid.Native/Generated/Device.g.cs",
            "src/Hybrid.Native/Generated/DeviceResponse.g.cs",
            "src/Hybrid.Native/Generated/Limits.g.cs",
            "src/Hybrid.Native/Generated/Lns.g.cs",
            "src/Hybrid.Native/Generated/LnsArith.g.cs",
            "src/Hybrid.Native/Generated/Madam.g.cs",
            "src/Hybrid.Native/Generated/Random.g.cs",
            "src/Hybrid.Native/Generated/Status.g.cs",
            "src/Hybrid.Native/Generated/Version.g.cs",
            "tests/Hybrid.Native.Tests/Generated/LayoutTests.g.cs",
        }));
    }
}
