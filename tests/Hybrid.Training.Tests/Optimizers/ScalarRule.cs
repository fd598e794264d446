using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>
/// The Scalar-lifetime rule of <c>TorchScalars</c> (issue 15 item 2) checked statically, so that it no longer
/// rests on a collector thread winning a race (issue 22 item 17). TorchSharp 0.107's <c>Scalar</c> is freed by
/// its finalizer, and TorchSharp passes <c>scalar.Handle</c> to native code without keeping the Scalar alive;
/// a Scalar nobody holds can therefore be freed during the call that reads it. This compiles C# sources with
/// Roslyn against the real assemblies and lists every place that makes such a Scalar:
/// <list type="bullet">
/// <item>an implicit conversion to <c>Scalar</c> (<c>t.mul_(0.5)</c>, <c>t.clamp_(0, 7)</c>), unless it initialises
/// a <c>using</c> local (alive to the end of its block) or a static readonly field (alive for the process);</item>
/// <item>a TorchSharp operator with a number operand (<c>t * 2.0</c>, <c>1 - t</c>): the operator converts the
/// number to a Scalar inside TorchSharp, where nothing keeps it alive;</item>
/// <item>every TorchSharp <c>+</c> and <c>scalar − tensor</c> (both end in an <c>add</c> whose alpha = 1 TorchSharp makes
/// itself), and the overloads that make their own alpha = 1
/// (<c>add(Tensor)</c>, <c>add(Scalar)</c>, <c>add_(…)</c>, two-argument <c>addcdiv</c>/<c>addcdiv_</c>; read from
/// TorchSharp 0.107's Tensor.Math.cs and Tensor.Operators.cs; <c>sub(Tensor)</c> and
/// <c>tensor - tensor</c> pass no alpha).</item>
/// </list>
/// What it cannot see: a conversion TorchSharp makes inside a method that takes a plain number (not a Scalar)
/// and is not listed above. The timing harness in <see cref="ScalarLifetimeTests"/> stays available for those,
/// as an explicit test.
/// </summary>
public static class ScalarRule
{
    /// <summary>One place that makes a Scalar nobody keeps alive.</summary>
    public sealed record Finding(string File, int Line, string Code, string Why)
    {
        /// <inheritdoc />
        public override string ToString() => $"{File}:{Line}: {Why}: {Code}";
    }

    private static readonly HashSet<string> OwnAlpha = ["add", "add_"];
    private static readonly HashSet<string> OwnValue = ["addcdiv", "addcdiv_"];

