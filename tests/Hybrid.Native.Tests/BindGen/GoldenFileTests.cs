using Hybrid.BindGen;

namespace Hybrid.Native.Tests.BindGen;

/// <summary>
/// The generator on a small fixture header (Fixtures/Widget) against checked-in golden
/// files. After an intended change to the generator's output, set HYBRID_UPDATE_GOLDEN=1
/// and run these tests once to rewrite the golden files, then review their diff.
/// </summary>
[TestFixture]
public sealed class GoldenFileTests
{
    private static string WidgetFolder => Path.Combine(TestPaths.Fixtures, "Widget");

    private static string ExpectedFolder => Path.Combine(WidgetFolder, "Expected");

    internal static BindingGeneratorOptions WidgetOptions() => new()
    {
        RepositoryRoot = TestPaths.RepositoryRoot,
        HeaderDirectory = Path.Combine(WidgetFolder, "include", "widget"),
        EntryHeader = Path.Combine(WidgetFolder, "include", "widget", "all.h"),
        IncludeDirectories = [Path.Combine(WidgetFolder, "include")],
        LibraryName = "widget",
        BindingsNamespace = "Widget.Interop",
        BindingsDirectory = "Bindings",
        NativeClassName = "WidgetNative",
        ConstantsClassName = "WidgetConstants",
        TestsNamespace = "Widget.Tests",
        TestsDirectory = "Tests",
    };

