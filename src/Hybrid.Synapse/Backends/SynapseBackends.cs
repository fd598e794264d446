using Hybrid.Native;
using Hybrid.Native.Interop;
using Hybrid.Synapse.Simd;

namespace Hybrid.Synapse.Backends;

/// <summary>A backend and whether it can run here.</summary>
/// <param name="Name">The backend's name.</param>
/// <param name="Available">Whether it runs on this machine.</param>
/// <param name="Detail">Where it comes from, or why it is unavailable.</param>
public readonly record struct BackendStatus(string Name, bool Available, string Detail);

/// <summary>What libhybrid is: version, ABI, random-stream version and build configuration; <paramref name="Simd"/>
/// is the SIMD level its CPU kernels use now (chosen at run time).</summary>
public sealed record NativeBuild(string Version, int Abi, int StreamVersion, string Compiler, string BuildType, string Simd,
    string Threading, int Threads, bool CudaCompiled, string CudaVersion, bool Sanitizers, string LoadedFrom);

/// <summary>
/// The registry of synapse backends — the one place a backend is chosen by name. Each backend
/// owns its name; <see cref="Get"/> gives it or says which ones exist and why a missing one is
/// missing. Add a backend to <see cref="Names"/> and <see cref="Probe"/> and every option that
/// takes <c>--backend</c>, and every cross-check test, runs on it.
/// </summary>
public static class SynapseBackends
{
    /// <summary>The managed reference twin (plain C#; always available).</summary>
    public const string Managed = "managed";
    /// <summary>The managed twin vectorised (Vector256, AVX2 Philox; one thread).</summary>
    public const string ManagedSimd = "managed-simd";
    /// <summary>libhybrid's C kernels.</summary>
    public const string NativeCpu = "native-cpu";
    /// <summary>libhybrid's CUDA kernels.</summary>
    public const string NativeCuda = "native-cuda";

    /// <summary>Every backend name, the reference first.</summary>
    public static readonly IReadOnlyList<string> Names = [Managed, ManagedSimd, NativeCpu, NativeCuda];

    /// <summary>The default backend: native-cpu where libhybrid loads, else managed-simd.</summary>
    public static string Default => NativeCpuBackend.Probe().Available ? NativeCpu : ManagedSimd;

    /// <summary>The backend a setting names: <paramref name="name"/>, or <see cref="Default"/> when it names none. The one default rule
    /// for every <c>--backend</c> (train's optimiser, compare's rows).</summary>
    public static string Resolve(string? name) => name ?? Default;

    /// <summary>The backend called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">An unknown name, or one that cannot run here; the message lists every
    /// backend with its availability and the reason.</exception>
    public static ISynapseBackend Get(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        if (!Names.Contains(key))
            throw new ArgumentException($"backend '{name}' is unknown; {Listing()}.", "backend");
        var (ok, why) = Probe(key);
        if (!ok) throw new ArgumentException($"backend '{key}' is unavailable here: {why}; {Listing()}.", "backend");
        return Instance(key);
    }

    /// <summary>Every backend that runs on this machine, the managed reference first.</summary>
    public static IReadOnlyList<ISynapseBackend> Available =>
        Names.Where(n => Probe(n).Available).Select(Instance).ToList();

    /// <summary>Every known backend with its availability and where it comes from or why it is missing.</summary>
    public static IReadOnlyList<BackendStatus> Describe() => Names.Select(n =>
    {
        var (ok, why) = Probe(n);
        return new BackendStatus(n, ok, why);
    }).ToList();

