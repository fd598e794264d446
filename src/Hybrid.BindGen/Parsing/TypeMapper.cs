using System.Text.RegularExpressions;
using Hybrid.BindGen.Clang;
using static Hybrid.BindGen.Clang.LibClang;

namespace Hybrid.BindGen.Parsing;

/// <summary>Where a C type appears; some types are allowed only in some places.</summary>
internal enum TypePosition
{
    Return,
    Parameter,
    Field,
    Pointee,
}

/// <summary>A C type as C#: the type name, and for a C array field the fixed-buffer length.</summary>
internal readonly record struct MappedType(string Name, int? FixedLength = null);

/// <summary>
/// Maps C types to blittable C# types. There is no fallback: a type outside the table below
/// stops the generator with a message naming the declaration, so the ABI's rules (fixed-width
/// integers, no bool, no long, no callbacks, no pointers in structs) hold by construction.
/// </summary>
internal sealed partial class TypeMapper
{
    private static readonly Dictionary<string, (string CSharp, long Size)> FixedWidth = new()
    {
        ["int8_t"] = ("sbyte", 1),
        ["int16_t"] = ("short", 2),
        ["int32_t"] = ("int", 4),
        ["int64_t"] = ("long", 8),
        ["uint8_t"] = ("byte", 1),
        ["uint16_t"] = ("ushort", 2),
        ["uint32_t"] = ("uint", 4),
        ["uint64_t"] = ("ulong", 8),
    };

    // The element types C# allows in a fixed buffer (after mapping).
    private static readonly HashSet<string> FixedBufferElements =
        ["sbyte", "short", "int", "long", "byte", "ushort", "uint", "ulong", "float", "double"];

    private const string Supported =
        "supported are int8_t..int64_t, uint8_t..uint64_t, float, double, the hyb_ enums and structs, " +
        "pointers to those, char* (as byte*), void*, and arrays of those or of char as struct fields";

    private readonly Dictionary<string, string> tagNames = new(StringComparer.Ordinal);

    /// <summary>Makes a hyb_ enum or struct (by its declaration's USR) known under its C# name.</summary>
    public void AddTag(string usr, string csharpName) => tagNames[usr] = csharpName;

    /// <summary>Maps <paramref name="type"/>; <paramref name="context"/> names the declaration for errors.</summary>
    public MappedType Map(CXType type, TypePosition position, string context)
    {
        var spelling = Spelling(type);
        var t = Unwrap(type);
        switch (t.Kind)
        {
            case CXTypeKind.Typedef:
            {
                var name = Take(clang_getTypedefName(t));
                if (FixedWidth.TryGetValue(name, out var fixedWidth))
                {
                    var size = clang_Type_getSizeOf(t);
                    return size == fixedWidth.Size
                        ? new MappedType(fixedWidth.CSharp)
                        : throw Fail(context, spelling, $"{name} is {size} bytes here, expected {fixedWidth.Size}");
                }
                var underlying = Unwrap(clang_getTypedefDeclUnderlyingType(clang_getTypeDeclaration(t)));
                if (underlying.Kind is CXTypeKind.Record or CXTypeKind.Enum)
                {
                    return MapTag(underlying, context, spelling);
                }
                throw Fail(context, spelling, $"typedef {name} is not a fixed-width integer typedef or a hyb_ enum/struct");
            }
            case CXTypeKind.Record or CXTypeKind.Enum:
                return MapTag(t, context, spelling);
            case CXTypeKind.Float:
                return new MappedType("float");
            case CXTypeKind.Double:
                return new MappedType("double");
            case CXTypeKind.Void when position is TypePosition.Return or TypePosition.Pointee:
                return new MappedType("void");
            case CXTypeKind.Char_S or CXTypeKind.Char_U when position is TypePosition.Pointee:
                return new MappedType("byte");
            case CXTypeKind.Char_S or CXTypeKind.Char_U:
                throw Fail(context, spelling, "plain char is only allowed as char* (a string) or as a char[N] field");
            case CXTypeKind.Pointer:
            {
                if (position == TypePosition.Field)
                {
                    throw Fail(context, spelling, "config structs carry no pointers");
                }
                var pointee = clang_getPointeeType(t);
                if (Unwrap(pointee).Kind is CXTypeKind.FunctionProto or CXTypeKind.FunctionNoProto)
                {
                    throw Fail(context, spelling, "function pointers (callbacks) are not part of the ABI");
                }
                return new MappedType(Map(pointee, TypePosition.Pointee, context).Name + "*");
            }
            case CXTypeKind.ConstantArray when position == TypePosition.Field:
            {
                var element = clang_getArrayElementType(t);
                var elementName = Unwrap(element).Kind is CXTypeKind.Char_S or CXTypeKind.Char_U
                    ? "byte"
                    : Map(element, TypePosition.Field, context).Name;
                if (!FixedBufferElements.Contains(elementName))
                {
                    throw Fail(context, spelling, $"a C# fixed buffer cannot hold {elementName}");
                }
                var length = clang_getArraySize(t);
                return length is > 0 and <= int.MaxValue
                    ? new MappedType(elementName, (int)length)
                    : throw Fail(context, spelling, $"array length {length}");
            }
            case CXTypeKind.Bool:
                throw Fail(context, spelling, "the ABI has no bool: use int32_t (0 or 1)");
            case CXTypeKind.Int or CXTypeKind.UInt or CXTypeKind.Long or CXTypeKind.ULong
                or CXTypeKind.LongLong or CXTypeKind.ULongLong or CXTypeKind.Short or CXTypeKind.UShort
                or CXTypeKind.SChar or CXTypeKind.UChar:
                throw Fail(context, spelling, "the ABI uses fixed-width integers (int32_t, int64_t, ...) only");
            default:
                throw Fail(context, spelling, $"clang type kind {t.Kind}");
        }
    }

    /// <summary>A type as the header spells it, with the pointer star against the type: "const float*".</summary>
    public static string Spelling(CXType type) => PointerSpace().Replace(Take(clang_getTypeSpelling(type)), "*");

    /// <summary>Sees through "struct x"/"enum x" and, since clang 16, through every written typedef use.</summary>
    public static CXType Unwrap(CXType type)
    {
        while (type.Kind == CXTypeKind.Elaborated)
        {
            type = clang_Type_getNamedType(type);
        }
        return type;
    }

    private MappedType MapTag(CXType type, string context, string spelling)
    {
        var usr = Take(clang_getCursorUSR(clang_getTypeDeclaration(type)));
        return tagNames.TryGetValue(usr, out var name)
            ? new MappedType(name)
            : throw Fail(context, spelling, "not a hyb_ enum or struct defined in the bound headers");
    }

    private static BindGenException Fail(string context, string spelling, string reason) =>
        new($"{context}: C type '{spelling}' has no C# mapping ({reason}); {Supported}.");

    [GeneratedRegex(@"\s+\*")]
    private static partial Regex PointerSpace();
}
