using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>hybrid/random.h: one Philox4x32-10 block and slices of the shared random stream.</summary>
public static unsafe class RandomKernels
{
    /// <summary>One Philox4x32-10 block.</summary>
    public static void Philox(ReadOnlySpan<uint> counter, ReadOnlySpan<uint> key, Span<uint> output)
    {
        SpanBounds.Exactly(counter.Length, 4, nameof(counter));
        SpanBounds.Exactly(key.Length, 2, nameof(key));
        SpanBounds.Exactly(output.Length, 4, nameof(output));
        HybridLibrary.EnsureCompatible();
        fixed (uint* c = counter, k = key, o = output)
            NativeStatus.Check(HybridNative.hyb_philox4x32_10(c, k, o));
    }

    /// <summary>The stream's uniforms for elements offset .. offset + output.Length - 1.</summary>
    public static void Uniform(in HybRandomStream stream, long offset, Span<float> output)
    {
        HybridLibrary.EnsureCompatible();
        fixed (HybRandomStream* s = &stream)
        fixed (float* o = output)
            NativeStatus.Check(HybridNative.hyb_random_uniform_f32(s, offset, o, output.Length));
    }
}
