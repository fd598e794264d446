namespace Hybrid.BindGen.Model;

// What the parser found in the headers, already translated to C# names and types; the
// emitters only format it. Every item knows its header, its position there (for header
// order), its documentation comment (cleaned lines, possibly empty) and its C spelling.

/// <summary>A header that contributes at least one item, with its items in header order.</summary>
internal sealed record HeaderApi(string HeaderPath, string RelativePath, string OutputName, IReadOnlyList<ApiItem> Items);

/// <summary>Anything the generator emits at the top level of a header's file.</summary>
internal abstract record ApiItem(string CName, string RelativeHeader, int Offset, IReadOnlyList<string> Doc, string CSpelling);

internal sealed record EnumItem(
    string CName, string RelativeHeader, int Offset, IReadOnlyList<string> Doc, string CSpelling,
    string CSharpName, long SizeOf, IReadOnlyList<EnumMember> Members)
    : ApiItem(CName, RelativeHeader, Offset, Doc, CSpelling);

internal sealed record EnumMember(string CName, string CSharpName, long Value, IReadOnlyList<string> Doc, string CSpelling);

internal sealed record StructItem(
    string CName, string RelativeHeader, int Offset, IReadOnlyList<string> Doc, string CSpelling,
    string CSharpName, long SizeOf, IReadOnlyList<StructField> Fields)
    : ApiItem(CName, RelativeHeader, Offset, Doc, CSpelling);

/// <summary>A struct field; <paramref name="FixedLength"/> is set for a C array (a C# fixed buffer).</summary>
internal sealed record StructField(
    string CName, string CSharpName, string CSharpType, int? FixedLength, long Offset,
    IReadOnlyList<string> Doc, string CSpelling);

internal sealed record FunctionItem(
    string CName, string RelativeHeader, int Offset, IReadOnlyList<string> Doc, string CSpelling,
    string ReturnType, IReadOnlyList<FunctionParameter> Parameters)
    : ApiItem(CName, RelativeHeader, Offset, Doc, CSpelling);

internal sealed record FunctionParameter(string CSharpName, string CSharpType);

/// <summary>An integer object-like macro; <paramref name="CSharpType"/> is int, uint, long or ulong.</summary>
internal sealed record ConstantItem(
    string CName, string RelativeHeader, int Offset, IReadOnlyList<string> Doc, string CSpelling,
    string CSharpType, string CSharpValue)
    : ApiItem(CName, RelativeHeader, Offset, Doc, CSpelling);
