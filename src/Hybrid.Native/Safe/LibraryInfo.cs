using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>hybrid/version.h: what this build of libhybrid is, and the CPU kernels' thread count.</summary>
public static unsafe class LibraryInfo
{
    /// <summary>Version, ABI, compiler, SIMD level, threading and CUDA of the loaded library.</summary>
    public static HybBuildInfo Build()
    {
        HybridLibrary.Load();
        HybBuildInfo info;
        NativeStatus.Check(HybridNative.hyb_build_info_get(&info));
        return info;
    }

    /// <summary>Threads the CPU kernels use for large tensors; set 0 for all. Results never depend on it.</summary>
    public static int Threads
    {
        get
        {
            HybridLibrary.EnsureCompatible();
            int n;
            NativeStatus.Check(HybridNative.hyb_threads_get(&n));
            return n;
        }
        set
        {
            HybridLibrary.EnsureCompatible();
            NativeStatus.Check(HybridNative.hyb_threads_set(value));
        }
    }

    /// <summary>
    /// The SIMD level the CPU kernels use (the widest this CPU runs, unless the environment variable
    /// HYBRID_SIMD or this setter chose another). Setting a level the CPU or build lacks throws, naming it;
    /// results never depend on the level. Getting it throws if HYBRID_SIMD names a level that cannot run.
    /// </summary>
    public static HybSimdLevel Simd
    {
        get
        {
            HybridLibrary.EnsureCompatible();
            HybSimdLevel level;
            NativeStatus.Check(HybridNative.hyb_simd_get(&level));
            return level;
        }
        set
        {
            HybridLibrary.EnsureCompatible();
            NativeStatus.Check(HybridNative.hyb_simd_set(value));
        }
    }

    /// <summary>The widest SIMD level this CPU runs and this build carries.</summary>
    public static HybSimdLevel BestSimd
    {
        get
        {
            HybridLibrary.EnsureCompatible();
            HybSimdLevel level;
            NativeStatus.Check(HybridNative.hyb_simd_best(&level));
            return level;
        }
    }

    /// <summary>Reads a NUL-terminated fixed buffer of a native struct as a string.</summary>
    public static string FixedString(byte* buffer, int capacity)
    {
        var span = new ReadOnlySpan<byte>(buffer, capacity);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
