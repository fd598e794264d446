using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>hybrid/cpu.h: how the CPU kernels run — their thread count and SIMD level. Results never depend on either.</summary>
public static unsafe class CpuKernels
{
    /// <summary>Threads the CPU kernels use for large tensors; set 0 for all.</summary>
    public static int Threads
    {
        get => NativeStatus.Get<int>(&HybridNative.hyb_threads_get);
        set => NativeStatus.Set(&HybridNative.hyb_threads_set, value);
    }

    /// <summary>
    /// The SIMD level the CPU kernels use (the widest this CPU runs, unless the environment variable
    /// HYBRID_SIMD or this setter chose another). Setting a level the CPU or build lacks throws, naming it.
    /// Getting it throws if HYBRID_SIMD names a level that cannot run.
    /// </summary>
    public static HybSimdLevel Simd
    {
        get => NativeStatus.Get<HybSimdLevel>(&HybridNative.hyb_simd_get);
        set => NativeStatus.Set(&HybridNative.hyb_simd_set, value);
    }

    /// <summary>The widest SIMD level this CPU runs and this build carries.</summary>
    public static HybSimdLevel BestSimd => NativeStatus.Get<HybSimdLevel>(&HybridNative.hyb_simd_best);
}