    /// <summary>
    /// Every finding in <paramref name="sources"/> (path, text), compiled against <paramref name="references"/>, and the
    /// compilation's errors: a name that does not bind hides what it does, so a scan with errors proves nothing.
    /// </summary>
    public static (IReadOnlyList<Finding> Findings, IReadOnlyList<string> Errors) Scan(IEnumerable<(string Path, string Text)> sources,
        IEnumerable<string> references)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)).ToList();
        var compilation = CSharpCompilation.Create("scalar-rule", trees,
            references.Select(r => MetadataReference.CreateFromFile(r)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true));
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar")
                     ?? throw new InvalidOperationException("TorchSharp.Scalar is not among the references");
        var tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor")
                     ?? throw new InvalidOperationException("TorchSharp.torch.Tensor is not among the references");
        var findings = new List<Finding>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var seen = new HashSet<IOperation>();
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not (BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax
                    or EqualsValueClauseSyntax or ConstructorInitializerSyntax or PrimaryConstructorBaseTypeSyntax)) continue;
                var root = model.GetOperation(node);
                if (root is null) continue;
                foreach (var op in root.DescendantsAndSelf())
                {
                    if (!seen.Add(op)) continue;
                    string? why = Check(op, scalar, tensor);
                    if (why is null) continue;
                    var line = op.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    findings.Add(new Finding(tree.FilePath, line, op.Syntax.ToString(), why));
                }
            }
        }
        // CS8795: a [LibraryImport] partial method, whose body the build's source generator writes (not run here)
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795")
            .Select(d => d.ToString()).Take(20).ToList();
        return (findings.Distinct().ToList(), errors);
    }

    private static string? Check(IOperation op, INamedTypeSymbol scalar, INamedTypeSymbol tensor)
    {
        switch (op)
        {
            case IConversionOperation { OperatorMethod: { } m } c
                when SymbolEqualityComparer.Default.Equals(c.Type, scalar) && m.Name == "op_Implicit" && !KeptAlive(c):
                return "a number made into a Scalar that nobody keeps alive";
            case IBinaryOperation { OperatorMethod: { } m } b when SymbolEqualityComparer.Default.Equals(m.ContainingType, tensor):
                if (m.Parameters.Any(p => p.Type.SpecialType is >= SpecialType.System_SByte and <= SpecialType.System_Double))
                    return $"TorchSharp's operator {m.Name} turns its number operand into a Scalar nobody keeps alive";
                // every + is add(x) with an alpha = 1 of TorchSharp's making; Scalar − Tensor is −t + s, the same add
                if (m.Name == "op_Addition"
                    || (m.Name == "op_Subtraction" && !SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, tensor)))
                    return $"TorchSharp's {m.Name} makes its own alpha Scalar (use Plus, or add(x, TorchScalars.One))";
                return null;
            case IInvocationOperation { TargetMethod: { } t } when SymbolEqualityComparer.Default.Equals(t.ContainingType, tensor):
                if (OwnAlpha.Contains(t.Name) && t.Parameters.Length == 1)
                    return $"Tensor.{t.Name} without alpha makes its own alpha Scalar (pass TorchScalars.One)";
                if (OwnValue.Contains(t.Name) && t.Parameters.Length == 2)
                    return $"Tensor.{t.Name} without value makes its own Scalar (pass a kept one)";
                return null;
            default:
                return null;
        }
    }

    /// <summary>Whether the converted Scalar is held: it initialises a <c>using</c> local or a static readonly field.</summary>
    private static bool KeptAlive(IConversionOperation c)
    {
        var parent = c.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation) parent = parent.Parent;
        switch (parent)
        {
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation decl } }:
                return decl.Parent is IVariableDeclarationGroupOperation { Parent: IUsingOperation or IUsingDeclarationOperation };
            case IFieldInitializerOperation f:
                return f.InitializedFields.All(x => x.IsStatic && x.IsReadOnly);
            default:
                return false;
        }
    }

    /// <summary>
    /// The C# files of a project folder as its build compiles them: every source outside bin/ and obj/, plus the
    /// global usings the build generated (obj/&lt;configuration&gt;/&lt;tfm&gt;/*.GlobalUsings.g.cs, the newest).
    /// </summary>
    public static IEnumerable<(string Path, string Text)> Sources(string folder)
    {
        static bool Built(string p) => p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                                       || p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}");
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Where(p => !Built(p)).Order(StringComparer.Ordinal);
        var usings = Directory.Exists(Path.Combine(folder, "obj"))
            ? Directory.EnumerateFiles(Path.Combine(folder, "obj"), "*.GlobalUsings.g.cs", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc).Take(1)
            : [];
        return files.Concat(usings).Select(p => (p, File.ReadAllText(p)));
    }

    /// <summary>
    /// The shared framework's assemblies and those of one build output (<paramref name="output"/>, default: beside the
    /// tests; a project's own bin folder holds its whole closure at the versions it was built with), except the
    /// assemblies named in <paramref name="exclude"/> (compiled from source instead).
    /// </summary>
    public static IEnumerable<string> References(IEnumerable<string> exclude, string? output = null)
    {
        string runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.StartsWith(runtime, StringComparison.Ordinal));
        var built = Directory.EnumerateFiles(output ?? AppContext.BaseDirectory, "*.dll")
            .Where(p => !exclude.Contains(Path.GetFileNameWithoutExtension(p)));
        return framework.Concat(built).DistinctBy(Path.GetFileName);
    }
}
