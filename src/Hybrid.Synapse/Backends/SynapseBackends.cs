using Hybrid.Native;
using Hybrid.Native.Interop;
using Hybrid.Synapse.Simd;
using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Backends;

/// <summary>A backend and whether it can run here.</summary>
/// <param name="Name">The backend's name.</param>
/// <param name="Available">Whether it runs on this machine.</param>
/// <param name="Detail">Where it comes from, or why it is unavailable.</param>
public readonly record struct BackendStatus(string Name, bool Available, string Detail);

/// <summary>What libhybrid is: version, ABI and build configuration.</summary>
public sealed record NativeBuild(string Version, int Abi, string Compiler, string BuildType, string Simd,
    string Threading, int Threads, bool CudaCompiled, string CudaVersion, bool Sanitizers, string LoadedFrom);

/// <summary>The registry of synapse backends: add a backend here and every cross-check test runs on it.</summary>
public static class SynapseBackends
{
    /// <summary>Every backend that can run on this machine, the managed reference first.</summary>
    public static IReadOnlyList<ISynapseBackend> All
    {
        get
        {
            var list = new List<ISynapseBackend> { ManagedBackend.Instance, ManagedSimdBackend.Instance };
            if (NativeCpuBackend.Probe().Available) list.Add(NativeCpuBackend.Instance);
            if (NativeCudaBackend.Probe().Available) list.Add(NativeCudaBackend.Instance);
            return list;
        }
    }

    /// <summary>Every known backend with its availability and the reason.</summary>
    public static IReadOnlyList<BackendStatus> Describe()
    {
        var (ok, why) = NativeCpuBackend.Probe();
        var native = ok ? NativeBuildInfo() : null;
        return
        [
            new("managed", true, "C# reference kernels (always available)"),
            new("managed-simd", true, SimdKernels.IsAccelerated ? "C# Vector256 + AVX2 steps, one thread" : "no AVX2 here: runs the reference code"),
            new("native-cpu", ok, ok ? $"{native!.Simd}, {native.Threading} x{native.Threads}; {why}" : why),
            CudaStatus(ok, native),
        ];
    }

    private static BackendStatus CudaStatus(bool nativeLoads, NativeBuild? native)
    {
        if (!nativeLoads) return new("native-cuda", false, "libhybrid not loaded");
        if (!native!.CudaCompiled)
            return new("native-cuda", false, "built without CUDA (HYBRID_CUDA=OFF, or no nvcc at configure time)");
        var (ok, why) = NativeCudaBackend.Probe();
        return new("native-cuda", ok, ok ? $"CUDA {native.CudaVersion}; {why}" : $"no CUDA device: {why}");
    }

    /// <summary>libhybrid's build information, or null when it does not load.</summary>
    public static unsafe NativeBuild? NativeBuildInfo()
    {
        if (!NativeCpuBackend.Probe().Available) return null;
        var b = NativeKernels.BuildInfo();
        return new NativeBuild(
            $"{b.VersionMajor}.{b.VersionMinor}.{b.VersionPatch}", b.AbiVersion,
            NativeKernels.FixedString(b.Compiler, 64), NativeKernels.FixedString(b.BuildType, 16),
            b.SimdLevel.ToString(), b.Threading.ToString(), b.MaxThreads, b.CudaCompiled != 0,
            NativeKernels.FixedString(b.CudaVersion, 16), b.Sanitizers != 0, HybridLibrary.LoadedFrom ?? "");
    }
}
