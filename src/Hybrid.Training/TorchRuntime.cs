using System.Runtime.InteropServices;
using TorchSharp;

namespace Hybrid.Training;

/// <summary>
/// Checks that TorchSharp's native runtime loads, and says exactly what to install when it does
/// not (instead of a loader trace). On Debian 12 the usual cause is libstdc++ without
/// GLIBCXX_3.4.32: TorchSharp 0.107 needs GCC 13's.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<(bool Ok, string Detail)> Probe = new(DoProbe);

    /// <summary>Whether TorchSharp's native libraries load here.</summary>
    public static bool Available => Probe.Value.Ok;

    /// <summary>The libtorch version when available, else why not and what to do.</summary>
    public static string Detail => Probe.Value.Detail;

    /// <summary>Throws <see cref="InvalidOperationException"/> with the fix when TorchSharp cannot load.</summary>
    public static void EnsureAvailable()
    {
        if (!Available) throw new InvalidOperationException(Detail);
    }

    /// <summary>Refuses, before anything loads, a CUDA device in a build that references TorchSharp's CPU runtime,
    /// naming the build switch that changes it.</summary>
    /// <exception cref="ArgumentException">A CUDA device asked of a CPU build.</exception>
    public static void RequireBuildSupports(string device)
    {
        var lower = device.Trim().ToLowerInvariant();
        if (lower.StartsWith("cuda", StringComparison.Ordinal) && !TorchSharpRuntime.IsCuda)
            throw new ArgumentException(
                $"--device {device}: this build references TorchSharp's CPU runtime ({TorchSharpRuntime.Package}). On a machine with an " +
                $"NVIDIA GPU, build with {TorchSharpRuntime.CudaSwitch} (docs/cuda.md), then run again.", "device");
    }

    /// <summary>Resolves a device name ("cpu", "cuda", "cuda:1"), with a clear error when unavailable.</summary>
    public static torch.Device Device(string name)
    {
        RequireBuildSupports(name);
        EnsureAvailable();
        var lower = name.Trim().ToLowerInvariant();
        if (lower == "cpu") return torch.CPU;
        if (lower.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException(
                    $"device '{name}': this build references {TorchSharpRuntime.Package}, but TorchSharp finds no CUDA device " +
                    "(no NVIDIA GPU or driver here). Use --device cpu.");
            return torch.device(lower);
        }
        throw new ArgumentException($"device '{name}' is unknown; valid: cpu, cuda, cuda:N.");
    }

    private static (bool, string) DoProbe()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            using var t = torch.ones(2);
            return (true, $"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}");
        }
        catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException
                                      or InvalidOperationException or ExternalException)
        {
            var msg = e.InnerException?.Message ?? e.Message;
            string fix = msg.Contains("GLIBCXX", StringComparison.Ordinal) || !HasGlibcxx332()
                ? "TorchSharp 0.107 needs GCC 13's libstdc++ (GLIBCXX_3.4.32). On Debian 12 run 'sudo scripts/setup.sh' " +
                  "(it installs libstdc++6 from Debian 13, pinned low); Ubuntu 24.04 and Debian 13 already have it."
                : "Reinstall the TorchSharp-cpu package (dotnet restore) and check the native libraries beside the app.";
            return (false, $"TorchSharp's native runtime did not load: {msg.Split('\n')[0]} — {fix}");
        }
    }

    private static bool HasGlibcxx332()
    {
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib" })
        {
            var f = Path.Combine(dir, "libstdc++.so.6");
            if (!File.Exists(f)) continue;
            try
            {
                var bytes = File.ReadAllBytes(f);
                return bytes.AsSpan().IndexOf("GLIBCXX_3.4.32"u8) >= 0;
            }
            catch (IOException) { return true; }
        }
        return true;
    }
}

/// <summary>
/// Which TorchSharp runtime package this build references, chosen by the build switch
/// <c>-p:TorchSharpRuntime=cpu|cuda-linux</c> (Directory.Build.props; default cpu) and recorded in the assembly.
/// </summary>
public static class TorchSharpRuntime
{
    /// <summary>The switch that selects TorchSharp's CUDA runtime.</summary>
    public const string CudaSwitch = "dotnet build -p:TorchSharpRuntime=cuda-linux";

    /// <summary>"cpu" or "cuda-linux".</summary>
    public static string Name { get; } = Metadata("TorchSharpRuntime") ?? "cpu";

    /// <summary>The package referenced: TorchSharp-cpu or TorchSharp-cuda-linux.</summary>
    public static string Package { get; } = Metadata("TorchSharpPackage") ?? "TorchSharp-cpu";

    /// <summary>Whether the build references TorchSharp's CUDA runtime.</summary>
    public static bool IsCuda => Name == "cuda-linux";

    /// <summary>"TorchSharp-cpu (build switch -p:TorchSharpRuntime=cpu)".</summary>
    public static string Description => $"{Package} (build switch -p:TorchSharpRuntime={Name})";

    private static string? Metadata(string key) =>
        typeof(TorchSharpRuntime).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
