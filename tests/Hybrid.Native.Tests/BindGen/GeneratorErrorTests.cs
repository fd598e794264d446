using Hybrid.BindGen;

namespace Hybrid.Native.Tests.BindGen;

/// <summary>
/// What the generator cannot express stops it with a message that names the declaration and
/// says why; nothing falls back silently. Each case is a header in Fixtures/Errors/&lt;Case&gt;.
/// </summary>
[TestFixture]
public sealed class GeneratorErrorTests
{
    [TestCase("LongField", new[] { "errors.h:6", "field hyb_bad_config.count", "'long'", "fixed-width integers" })]
    [TestCase("PointerField", new[] { "field hyb_bad_view.data", "'const float*'", "carry no pointers" })]
    [TestCase("FunctionPointer", new[] { "parameter callback of function hyb_bad_register", "errors.h:4", "function pointers" })]
    [TestCase("NotExported", new[] { "function hyb_bad_hidden", "errors.h:4", "not exported" })]
    [TestCase("EnumPrefix", new[] { "errors.h:4", "enumerator HYB_SLOW of hyb_bad_mode", "HYB_BAD_MODE_<NAME>" })]
    [TestCase("NotIncluded", new[] { "orphan.h", "not included", "errors.h" })]
    [TestCase("ParseError", new[] { "clang reported 1 error(s)", "errors.h:4:1: error: unknown type name 'hyb_missing_type'" })]
    public void UnsupportedHeaderFailsWithClearMessage(string fixture, string[] fragments)
    {
        var folder = Path.Combine(TestPaths.Fixtures, "Errors", fixture);
        var options = ErrorOptions(folder, Path.Combine(folder, "errors.h"));

        var error = Assert.Throws<BindGenException>(() => BindingGenerator.Generate(options));

        Assert.That(error.Message, Does.Contain(fragments[0]));
        foreach (var fragment in fragments.Skip(1))
        {
            Assert.That(error.Message, Does.Contain(fragment), error.Message);
        }
    }

    [Test]
    public void MissingHeaderFailsWithItsPath()
    {
        var folder = Path.Combine(TestPaths.Fixtures, "Errors", "LongField");
        var missing = Path.Combine(folder, "no-such-header.h");

        var error = Assert.Throws<BindGenException>(() => BindingGenerator.Generate(ErrorOptions(folder, missing)));

        Assert.That(error.Message, Does.StartWith("Header not found: ").And.Contain(missing));
    }

    [Test]
    public void MissingRepositoryFailsWithItsPath()
    {
        var root = Path.Combine(Path.GetTempPath(), "hybrid-bindgen-no-repo-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<BindGenException>(() => BindingGenerator.Generate(root));

        Assert.That(error.Message, Does.Contain(Path.Combine(root, "native", "include", "hybrid")));
    }

    private static BindingGeneratorOptions ErrorOptions(string folder, string entryHeader) => new()
    {
        RepositoryRoot = TestPaths.RepositoryRoot,
        HeaderDirectory = folder,
        EntryHeader = entryHeader,
        IncludeDirectories = [folder],
    };
}