    /// <summary>Whether backend <paramref name="name"/> runs here, and why (not).</summary>
    public static (bool Available, string Reason) Probe(string name)
    {
        switch (name)
        {
            case Managed:
                return (true, "C# reference kernels (always available)");
            case ManagedSimd:
                return (true, SimdKernels.IsAccelerated ? "C# Vector256 + AVX2 steps, one thread" : "no AVX2 here: runs the reference code");
            case NativeCpu:
            {
                var (ok, why) = NativeCpuBackend.Probe();
                if (!ok) return (false, why);
                var b = NativeBuildInfo()!;
                return (true, $"{b.Simd}, {b.Threading} x{b.Threads}; {why}");
            }
            case NativeCuda:
            {
                if (!NativeCpuBackend.Probe().Available) return (false, "libhybrid not loaded: " + NativeCpuBackend.Probe().Reason);
                var b = NativeBuildInfo()!;
                if (!b.CudaCompiled) return (false, "libhybrid was built without CUDA (HYBRID_CUDA=OFF, or no nvcc at configure time)");
                var (ok, why) = NativeCudaBackend.Probe();
                return ok ? (true, $"CUDA {b.CudaVersion}; {why}") : (false, $"no usable CUDA device: {why}");
            }
            default:
                return (false, $"unknown backend '{name}'");
        }
    }

    /// <summary>libhybrid's build information, or null when it does not load.</summary>
    public static unsafe NativeBuild? NativeBuildInfo()
    {
        if (!NativeCpuBackend.Probe().Available) return null;
        var b = LibraryInfo.Build();
        return new NativeBuild(
            $"{b.VersionMajor}.{b.VersionMinor}.{b.VersionPatch}", b.AbiVersion, b.StreamVersion,
            LibraryInfo.FixedString(b.Compiler, 64), LibraryInfo.FixedString(b.BuildType, 16),
            b.SimdLevel.ToString(), b.Threading.ToString(), b.MaxThreads, b.CudaCompiled != 0,
            LibraryInfo.FixedString(b.CudaVersion, 16), b.Sanitizers != 0, HybridLibrary.LoadedFrom ?? "");
    }

    /// <summary>The SIMD level libhybrid's CPU kernels use: "scalar", "avx2" or "avx512" (results never depend on it).
    /// Setting one the CPU lacks throws <see cref="ArgumentException"/> naming it.</summary>
    public static string NativeSimd
    {
        get => SimdName(CpuKernels.Simd);
        set
        {
            var level = value.Trim().ToLowerInvariant() switch
            {
                "scalar" => HybSimdLevel.Scalar,
                "avx2" => HybSimdLevel.Avx2,
                "avx512" => HybSimdLevel.Avx512,
                _ => throw new ArgumentException($"SIMD level '{value}' is not scalar, avx2 or avx512.", nameof(value)),
            };
            CpuKernels.Simd = level;   // a level this CPU lacks: HybridArgumentException naming it
        }
    }

    /// <summary>The SIMD levels libhybrid's CPU kernels can use here, the scalar reference first.</summary>
    public static IReadOnlyList<string> NativeSimdLevels =>
        new[] { HybSimdLevel.Scalar, HybSimdLevel.Avx2, HybSimdLevel.Avx512 }.Where(l => l <= CpuKernels.BestSimd)
            .Select(SimdName).ToList();

    private static string SimdName(HybSimdLevel level) => level switch
    {
        HybSimdLevel.Avx2 => "avx2",
        HybSimdLevel.Avx512 => "avx512",
        HybSimdLevel.Scalar => "scalar",
        _ => level.ToString().ToLowerInvariant(),
    };

    /// <summary>The threads libhybrid's CPU kernels use (0 = all); results never depend on it.</summary>
    public static int NativeThreads
    {
        get => CpuKernels.Threads;
        set => CpuKernels.Threads = value;
    }

    private static ISynapseBackend Instance(string name) => name switch
    {
        Managed => ManagedBackend.Instance,
        ManagedSimd => ManagedSimdBackend.Instance,
        NativeCpu => NativeCpuBackend.Instance,
        NativeCuda => NativeCudaBackend.Instance,
        _ => throw new ArgumentException($"backend '{name}' is unknown; {Listing()}.", "backend"),
    };

    private static string Listing() =>
        "backends: " + string.Join("; ", Describe().Select(s => $"{s.Name} ({(s.Available ? "available" : "unavailable: " + s.Detail)})"));
}
