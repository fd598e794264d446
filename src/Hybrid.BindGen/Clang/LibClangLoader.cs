using System.Reflection;
using System.Runtime.InteropServices;

namespace Hybrid.BindGen.Clang;

/// <summary>
/// Finds libclang.so from the libclang.runtime.linux-x64 package. The package puts it in
/// runtimes/linux-x64/native/ of the output folder, where the runtime's own probing (through
/// the .deps.json) normally finds it; when that fails we look in the likely places ourselves
/// and, failing that, say everywhere we looked.
/// </summary>
internal static class LibClangLoader
{
    private const string FileName = "libclang.so";

    private static readonly Lock Gate = new();
    private static nint handle;
    private static bool resolverInstalled;

    /// <summary>Loads libclang once per process, or throws a <see cref="BindGenException"/>.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (handle != 0)
            {
                return;
            }

            var assembly = typeof(LibClangLoader).Assembly;
            var tried = new List<string>();
            if (NativeLibrary.TryLoad(LibClang.LibraryName, assembly, null, out var loaded))
            {
                handle = loaded;
            }
            else
            {
                tried.Add($"'{LibClang.LibraryName}' by the runtime's default probing " +
                          "(the .deps.json, the app folder, the system loader path)");
                foreach (var path in CandidatePaths(assembly))
                {
                    tried.Add(path);
                    if (File.Exists(path) && NativeLibrary.TryLoad(path, out loaded))
                    {
                        handle = loaded;
                        break;
                    }
                }
            }

            if (handle == 0)
            {
                throw new BindGenException(
                    "libclang failed to load. It comes from the NuGet package libclang.runtime.linux-x64 " +
                    "(see Directory.Packages.props); restore and build src/Hybrid.BindGen, which copies it to " +
                    $"runtimes/linux-x64/native/{FileName} in the output folder. Looked in:" +
                    string.Concat(tried.Select(t => "\n  " + t)));
            }

            if (!resolverInstalled)
            {
                NativeLibrary.SetDllImportResolver(assembly, Resolve);
                resolverInstalled = true;
            }
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == LibClang.LibraryName ? handle : 0;

    private static IEnumerable<string> CandidatePaths(Assembly assembly)
    {
        var folders = new List<string> { Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory) };
        var assemblyFolder = Path.GetDirectoryName(assembly.Location);
        if (!string.IsNullOrEmpty(assemblyFolder) && !folders.Contains(Path.TrimEndingDirectorySeparator(assemblyFolder)))
        {
            folders.Add(Path.TrimEndingDirectorySeparator(assemblyFolder));
        }

        foreach (var folder in folders)
        {
            yield return Path.Combine(folder, "runtimes", "linux-x64", "native", FileName);
            yield return Path.Combine(folder, FileName);
        }
    }
}
