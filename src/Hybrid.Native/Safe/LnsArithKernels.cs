using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// hybrid/lns_arith.h on spans: LNS quantisation and the exact LNS GEMM on the CPU, one native
/// call per tensor on the caller's memory. libhybrid validates everything before it writes; a
/// rejected call throws a <see cref="HybridException"/> with its message and leaves every span
/// unchanged.
/// </summary>
public static unsafe class LnsArithKernels
{
    /// <summary>Quantises <paramref name="x"/> onto the LNS grid into <paramref name="y"/> (which may be <paramref name="x"/>).</summary>
    public static HybQuantizeStats Quantize(in HybLnsQuantizeConfig config, ReadOnlySpan<float> x, Span<float> y)
    {
        SpanBounds.Same(x.Length, nameof(x), y.Length, nameof(y));
        HybridLibrary.EnsureCompatible();
        HybQuantizeStats stats;
        fixed (HybLnsQuantizeConfig* c = &config)
        fixed (float* px = x, py = y)
            NativeStatus.Check(HybridNative.hyb_lns_quantize_f32(c, px, py, x.Length, &stats));
        return stats;
    }

    /// <summary>Quantises <paramref name="x"/> into <paramref name="y"/> (empty: codes only; or <paramref name="x"/> itself)
    /// and writes the results' codes (byte: B ≤ 8, ushort: B ≤ 16) in the same pass.</summary>
    public static HybQuantizeStats QuantizeEncode<TCode>(in HybLnsQuantizeConfig config, ReadOnlySpan<float> x, Span<float> y,
        Span<TCode> codes) where TCode : unmanaged
    {
        if (!y.IsEmpty) SpanBounds.Same(x.Length, nameof(x), y.Length, nameof(y));
        SpanBounds.Same(x.Length, nameof(x), codes.Length, nameof(codes));
        HybridLibrary.EnsureCompatible();
        HybQuantizeStats stats;
        fixed (HybLnsQuantizeConfig* c = &config)
        fixed (float* px = x, py = y)
        fixed (TCode* pc = codes)
        {
            float* yp = y.IsEmpty ? null : py;
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_lns_quantize_encode_u8(c, px, yp, (byte*)pc, x.Length, &stats)
                : HybridNative.hyb_lns_quantize_encode_u16(c, px, yp, (ushort*)pc, x.Length, &stats));
        }
        return stats;
    }

    /// <summary>C = A·B on LNS codes (byte: B ≤ 8, ushort: B ≤ 16); the spans must hold M·K, K·N and M·N elements.</summary>
    public static HybGemmStats GemmExact<TCode>(in HybLnsGemmConfig config, ReadOnlySpan<TCode> a, ReadOnlySpan<TCode> b,
        Span<float> c) where TCode : unmanaged
    {
        if (config.M < 0 || config.K < 0 || config.N < 0)
            throw new ArgumentException($"GEMM shape {config.M} x {config.K} x {config.N} has a negative size.", nameof(config));
        SpanBounds.Exactly(a.Length, checked((int)(config.M * config.K)), nameof(a));
        SpanBounds.Exactly(b.Length, checked((int)(config.K * config.N)), nameof(b));
        SpanBounds.Exactly(c.Length, checked((int)(config.M * config.N)), nameof(c));
        HybridLibrary.EnsureCompatible();
        HybGemmStats stats;
        fixed (HybLnsGemmConfig* cfg = &config)
        fixed (TCode* pa = a, pb = b)
        fixed (float* pc = c)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_lns_gemm_exact_u8(cfg, (byte*)pa, (byte*)pb, pc, &stats)
                : HybridNative.hyb_lns_gemm_exact_u16(cfg, (ushort*)pa, (ushort*)pb, pc, &stats));
        return stats;
    }
}