    [Test]
    public void OutputMatchesGoldenFiles()
    {
        var files = BindingGenerator.Generate(WidgetOptions());
        if (Environment.GetEnvironmentVariable("HYBRID_UPDATE_GOLDEN") == "1")
        {
            foreach (var (path, content) in files)
            {
                var golden = Path.Combine(ExpectedFolder, path + ".golden");
                Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
                File.WriteAllText(golden, content);
            }
        }

        var goldenPaths = Directory.EnumerateFiles(ExpectedFolder, "*.golden", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ExpectedFolder, f).Replace('\\', '/')[..^".golden".Length])
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.That(files.Keys, Is.EqualTo(goldenPaths), "generated files vs golden files");
        using (Assert.EnterMultipleScope())
        {
            foreach (var (path, content) in files)
            {
                Assert.That(content, Is.EqualTo(File.ReadAllText(Path.Combine(ExpectedFolder, path + ".golden"))),
                    $"{path} differs from its golden file; if the change is intended, rerun with HYBRID_UPDATE_GOLDEN=1");
            }
        }
    }

    [Test]
    public void OutputIsDeterministic()
    {
        var first = BindingGenerator.Generate(WidgetOptions());
        var second = BindingGenerator.Generate(WidgetOptions());

        Assert.That(second, Is.EqualTo(first));
    }

    // The rules the golden file encodes, one by one, so that a failure says which rule broke.
    [TestCase("public enum HybWidgetColor : int", TestName = "Enum: PascalCase name, int underlying type")]
    [TestCase("SeaGreen2 = 1,", TestName = "Enum: prefix stripped, parts PascalCased, implicit value")]
    [TestCase("Blue = 8,", TestName = "Enum: value as clang evaluates 1 << 3")]
    [TestCase("None = -1,", TestName = "Enum: negative value")]
    [TestCase("/// <summary>warm &amp; bright</summary>", TestName = "Doc: trailing comment, XML-escaped")]
    [TestCase("/// <summary>A shifted value, documented above.</summary>\n    // C: HYB_WIDGET_COLOR_BLUE", TestName = "Doc: comment on the line above")]
    [TestCase("/// <summary>HYB_WIDGET_COLOR_NONE (no comment in tests/Hybrid.Native.Tests/BindGen/Fixtures/Widget/include/widget/widget.h).</summary>", TestName = "Doc: a comment two enumerators up is not this one's")]
    [TestCase("[StructLayout(LayoutKind.Sequential)]\npublic unsafe partial struct HybWidget\n", TestName = "Struct: sequential, PascalCase name")]
    [TestCase("/// A widget: &lt;id&gt;, colour, name and mass.\n/// Fields are laid out as C does, padding included.\n", TestName = "Doc: multi-line comment")]
    [TestCase("public fixed byte Name[12];", TestName = "Struct: char array as fixed byte buffer")]
    [TestCase("public fixed byte Flags[3];", TestName = "Struct: uint8_t array as fixed byte buffer")]
    [TestCase("public HybWidgetColor Color;", TestName = "Struct: enum field")]
    [TestCase("public HybWidget First;", TestName = "Struct: struct field")]
    [TestCase("// C: uint64_t mass_ug (offset 24)", TestName = "Struct: C spelling and clang's offset")]
    [TestCase("public ulong MassUg;", TestName = "Struct: snake_case field PascalCased")]
    [TestCase("// C: hyb_widget_color hyb_widget_init(hyb_widget* out, const char* name, int64_t n)\n    [LibraryImport(\"widget\", EntryPoint = \"hyb_widget_init\")]\n    public static partial HybWidgetColor hyb_widget_init(HybWidget* @out, byte* name, long n);", TestName = "Function: C spelling, LibraryImport, keyword parameter")]
    [TestCase("public static partial byte* hyb_widget_library();", TestName = "Function: const char* return as byte*, (void)")]
    [TestCase("// C: const char* hyb_widget_library(void)", TestName = "Function: (void) in the C spelling")]
    [TestCase("public static partial void hyb_widget_fill(void* buffer, ushort value, uint* counts, float scale);", TestName = "Function: void, void*, uint16_t, uint32_t*, float")]
    [TestCase("/// The library's name.\n    /// Never NULL.\n", TestName = "Doc: // line comments")]
    [TestCase("/// <summary>Fills *out with a widget called name (n bytes, not NUL-terminated).</summary>\n    // C: hyb_widget_color hyb_widget_init_pair", TestName = "Doc: a function on the next line shares the comment")]
    [TestCase("// C: typedef struct { ... } hyb_widget_point (4 bytes)\n[StructLayout(LayoutKind.Sequential)]\npublic unsafe partial struct HybWidgetPoint", TestName = "Struct: anonymous, named by its typedef")]
    [TestCase("// C: typedef enum { ... } hyb_widget_side\npublic enum HybWidgetSide : int", TestName = "Enum: anonymous, named by its typedef")]
    [TestCase("public static partial HybWidgetPoint hyb_widget_move(HybWidgetPoint point, HybWidgetSide side);", TestName = "Function: struct and enum by value")]
    [TestCase("public const int HYB_WIDGET_MAX_PARTS = 8;", TestName = "Macro: int constant")]
    [TestCase("/// <summary>the low byte</summary>\n    // C: #define HYB_WIDGET_MASK 0xFFu\n    public const uint HYB_WIDGET_MASK = 255;", TestName = "Macro: hex unsigned constant with trailing comment")]
    [TestCase("public const long HYB_WIDGET_BIG = 4294967296;", TestName = "Macro: too big for int becomes long")]
    public void BindingsFollowRule(string expected)
    {
        var bindings = BindingGenerator.Generate(WidgetOptions())["Bindings/Widget.g.cs"];

        Assert.That(bindings, Does.Contain(expected));
    }

    [TestCase("HYB_WIDGET_SCALE", TestName = "Skipped: float macro")]
    [TestCase("HYB_WIDGET_SUM", TestName = "Skipped: expression macro")]
    [TestCase("not_a_hyb_macro", TestName = "Skipped: macro without the prefix")]
    [TestCase("HYB_WIDGET_SQUARE", TestName = "Skipped: function-like macro")]
    [TestCase("HYB_WIDGET_API", TestName = "Skipped: attribute macro")]
    [TestCase("WIDGET_WIDGET_H", TestName = "Skipped: include guard")]
    [TestCase("widget_internal", TestName = "Skipped: function without the prefix")]
    [TestCase("hyb_widget_twice", TestName = "Skipped: static inline function")]
    public void BindingsOmit(string name)
    {
        var files = BindingGenerator.Generate(WidgetOptions());

        Assert.That(files.Values, Has.None.Contains(name));
    }

    [Test]
    public void LayoutTestsCoverEveryStructFieldAndEnumMember()
    {
        var tests = BindingGenerator.Generate(WidgetOptions())["Tests/LayoutTests.g.cs"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tests, Does.Contain("Assert.That(sizeof(HybWidget), Is.EqualTo(48), \"sizeof(hyb_widget)\");"));
            Assert.That(tests, Does.Contain("Assert.That((byte*)value.Name - start, Is.EqualTo(8), \"offsetof(hyb_widget, name)\");"));
            Assert.That(tests, Does.Contain("Assert.That((byte*)&value.Weight - start, Is.EqualTo(40), \"offsetof(hyb_widget, weight)\");"));
            Assert.That(tests, Does.Contain("Assert.That(sizeof(HybWidgetPair), Is.EqualTo(96), \"sizeof(hyb_widget_pair)\");"));
            Assert.That(tests, Does.Contain("Assert.That((int)HybWidgetColor.None, Is.EqualTo(-1), \"HYB_WIDGET_COLOR_NONE\");"));
        }
    }
}
