using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// Finds and loads libhybrid for the generated bindings, and checks that its ABI version is
/// the one the bindings were generated from.
/// </summary>
/// <remarks>
/// Search order: the file or folder named by the environment variable
/// <c>HYBRID_NATIVE_LIB</c>; then beside the application (<see cref="AppContext.BaseDirectory"/>);
/// then beside this assembly. A failure lists every place tried and why each failed.
/// </remarks>
public static class HybridLibrary
{
    /// <summary>The environment variable that overrides where libhybrid is loaded from.</summary>
    public const string PathVariable = "HYBRID_NATIVE_LIB";

    /// <summary>The library's name as the bindings import it.</summary>
    public const string LibraryName = "hybrid";

    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static string? _loadedFrom;
    private static bool _abiChecked;

    /// <summary>The file libhybrid was loaded from, or null before the first call.</summary>
    public static string? LoadedFrom => _loadedFrom;

    // A module initializer is the one hook that runs before any generated P/Invoke of this
    // assembly can bind, so the resolver is in place for the very first native call.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(HybridLibrary).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != LibraryName) return IntPtr.Zero;
        return Load();
    }

    /// <summary>Loads libhybrid (once) and returns its handle.</summary>
    /// <exception cref="DllNotFoundException">No candidate could be loaded; the message lists them.</exception>
    public static IntPtr Load()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero) return _handle;
            var tried = new List<string>();
            foreach (var candidate in Candidates())
            {
                if (!File.Exists(candidate))
                {
                    tried.Add($"{candidate} (no such file)");
                    continue;
                }
                try
                {
                    _handle = NativeLibrary.Load(candidate);
                    _loadedFrom = candidate;
                    return _handle;
                }
                catch (DllNotFoundException e)
                {
                    tried.Add($"{candidate} ({e.Message})");
                }
                catch (BadImageFormatException e)
                {
                    tried.Add($"{candidate} (not a loadable library: {e.Message})");
                }
            }
            throw new DllNotFoundException(
                $"libhybrid could not be loaded. Build it with 'dotnet build' (which runs CMake) or " +
                $"set {PathVariable} to the file or its folder. Tried:\n  " + string.Join("\n  ", tried));
        }
    }

    private static IEnumerable<string> Candidates()
    {
        string file = OperatingSystem.IsWindows() ? "hybrid.dll"
            : OperatingSystem.IsMacOS() ? "libhybrid.dylib" : "libhybrid.so";
        var env = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(env))
            yield return Directory.Exists(env) ? Path.Combine(env, file) : env;
        yield return Path.Combine(AppContext.BaseDirectory, file);
        var here = Path.GetDirectoryName(typeof(HybridLibrary).Assembly.Location);
        if (!string.IsNullOrEmpty(here) && Path.GetFullPath(here) != Path.GetFullPath(AppContext.BaseDirectory))
            yield return Path.Combine(here, file);
        // a NuGet consumer's output keeps the package's native asset under runtimes/<rid>/native/
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", file);
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", file);
    }

    /// <summary>
    /// Throws if the loaded library's ABI version differs from <see cref="HybridConstants.HYB_ABI_VERSION"/>
    /// (the header the bindings were generated from). Called by every safe wrapper's first use.
    /// </summary>
    public static unsafe void EnsureCompatible()
    {
        if (Volatile.Read(ref _abiChecked)) return;
        HybBuildInfo info;
        var status = HybridNative.hyb_build_info_get(&info);
        NativeStatus.Check(status);
        if (info.AbiVersion != HybridConstants.HYB_ABI_VERSION)
            throw new InvalidOperationException(
                $"libhybrid at {_loadedFrom} has ABI version {info.AbiVersion}, but these bindings were " +
                $"generated for ABI version {HybridConstants.HYB_ABI_VERSION}. Rebuild with 'dotnet build'.");
        Volatile.Write(ref _abiChecked, true);
    }
}
