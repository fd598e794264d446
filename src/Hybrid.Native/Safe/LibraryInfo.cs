using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>hybrid/version.h: what this build of libhybrid is (its threads and SIMD level: <see cref="CpuKernels"/>).</summary>
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

    /// <summary>Reads a NUL-terminated fixed buffer of a native struct as a string.</summary>
    public static string FixedString(byte* buffer, int capacity)
    {
        var span = new ReadOnlySpan<byte>(buffer, capacity);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
