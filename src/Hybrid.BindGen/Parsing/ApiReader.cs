using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using Hybrid.BindGen.Clang;
using Hybrid.BindGen.Model;
using static Hybrid.BindGen.Clang.LibClang;

namespace Hybrid.BindGen.Parsing;

/// <summary>
/// Reads the declarations of the bound headers out of a parsed translation unit: the enums,
/// structs, functions and integer macros that live in a file under the header folder and
/// carry the prefix (hyb_ / HYB_). Anything such a declaration needs that the generator
/// cannot express is an error naming the declaration and its file:line.
/// </summary>
internal sealed partial class ApiReader
{
    private readonly BindingGeneratorOptions options;
    private readonly TranslationUnit unit;
    private readonly string headerDirectory;
    private readonly string typePrefix;
    private readonly string macroPrefix;
    private readonly TypeMapper types = new();
    private readonly Dictionary<string, SourceFile> files = new(StringComparer.Ordinal);
    // Header order is include order (libclang visits all macros before all declarations, so
    // the order of first items would not do).
    private readonly Dictionary<string, int> includeOrder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TagInfo> tags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Entry>> items = new(StringComparer.Ordinal);
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);

    private ApiReader(BindingGeneratorOptions options, TranslationUnit unit)
    {
        this.options = options;
        this.unit = unit;
        headerDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.HeaderDirectory))
            + Path.DirectorySeparatorChar;
        typePrefix = options.Prefix;
        macroPrefix = options.Prefix.ToUpperInvariant();
    }

    /// <summary>The API of every header that has something to emit, in include order.</summary>
    public static IReadOnlyList<HeaderApi> Read(BindingGeneratorOptions options, TranslationUnit unit)
    {
        var reader = new ApiReader(options, unit);
        var top = Children(unit.Cursor);
        foreach (var file in unit.FilesInIncludeOrder())
        {
            reader.includeOrder.Add(file, reader.includeOrder.Count);
        }
        reader.CollectTags(top);
        foreach (var cursor in top)
        {
            reader.Visit(cursor);
        }
        return reader.Headers();
    }

    /// <summary>A hyb_ enum or struct definition; <paramref name="Anonymous"/> when written without a tag name.</summary>
    private sealed record TagInfo(CXCursor Cursor, string CName, string CSharpName, bool Anonymous, CXCursor? Typedef);

    private sealed record Entry(ApiItem Item, int Start, int End, bool Grouped);

    // Pass 1: every enum/struct definition and the typedef that names it, so that any
    // declaration can refer to any hyb_ type, wherever it is declared.
    private void CollectTags(List<CXCursor> top)
    {
        foreach (var cursor in top)
        {
            var kind = clang_getCursorKind(cursor);
            if (kind is CXCursorKind.EnumDecl or CXCursorKind.StructDecl or CXCursorKind.UnionDecl
                && clang_isCursorDefinition(cursor) != 0 && InHeaders(cursor))
            {
                // "typedef struct { ... } x;": libclang spells the struct "x" (the typedef name
                // for linkage), so look at the tokens: the keyword is followed by '{'.
                var tokens = unit.Tokens(cursor);
                var anonymous = clang_Cursor_isAnonymous(cursor) != 0 || (tokens.Count > 1 && tokens[1].Spelling == "{");
                var name = Take(clang_getCursorSpelling(cursor));
                tags.TryAdd(Take(clang_getCursorUSR(cursor)), new TagInfo(cursor, name, Naming.PascalCase(name), anonymous, null));
            }
            else if (kind == CXCursorKind.TypedefDecl && InHeaders(cursor))
            {
                var name = Take(clang_getCursorSpelling(cursor));
                var underlying = TypeMapper.Unwrap(clang_getTypedefDeclUnderlyingType(cursor));
                if (underlying.Kind is not (CXTypeKind.Record or CXTypeKind.Enum))
                {
                    if (name.StartsWith(typePrefix, StringComparison.Ordinal))
                    {
                        throw Error(cursor, $"typedef {name}: only typedefs of enums and structs are supported");
                    }
                    continue;
                }
                // The typedef names the tag and, when it is written around the definition
                // ("typedef struct x { ... } x;"), its comment documents the type.
                var usr = Take(clang_getCursorUSR(clang_getTypeDeclaration(underlying)));
                if (tags.TryGetValue(usr, out var tag) && tag.Typedef is null
                    && (tag.Anonymous || tag.CName == name) && Encloses(cursor, tag.Cursor))
                {
                    tags[usr] = tag with { CName = name, CSharpName = Naming.PascalCase(name), Typedef = cursor };
                }
            }
        }

        foreach (var (usr, tag) in tags)
        {
            if (tag.CName.StartsWith(typePrefix, StringComparison.Ordinal))
            {
                types.AddTag(usr, tag.CSharpName);
            }
        }
    }

    private void Visit(CXCursor cursor)
    {
        var kind = clang_getCursorKind(cursor);
        if (kind is not (CXCursorKind.EnumDecl or CXCursorKind.StructDecl or CXCursorKind.UnionDecl
            or CXCursorKind.FunctionDecl or CXCursorKind.VarDecl or CXCursorKind.MacroDefinition)
            || !InHeaders(cursor))
        {
            return;
        }

        if (kind == CXCursorKind.MacroDefinition)
        {
            VisitMacro(cursor);
            return;
        }

        var name = Take(clang_getCursorSpelling(cursor));
        if (kind is CXCursorKind.EnumDecl or CXCursorKind.StructDecl or CXCursorKind.UnionDecl)
        {
            if (clang_isCursorDefinition(cursor) == 0
                || !tags.TryGetValue(Take(clang_getCursorUSR(cursor)), out var tag)
                || !tag.CName.StartsWith(typePrefix, StringComparison.Ordinal))
            {
                return;
            }
            if (kind == CXCursorKind.UnionDecl)
            {
                throw Error(cursor, $"union {tag.CName}: unions are not supported");
            }
            if (kind == CXCursorKind.EnumDecl)
            {
                AddEnum(tag);
            }
            else
            {
                AddStruct(tag);
            }
            return;
        }

        if (!name.StartsWith(typePrefix, StringComparison.Ordinal))
        {
            return;
        }
        if (kind == CXCursorKind.VarDecl)
        {
            throw Error(cursor, $"variable {name}: global variables are not part of the ABI; use a function or a macro");
        }
        if (clang_Cursor_getStorageClass(cursor) == CX_StorageClass.Static)
        {
            return; // a static (inline) helper is not exported by the library
        }
        AddFunction(cursor, name);
    }

    private void AddEnum(TagInfo tag)
    {
        var cursor = tag.Cursor;
        var size = clang_Type_getSizeOf(clang_getCursorType(cursor));
        if (size != 4)
        {
            throw Error(cursor, $"enum {tag.CName} is {size} bytes; the ABI's enums are 32-bit");
        }

        var file = File(cursor);
        var members = new List<EnumMember>();
        foreach (var child in Children(cursor))
        {
            if (clang_getCursorKind(child) != CXCursorKind.EnumConstantDecl)
            {
                continue;
            }
            var memberName = Take(clang_getCursorSpelling(child));
            var csharpName = Naming.EnumMember(tag.CName, memberName)
                ?? throw Error(child, $"enumerator {memberName} of {tag.CName} must be named " +
                                      $"{tag.CName.ToUpperInvariant()}_<NAME> with NAME not starting with a digit");
            var value = clang_getEnumConstantDeclValue(child);
            if (value is < int.MinValue or > int.MaxValue)
            {
                throw Error(child, $"enumerator {memberName} = {value} does not fit the 32-bit enum");
            }
            if (members.Any(m => m.CSharpName == csharpName))
            {
                throw Error(child, $"enumerator {memberName} of {tag.CName} gives the C# name {csharpName} twice");
            }
            var (start, end) = TranslationUnit.Extent(child);
            members.Add(new EnumMember(memberName, csharpName, value, file.Doc(start.Offset, end.Offset),
                file.Text(start.Offset, end.Offset)));
        }
        if (members.Count == 0)
        {
            throw Error(cursor, $"enum {tag.CName} has no enumerators");
        }

        var (itemStart, itemEnd) = TagExtent(tag);
        var item = new EnumItem(tag.CName, Relative(file.Path), itemStart, file.Doc(itemStart, itemEnd),
            TagSpelling(tag, "enum"), tag.CSharpName, size, members);
        Add(file, item, itemStart, itemEnd, grouped: false);
    }

    private void AddStruct(TagInfo tag)
    {
        var cursor = tag.Cursor;
        var file = File(cursor);
        var fields = new List<StructField>();
        foreach (var child in Children(cursor))
        {
            var childKind = clang_getCursorKind(child);
            var fieldName = Take(clang_getCursorSpelling(child));
            if (childKind != CXCursorKind.FieldDecl)
            {
                throw Error(child, $"struct {tag.CName}: nested declarations are not supported");
            }
            var context = $"field {tag.CName}.{fieldName} ({Where(child)})";
            if (clang_Cursor_isBitField(child) != 0)
            {
                throw new BindGenException($"{context}: bit-fields are not supported");
            }
            var offsetBits = clang_Cursor_getOffsetOfField(child);
            if (offsetBits < 0 || offsetBits % 8 != 0)
            {
                throw new BindGenException($"{context}: clang gives no byte offset ({offsetBits} bits)");
            }
            var fieldType = clang_getCursorType(child);
            var mapped = types.Map(fieldType, TypePosition.Field, context);
            var csharpName = Naming.PascalCase(fieldName);
            if (csharpName.Length == 0 || csharpName == tag.CSharpName || fields.Any(f => f.CSharpName == csharpName))
            {
                throw new BindGenException($"{context}: its C# name '{csharpName}' is empty or clashes with the struct or another field");
            }
            var cType = TypeMapper.Spelling(fieldType);
            var cSpelling = mapped.FixedLength is { } length
                ? $"{TypeMapper.Spelling(clang_getArrayElementType(fieldType))} {fieldName}[{length}]"
                : $"{cType} {fieldName}";
            var (start, end) = TranslationUnit.Extent(child);
            fields.Add(new StructField(fieldName, csharpName, mapped.Name, mapped.FixedLength, offsetBits / 8,
                file.Doc(start.Offset, end.Offset), cSpelling));
        }
        if (fields.Count == 0)
        {
            throw Error(cursor, $"struct {tag.CName} has no fields");
        }

        var size = clang_Type_getSizeOf(clang_getCursorType(cursor));
        var (itemStart, itemEnd) = TagExtent(tag);
        var item = new StructItem(tag.CName, Relative(file.Path), itemStart, file.Doc(itemStart, itemEnd),
            TagSpelling(tag, "struct"), tag.CSharpName, size, fields);
        Add(file, item, itemStart, itemEnd, grouped: false);
    }

    private void AddFunction(CXCursor cursor, string name)
    {
        if (!seen.Add("function " + name))
        {
            return; // a redeclaration
        }
        var context = $"function {name} ({Where(cursor)})";
        var functionType = clang_getCursorType(cursor);
        if (functionType.Kind == CXTypeKind.FunctionNoProto)
        {
            throw new BindGenException($"{context}: declared without a prototype; write {name}(void)");
        }
        if (clang_Cursor_isVariadic(cursor) != 0)
        {
            throw new BindGenException($"{context}: varargs are not part of the ABI");
        }
        if (options.RequireDefaultVisibility && clang_getCursorVisibility(cursor) != CXVisibilityKind.Default)
        {
            throw new BindGenException($"{context}: not exported (declare it with the export macro, e.g. HYB_API)");
        }

        var resultType = clang_getCursorResultType(cursor);
        var returnType = types.Map(resultType, TypePosition.Return, context).Name;
        var parameters = new List<FunctionParameter>();
        var cParameters = new List<string>();
        var count = clang_Cursor_getNumArguments(cursor);
        for (uint i = 0; i < count; i++)
        {
            var argument = clang_Cursor_getArgument(cursor, i);
            var argumentName = Take(clang_getCursorSpelling(argument));
            if (argumentName.Length == 0)
            {
                throw new BindGenException($"{context}: parameter {i + 1} has no name; name every parameter in the header");
            }
            var argumentType = clang_getCursorType(argument);
            var mapped = types.Map(argumentType, TypePosition.Parameter, $"parameter {argumentName} of {context}");
            parameters.Add(new FunctionParameter(Naming.Identifier(argumentName), mapped.Name));
            cParameters.Add($"{TypeMapper.Spelling(argumentType)} {argumentName}");
        }

        var file = File(cursor);
        var (start, end) = TranslationUnit.Extent(cursor);
        var parameterList = count == 0 ? "void" : string.Join(", ", cParameters);
        var spelling = $"{TypeMapper.Spelling(resultType)} {name}({parameterList})";
        var item = new FunctionItem(name, Relative(file.Path), start.Offset, file.Doc(start.Offset, end.Offset),
            spelling, returnType, parameters);
        Add(file, item, start.Offset, end.Offset, grouped: true);
    }

    private void VisitMacro(CXCursor cursor)
    {
        var name = Take(clang_getCursorSpelling(cursor));
        if (!name.StartsWith(macroPrefix, StringComparison.Ordinal) || clang_Cursor_isMacroFunctionLike(cursor) != 0)
        {
            return;
        }
        var tokens = unit.Tokens(cursor);
        if (tokens.Count != 2 || tokens[0].Spelling != name || tokens[1].Kind != CXTokenKind.Literal
            || IntegerLiteral(tokens[1].Spelling) is not { } constant)
        {
            return; // not a single integer literal: HYB_API, HYB_EXTERN_C_BEGIN, a float, an expression
        }
        if (!seen.Add("macro " + name))
        {
            throw Error(cursor, $"macro {name} is defined twice");
        }

        var file = File(cursor);
        var (start, end) = TranslationUnit.Extent(cursor);
        var lineStart = file.LineStart(start.Offset); // the '#' of "#define"
        var item = new ConstantItem(name, Relative(file.Path), lineStart, file.Doc(lineStart, end.Offset),
            "#define " + file.Text(start.Offset, end.Offset), constant.Type, constant.Value);
        Add(file, item, lineStart, end.Offset, grouped: true);
    }

    /// <summary>A C integer literal (decimal, hex, octal, binary; u/l suffixes) as a C# const type and value.</summary>
    internal static (string Type, string Value)? IntegerLiteral(string literal)
    {
        var match = IntegerLiteralPattern().Match(literal);
        if (!match.Success)
        {
            return null;
        }
        var digits = match.Groups["digits"].Value;
        var suffix = match.Groups["suffix"].Value.ToUpperInvariant();
        BigInteger value;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        else if (digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
        {
            value = digits[2..].Aggregate(BigInteger.Zero, (v, c) => v * 2 + (c - '0'));
        }
        else if (digits.Length > 1 && digits[0] == '0')
        {
            value = digits[1..].Aggregate(BigInteger.Zero, (v, c) => v * 8 + (c - '0'));
        }
        else
        {
            value = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        }

        var unsigned = suffix.Contains('U');
        var isLong = suffix.Contains('L');
        string? type = (unsigned, isLong) switch
        {
            (false, false) when value <= int.MaxValue => "int",
            (true, false) when value <= uint.MaxValue => "uint",
            (false, _) when value <= long.MaxValue => "long",
            _ when value <= ulong.MaxValue => "ulong",
            _ => null,
        };
        return type is null ? null : (type, value.ToString(CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("^(?<digits>0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)" +
                    "(?<suffix>[uU]?(?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU])$")]
    private static partial Regex IntegerLiteralPattern();

    private void Add(SourceFile file, ApiItem item, int start, int end, bool grouped)
    {
        if (!items.TryGetValue(file.Path, out var list))
        {
            items[file.Path] = list = [];
        }
        list.Add(new Entry(item, start, end, grouped));
    }

    // A function or macro without a comment of its own shares the comment of the one on the
    // line above it, so "/* Encodes ... */ f_u8(...); f_u16(...);" documents both.
    private List<HeaderApi> Headers()
    {
        var result = new List<HeaderApi>();
        var paths = items.Keys
            .OrderBy(p => includeOrder.TryGetValue(p, out var rank) ? rank : int.MaxValue)
            .ThenBy(p => p, StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var file = files[path];
            var entries = items[path].OrderBy(e => e.Start).ToList();
            var documented = new List<ApiItem>(entries.Count);
            for (var i = 0; i < entries.Count; i++)
            {
                var (item, start, _, grouped) = entries[i];
                if (item.Doc.Count == 0 && grouped && i > 0 && entries[i - 1].Item.GetType() == item.GetType()
                    && file.DirectlyFollows(entries[i - 1].End, start))
                {
                    item = item with { Doc = documented[i - 1].Doc };
                }
                documented.Add(item);
            }
            result.Add(new HeaderApi(path, Relative(path), Naming.OutputFileName(path), documented));
        }
        return result;
    }

    private (int Start, int End) TagExtent(TagInfo tag)
    {
        var (start, end) = TranslationUnit.Extent(tag.Typedef ?? tag.Cursor);
        return (start.Offset, end.Offset);
    }

    private static string TagSpelling(TagInfo tag, string keyword)
    {
        var tagName = tag.Anonymous ? string.Empty : Take(clang_getCursorSpelling(tag.Cursor)) + " ";
        return tag.Typedef is null ? $"{keyword} {tagName}{{ ... }}" : $"typedef {keyword} {tagName}{{ ... }} {tag.CName}";
    }

    private static bool Encloses(CXCursor outer, CXCursor inner)
    {
        var (outerStart, outerEnd) = TranslationUnit.Extent(outer);
        var (innerStart, innerEnd) = TranslationUnit.Extent(inner);
        return outerStart.File == innerStart.File && outerStart.Offset <= innerStart.Offset && innerEnd.Offset <= outerEnd.Offset;
    }

    private bool InHeaders(CXCursor cursor)
    {
        var file = TranslationUnit.Position(clang_getCursorLocation(cursor)).File;
        return file.StartsWith(headerDirectory, StringComparison.Ordinal);
    }

    private SourceFile File(CXCursor cursor)
    {
        var path = TranslationUnit.Position(clang_getCursorLocation(cursor)).File;
        if (!files.TryGetValue(path, out var file))
        {
            files[path] = file = new SourceFile(path);
        }
        return file;
    }

    private string Relative(string path) => Path.GetRelativePath(options.RepositoryRoot, path).Replace('\\', '/');

    private string Where(CXCursor cursor)
    {
        var position = TranslationUnit.Position(clang_getCursorLocation(cursor));
        return $"{Relative(position.File)}:{position.Line}";
    }

    private BindGenException Error(CXCursor cursor, string message) => new($"{Where(cursor)}: {message}");
}
