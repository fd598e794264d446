using System.Text;

namespace Hybrid.BindGen;

/// <summary>How C names become C# names.</summary>
internal static class Naming
{
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked",
        "class", "const", "continue", "decimal", "default", "delegate", "do", "double", "else",
        "enum", "event", "explicit", "extern", "false", "finally", "fixed", "float", "for",
        "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params",
        "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed",
        "short", "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw",
        "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using",
        "virtual", "void", "volatile", "while",
    ];

    /// <summary>
    /// PascalCase by '_' parts, each part capitalised and the rest lower-cased:
    /// hyb_lns_format → HybLnsFormat, w_max → WMax, SSE4_2 → Sse42.
    /// </summary>
    public static string PascalCase(string name)
    {
        var result = new StringBuilder(name.Length);
        foreach (var part in name.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            result.Append(char.ToUpperInvariant(part[0]));
            result.Append(part[1..].ToLowerInvariant());
        }
        return result.ToString();
    }

    /// <summary>
    /// An enumerator's C# name: the enum's C name upper-cased plus '_' is stripped, the rest
    /// PascalCased (HYB_SIMD_LEVEL_SSE4_2 in hyb_simd_level → Sse42). Null when the
    /// enumerator does not carry the prefix or the result is not a C# identifier.
    /// </summary>
    public static string? EnumMember(string enumCName, string memberCName)
    {
        var prefix = enumCName.ToUpperInvariant() + "_";
        if (!memberCName.StartsWith(prefix, StringComparison.Ordinal) || memberCName.Length == prefix.Length)
        {
            return null;
        }
        var name = PascalCase(memberCName[prefix.Length..]);
        return name.Length > 0 && !char.IsAsciiDigit(name[0]) ? name : null;
    }

    /// <summary>A C identifier as a C# identifier: keywords get '@' (out → @out).</summary>
    public static string Identifier(string name) => Keywords.Contains(name) ? "@" + name : name;

    /// <summary>The generated file for a header: lns.h → Lns.g.cs.</summary>
    public static string OutputFileName(string headerPath) =>
        PascalCase(Path.GetFileNameWithoutExtension(headerPath).Replace('-', '_')) + ".g.cs";
}
