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

    /// <summary>Resolves a device name ("cpu", "cuda", "cuda:1"), with a clear error when unavailable.</summary>
    public static torch.Device Device(string name)
    {
        EnsureAvailable();
        var lower = name.Trim().ToLowerInvariant();
        if (lower == "cpu") return torch.CPU;
        if (lower.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException(
                    $"device '{name}': CUDA is not available to TorchSharp here (the CPU package TorchSharp-cpu is " +
                    "installed; a CUDA build needs TorchSharp-cuda-linux and an NVIDIA driver). Use --device cpu.");
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
