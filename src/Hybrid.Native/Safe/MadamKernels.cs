using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// hybrid/madam.h on spans: the float32 Madam step and the deterministic RMS on the CPU.
/// libhybrid validates before it writes; a rejected call throws a <see cref="HybridException"/>
/// and leaves every span unchanged.
/// </summary>
public static unsafe class MadamKernels
{
    /// <summary>One float32 Madam step on <paramref name="w"/> in place; returns what it did.</summary>
    public static HybStepStats Step(in HybMadamConfig config, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
    {
        SpanBounds.Same(w.Length, nameof(w), grad.Length, nameof(grad));
        SpanBounds.Same(w.Length, nameof(w), v.Length, nameof(v));
        HybridLibrary.EnsureCompatible();
        HybStepStats stats;
        fixed (HybMadamConfig* c = &config)
        fixed (float* pw = w, pg = grad, pv = v)
            NativeStatus.Check(HybridNative.hyb_madam_step_f32(c, pw, pg, pv, w.Length, &stats));
        return stats;
    }

    /// <summary>Root mean square of <paramref name="x"/> (deterministic blocked sum in double).</summary>
    public static double Rms(ReadOnlySpan<float> x)
    {
        HybridLibrary.EnsureCompatible();
        double r;
        fixed (float* px = x)
            NativeStatus.Check(HybridNative.hyb_rms_f32(px, x.Length, &r));
        return r;
    }
}
