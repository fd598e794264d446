using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hybrid.Training;

/// <summary>
/// The thread policy the library sets for itself (issue 21): libtorch's OpenMP threads wait passively, so an idle
/// intra-op thread sleeps instead of spinning on a core a working thread needs (libhybrid's own pool sleeps on a
/// condition variable already). libgomp reads <c>OMP_WAIT_POLICY</c> once, when libtorch loads, from the C environment —
/// which .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach on Unix — so this module
/// initializer calls libc's <c>setenv</c> when Hybrid.Training is loaded, before any TorchSharp call can load libtorch.
/// A value the user set is kept (an empty one is replaced: libgomp rejects it). The same policy therefore holds for <c>./hybrid</c>, <c>dotnet hybrid.dll</c>,
/// <c>dotnet run</c>, the tests and the NuGet package. Issue 21 reported (quiet machine, <c>dotnet hybrid.dll</c>,
/// fast mode, <c>--epochs 1 --train-size 20000</c>; not remeasured here): 2 318 examples/s spinning, 12 416 passive.
/// </summary>
public static partial class ThreadPolicy
{
    /// <summary>The variable and the value the library sets when the user has not.</summary>
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY", WaitPolicy = "PASSIVE";

    /// <summary>The wait policy in the C environment libtorch's OpenMP reads (null: unset).</summary>
    public static string? EffectiveWaitPolicy => OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(WaitPolicyVariable)
        : Marshal.PtrToStringUTF8(getenv(WaitPolicyVariable));

#pragma warning disable CA2255 // a library module initializer, on purpose: it must run before TorchSharp loads libtorch
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (OperatingSystem.IsWindows()) return; // libtorch's Windows builds use their own OpenMP runtime; not ours to set
        // unset or empty (libgomp rejects an empty value): passive; any other value is the user's choice
        if (string.IsNullOrWhiteSpace(Marshal.PtrToStringUTF8(getenv(WaitPolicyVariable)))) _ = setenv(WaitPolicyVariable, WaitPolicy, 1);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
