using Hybrid.BindGen.Model;

namespace Hybrid.BindGen.Emit;

/// <summary>
/// Writes the NUnit layout tests: per struct, sizeof and every field's offset equal clang's;
/// per enum, every member's value equals clang's and the enum is 4 bytes. Offsets are
/// measured by pointer arithmetic on a local, i.e. in the managed layout that native code sees.
/// </summary>
internal static class LayoutTestsEmitter
{
    public static string Emit(IReadOnlyList<HeaderApi> headers, BindingGeneratorOptions options)
    {
        var code = new CodeBuilder();
        code.Banner([.. headers.Select(h => h.RelativePath)], options.RegenerateCommand);
        code.Line();
        code.Line($"using {options.BindingsNamespace};");
        code.Line();
        code.Line($"namespace {options.TestsNamespace};");
        code.Line();
        code.Line("/// <summary>The C# bindings have clang's struct layouts and enum values.</summary>");
        code.Line("[TestFixture]");
        code.Open("public sealed unsafe class LayoutTests");

        var first = true;
        foreach (var item in headers.SelectMany(h => h.Items))
        {
            if (item is not (StructItem or EnumItem))
            {
                continue;
            }
            if (!first)
            {
                code.Line();
            }
            first = false;
            if (item is StructItem structItem)
            {
                EmitStructTest(code, structItem);
            }
            else
            {
                EmitEnumTest(code, (EnumItem)item);
            }
        }

        code.Close();
        return code.ToString();
    }

    private static void EmitStructTest(CodeBuilder code, StructItem item)
    {
        var type = item.CSharpName;
        code.Line($"/// <summary>{item.CName} in {item.RelativeHeader}.</summary>");
        code.Line("[Test]");
        code.Open($"public void {type}HasClangLayout()");
        code.Line($"var value = default({type});");
        code.Line("var start = (byte*)&value;");
        code.Line("using (Assert.EnterMultipleScope())");
        code.Line("{");
        code.Line($"    Assert.That(sizeof({type}), Is.EqualTo({item.SizeOf}), \"sizeof({item.CName})\");");
        foreach (var field in item.Fields)
        {
            // A fixed buffer is already a pointer to its first element.
            var address = field.FixedLength is null ? $"&value.{field.CSharpName}" : $"value.{field.CSharpName}";
            var message = $"offsetof({item.CName}, {field.CName})";
            code.Line($"    Assert.That((byte*){address} - start, Is.EqualTo({field.Offset}), \"{message}\");");
        }
        code.Line("}");
        code.Close();
    }

    private static void EmitEnumTest(CodeBuilder code, EnumItem item)
    {
        var type = item.CSharpName;
        code.Line($"/// <summary>{item.CName} in {item.RelativeHeader}.</summary>");
        code.Line("[Test]");
        code.Open($"public void {type}HasClangValues()");
        code.Line("using (Assert.EnterMultipleScope())");
        code.Line("{");
        code.Line($"    Assert.That(sizeof({type}), Is.EqualTo({item.SizeOf}), \"sizeof({item.CName})\");");
        foreach (var member in item.Members)
        {
            code.Line($"    Assert.That((int){type}.{member.CSharpName}, Is.EqualTo({member.Value}), \"{member.CName}\");");
        }
        code.Line("}");
        code.Close();
    }
}
