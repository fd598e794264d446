namespace Hybrid.BindGen;

/// <summary>
/// What to parse and where the output goes. <see cref="ForRepository"/> gives Hybrid's own
/// configuration; tests build others (a fixture header, another namespace).
/// </summary>
public sealed record BindingGeneratorOptions
{
    /// <summary>Paths in banners, messages and the output keys are relative to this folder.</summary>
    public required string RepositoryRoot { get; init; }

    /// <summary>Only declarations in files under this folder are emitted.</summary>
    public required string HeaderDirectory { get; init; }

    /// <summary>The header clang parses; every header in <see cref="HeaderDirectory"/> must be reachable from it.</summary>
    public required string EntryHeader { get; init; }

    /// <summary>-I folders (absolute, or relative to <see cref="RepositoryRoot"/>).</summary>
    public required IReadOnlyList<string> IncludeDirectories { get; init; }

    /// <summary>Functions and types named with this prefix are emitted; macros with it upper-cased.</summary>
    public string Prefix { get; init; } = "hyb_";

    /// <summary>Fail on a function that is not exported (parsed with -fvisibility=hidden, like the library).</summary>
    public bool RequireDefaultVisibility { get; init; } = true;

    /// <summary>More clang arguments, after the generator's own (-std=c11, -I, -isystem gcc's include).</summary>
    public IReadOnlyList<string> ExtraClangArguments { get; init; } = [];

    /// <summary>The native library name in [LibraryImport].</summary>
    public string LibraryName { get; init; } = "hybrid";

    public string BindingsNamespace { get; init; } = "Hybrid.Native.Interop";

    /// <summary>Output folder of the bindings, relative to <see cref="RepositoryRoot"/>, '/'-separated.</summary>
    public string BindingsDirectory { get; init; } = "src/Hybrid.Native/Generated";

    public string NativeClassName { get; init; } = "HybridNative";

    public string ConstantsClassName { get; init; } = "HybridConstants";

    public string TestsNamespace { get; init; } = "Hybrid.Native.Tests.Generated";

    /// <summary>Output folder of the layout tests, relative to <see cref="RepositoryRoot"/>, '/'-separated.</summary>
    public string TestsDirectory { get; init; } = "tests/Hybrid.Native.Tests/Generated";

    /// <summary>The command the banners tell a reader to run.</summary>
    public string RegenerateCommand { get; init; } = "dotnet run --project src/Hybrid.BindGen";

    /// <summary>Hybrid's configuration: native/include/hybrid/hybrid.h and everything it includes.</summary>
    public static BindingGeneratorOptions ForRepository(string repositoryRoot)
    {
        var root = Path.GetFullPath(repositoryRoot);
        var include = Path.Combine(root, "native", "include");
        return new BindingGeneratorOptions
        {
            RepositoryRoot = root,
            HeaderDirectory = Path.Combine(include, "hybrid"),
            EntryHeader = Path.Combine(include, "hybrid", "hybrid.h"),
            IncludeDirectories = [include],
        };
    }

    /// <summary>The folders whose *.g.cs files the generator owns (stale ones are deleted).</summary>
    public IReadOnlyList<string> OutputDirectories => [BindingsDirectory, TestsDirectory];
}
