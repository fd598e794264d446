using Hybrid.BindGen.Model;

namespace Hybrid.BindGen.Emit;

/// <summary>
/// Writes one header's bindings: enums, [StructLayout(Sequential)] structs, [LibraryImport]
/// functions in the partial native class and integer macros in the partial constants class,
/// in header order (a run of functions or constants shares one partial class block).
/// </summary>
internal static class BindingsEmitter
{
    /// <param name="documentedClasses">The partial classes that already have their XML summary
    /// (on one part only, so that it is not repeated); this call adds the ones it documents.</param>
    public static string Emit(HeaderApi header, BindingGeneratorOptions options, ISet<string> documentedClasses)
    {
        var code = new CodeBuilder();
        code.Banner([header.RelativePath], options.RegenerateCommand);
        code.Line();
        if (header.Items.Any(i => i is StructItem or FunctionItem))
        {
            code.Line("using System.Runtime.InteropServices;");
            code.Line();
        }
        code.Line($"namespace {options.BindingsNamespace};");

        var items = header.Items;
        for (var i = 0; i < items.Count;)
        {
            code.Line();
            switch (items[i])
            {
                case EnumItem item:
                    EmitEnum(code, item);
                    i++;
                    break;
                case StructItem item:
                    EmitStruct(code, item);
                    i++;
                    break;
                case FunctionItem:
                    ClassSummary(
                        code, options.NativeClassName, "The functions of the C ABI, as blittable P/Invoke.", documentedClasses);
                    code.Open($"public static unsafe partial class {options.NativeClassName}");
                    i = EmitRun<FunctionItem>(code, items, i, f => EmitFunction(code, f, options));
                    code.Close();
                    break;
                case ConstantItem:
                    ClassSummary(code, options.ConstantsClassName, "The integer macros of the C headers.", documentedClasses);
                    code.Open($"public static partial class {options.ConstantsClassName}");
                    i = EmitRun<ConstantItem>(code, items, i, c => EmitConstant(code, c));
                    code.Close();
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected item {items[i]}.");
            }
        }
        return code.ToString();
    }

    private static void ClassSummary(CodeBuilder code, string className, string summary, ISet<string> documentedClasses)
    {
        if (documentedClasses.Add(className))
        {
            code.Line($"/// <summary>{summary}</summary>");
        }
    }

    private static int EmitRun<T>(CodeBuilder code, IReadOnlyList<ApiItem> items, int i, Action<T> emit)
        where T : ApiItem
    {
        var first = true;
        for (; i < items.Count && items[i] is T item; i++)
        {
            if (!first)
            {
                code.Line();
            }
            emit(item);
            first = false;
        }
        return i;
    }

    private static void EmitEnum(CodeBuilder code, EnumItem item)
    {
        code.Summary(item.Doc, Undocumented(item.CName, item.RelativeHeader));
        code.Line($"// C: {item.CSpelling}");
        code.Open($"public enum {item.CSharpName} : int");
        for (var i = 0; i < item.Members.Count; i++)
        {
            var member = item.Members[i];
            if (i > 0)
            {
                code.Line();
            }
            code.Summary(member.Doc, Undocumented(member.CName, item.RelativeHeader));
            code.Line($"// C: {member.CSpelling}");
            code.Line($"{member.CSharpName} = {member.Value},");
        }
        code.Close();
    }

    private static void EmitStruct(CodeBuilder code, StructItem item)
    {
        code.Summary(item.Doc, Undocumented(item.CName, item.RelativeHeader));
        code.Line($"// C: {item.CSpelling} ({item.SizeOf} bytes)");
        code.Line("[StructLayout(LayoutKind.Sequential)]");
        code.Open($"public unsafe partial struct {item.CSharpName}");
        for (var i = 0; i < item.Fields.Count; i++)
        {
            var field = item.Fields[i];
            if (i > 0)
            {
                code.Line();
            }
            code.Summary(field.Doc, Undocumented($"{item.CName}.{field.CName}", item.RelativeHeader));
            code.Line($"// C: {field.CSpelling} (offset {field.Offset})");
            code.Line(field.FixedLength is { } length
                ? $"public fixed {field.CSharpType} {field.CSharpName}[{length}];"
                : $"public {field.CSharpType} {field.CSharpName};");
        }
        code.Close();
    }

    private static void EmitFunction(CodeBuilder code, FunctionItem item, BindingGeneratorOptions options)
    {
        code.Summary(item.Doc, Undocumented(item.CName, item.RelativeHeader));
        code.Line($"// C: {item.CSpelling}");
        code.Line($"[LibraryImport(\"{options.LibraryName}\", EntryPoint = \"{item.CName}\")]");
        var parameters = string.Join(", ", item.Parameters.Select(p => $"{p.CSharpType} {p.CSharpName}"));
        code.Line($"public static partial {item.ReturnType} {item.CName}({parameters});");
    }

    private static void EmitConstant(CodeBuilder code, ConstantItem item)
    {
        code.Summary(item.Doc, Undocumented(item.CName, item.RelativeHeader));
        code.Line($"// C: {item.CSpelling}");
        code.Line($"public const {item.CSharpType} {item.CName} = {item.CSharpValue};");
    }

    internal static string Undocumented(string cName, string header) => $"{cName} (no comment in {header}).";
}
