using Hybrid.BindGen;
using Hybrid.BindGen.Parsing;

namespace Hybrid.Native.Tests.BindGen;

/// <summary>The generator's naming, literal and comment rules, checked directly.</summary>
[TestFixture]
public sealed class NamingTests
{
    [TestCase("hyb_lns_format", "HybLnsFormat")]
    [TestCase("w_max", "WMax")]
    [TestCase("g_bound", "GBound")]
    [TestCase("beta2", "Beta2")]
    [TestCase("version_major", "VersionMajor")]
    public void PascalCaseJoinsCapitalisedParts(string name, string expected) =>
        Assert.That(Naming.PascalCase(name), Is.EqualTo(expected));

    [TestCase("hyb_status", "HYB_STATUS_OK", "Ok")]
    [TestCase("hyb_simd_level", "HYB_SIMD_LEVEL_SSE4_2", "Sse42")]
    [TestCase("hyb_nonfinite_policy", "HYB_NONFINITE_POLICY_SKIP", "Skip")]
    [TestCase("hyb_status", "HYB_STATUS_CUDA_UNAVAILABLE", "CudaUnavailable")]
    [TestCase("hyb_status", "HYB_OTHER_OK", null)]
    [TestCase("hyb_status", "HYB_STATUS_", null)]
    [TestCase("hyb_simd_level", "HYB_SIMD_LEVEL_2X", null)]
    public void EnumMemberStripsTheEnumPrefix(string enumName, string member, string? expected) =>
        Assert.That(Naming.EnumMember(enumName, member), Is.EqualTo(expected));

    [TestCase("out", "@out")]
    [TestCase("params", "@params")]
    [TestCase("count", "count")]
    public void IdentifierEscapesKeywords(string name, string expected) =>
        Assert.That(Naming.Identifier(name), Is.EqualTo(expected));

    [TestCase("status.h", "Status.g.cs")]
    [TestCase("lns.h", "Lns.g.cs")]
    [TestCase("cuda_memory.h", "CudaMemory.g.cs")]
    public void OutputFileIsThePascalCasedHeaderName(string header, string expected) =>
        Assert.That(Naming.OutputFileName(header), Is.EqualTo(expected));

    [TestCase("16", "int", "16")]
    [TestCase("0", "int", "0")]
    [TestCase("0x10", "int", "16")]
    [TestCase("0xFFu", "uint", "255")]
    [TestCase("010", "int", "8")]
    [TestCase("0b101", "int", "5")]
    [TestCase("2147483648", "long", "2147483648")]
    [TestCase("1L", "long", "1")]
    [TestCase("1ull", "ulong", "1")]
    [TestCase("18446744073709551615u", "ulong", "18446744073709551615")]
    public void IntegerLiteralsBecomeConstants(string literal, string type, string value) =>
        Assert.That(ApiReader.IntegerLiteral(literal), Is.EqualTo((type, value)));

    [TestCase("2.5f")]
    [TestCase("1e3")]
    [TestCase("'a'")]
    [TestCase("\"text\"")]
    [TestCase("08")]
    [TestCase("18446744073709551616")]
    public void OtherLiteralsAreNotConstants(string literal) =>
        Assert.That(ApiReader.IntegerLiteral(literal), Is.Null);

    [Test]
    public void CommentLinesDropMarkersAndCommonIndent()
    {
        const string raw = "/* First line.\n * Second line:\n *     indented formula\n */";

        Assert.That(SourceFile.CommentLines(raw), Is.EqualTo(new[] { "First line.", "Second line:", "    indented formula" }));
    }

    [Test]
    public void CommentLinesReadLineComments() =>
        Assert.That(SourceFile.CommentLines("// One.\n// Two."), Is.EqualTo(new[] { "One.", "Two." }));
}
