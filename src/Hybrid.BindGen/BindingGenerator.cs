using Hybrid.BindGen.Emit;
using Hybrid.BindGen.Parsing;

namespace Hybrid.BindGen;

/// <summary>
/// Generates the C# bindings of the Hybrid C ABI and their layout tests from the headers,
/// with libclang. Usable as a library (the bindings-are-current test calls it) and through
/// Program (dotnet run --project src/Hybrid.BindGen).
/// </summary>
public static class BindingGenerator
{
    /// <summary>Hybrid's outputs: repository-relative path ('/'-separated) → file content.</summary>
    public static IReadOnlyDictionary<string, string> Generate(string repoRoot) =>
        Generate(BindingGeneratorOptions.ForRepository(repoRoot));

    /// <summary>
    /// The outputs for <paramref name="options"/>: one bindings file per header that declares
    /// something, plus one layout-test file; keys are '/'-separated paths relative to
    /// <see cref="BindingGeneratorOptions.RepositoryRoot"/>, ordered ordinally.
    /// </summary>
    /// <exception cref="BindGenException">A header is missing, libclang did not load, clang
    /// reported an error, or a declaration cannot be expressed in C#.</exception>
    public static IReadOnlyDictionary<string, string> Generate(BindingGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.GetFullPath(options.RepositoryRoot);
        options = options with
        {
            RepositoryRoot = root,
            HeaderDirectory = Path.GetFullPath(options.HeaderDirectory, root),
            EntryHeader = Path.GetFullPath(options.EntryHeader, root),
            IncludeDirectories = [.. options.IncludeDirectories.Select(d => Path.GetFullPath(d, root))],
        };

        if (!Directory.Exists(options.HeaderDirectory))
        {
            throw new BindGenException($"Header folder not found: {options.HeaderDirectory}");
        }
        if (!File.Exists(options.EntryHeader))
        {
            throw new BindGenException($"Header not found: {options.EntryHeader}");
        }

        using var unit = TranslationUnit.Parse(options.EntryHeader, ClangArguments(options));
        var included = unit.FilesInIncludeOrder().ToHashSet(StringComparer.Ordinal);
        var unreached = Directory.EnumerateFiles(options.HeaderDirectory, "*.h", SearchOption.AllDirectories)
            .Select(Path.GetFullPath)
            .Where(h => !included.Contains(h))
            .Select(h => Path.GetRelativePath(root, h))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unreached.Count > 0)
        {
            var entry = Path.GetRelativePath(root, options.EntryHeader);
            throw new BindGenException(
                $"{string.Join(", ", unreached)}: not included (directly or indirectly) by {entry}, " +
                "so it would not be bound; include it there.");
        }

        var headers = ApiReader.Read(options, unit);
        var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var documentedClasses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            var path = $"{options.BindingsDirectory.TrimEnd('/')}/{header.OutputName}";
            if (!outputs.TryAdd(path, BindingsEmitter.Emit(header, options, documentedClasses)))
            {
                throw new BindGenException($"Two headers map to the same output file {path}; rename one.");
            }
        }
        outputs.Add($"{options.TestsDirectory.TrimEnd('/')}/LayoutTests.g.cs", LayoutTestsEmitter.Emit(headers, options));
        return outputs;
    }

    private static List<string> ClangArguments(BindingGeneratorOptions options)
    {
        List<string> arguments = ["-x", "c", "-std=c11"];
        if (options.RequireDefaultVisibility)
        {
            arguments.Add("-fvisibility=hidden"); // as the library is built: only exported functions are visible
        }
        foreach (var include in options.IncludeDirectories)
        {
            arguments.Add("-I" + include);
        }
        // libclang's NuGet runtime ships no builtin headers (stddef.h, stdint.h's helpers);
        // gcc's folder has them.
        if (TranslationUnit.GccIncludeDirectory() is { } gccInclude)
        {
            arguments.Add("-isystem");
            arguments.Add(gccInclude);
        }
        arguments.AddRange(options.ExtraClangArguments);
        return arguments;
    }
}
