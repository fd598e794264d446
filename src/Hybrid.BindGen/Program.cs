using Hybrid.BindGen;

// dotnet run --project src/Hybrid.BindGen [-- --root DIR] [--check]
// Exit codes: 0 done (or current), 1 --check found files out of date, 2 usage or generation error.

const string Usage =
    "Usage: dotnet run --project src/Hybrid.BindGen [-- [--root DIR] [--check]]\n" +
    "  Generates src/Hybrid.Native/Generated/*.g.cs and tests/Hybrid.Native.Tests/Generated/LayoutTests.g.cs\n" +
    "  from native/include/hybrid/*.h.\n" +
    "  --root DIR  the repository root (default: the nearest folder above the current one with Hybrid.sln)\n" +
    "  --check     write nothing; exit 1 and list the files that differ, are missing or are stale";

string? root = null;
var check = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--check":
            check = true;
            break;
        case "--root" when i + 1 < args.Length:
            root = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'.\n{Usage}");
            return 2;
    }
}

try
{
    root = root is null ? RepositoryRoot.Find(Environment.CurrentDirectory) : Path.GetFullPath(root);
    var options = BindingGeneratorOptions.ForRepository(root);
    var files = BindingGenerator.Generate(options);
    if (check)
    {
        var problems = GeneratedOutput.FindDifferences(root, files, options.OutputDirectories);
        if (problems.Count == 0)
        {
            Console.WriteLine($"Bindings are current ({files.Count} files).");
            return 0;
        }
        Console.Error.WriteLine($"Generated files are out of date; run: {options.RegenerateCommand}");
        foreach (var problem in problems)
        {
            Console.Error.WriteLine("  " + problem);
        }
        return 1;
    }

    var done = GeneratedOutput.Write(root, files, options.OutputDirectories);
    foreach (var line in done)
    {
        Console.WriteLine(line);
    }
    Console.WriteLine($"{files.Count} files generated, {done.Count} changed.");
    return 0;
}
catch (BindGenException e)
{
    Console.Error.WriteLine($"Hybrid.BindGen: {e.Message}");
    return 2;
}
