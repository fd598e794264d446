using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// hybrid/lns.h on spans: LNS encode, decode and the LNS Madam step on the CPU, one native
/// call per tensor on the caller's memory. Codes are byte (B ≤ 8) or ushort (B ≤ 16). libhybrid
/// validates everything before it writes; a rejected call throws a <see cref="HybridException"/>
/// with its message and leaves every span unchanged.
/// </summary>
public static unsafe class LnsKernels
{
    /// <summary>Encodes <paramref name="x"/> into LNS codes.</summary>
    public static void Encode<TCode>(in HybLnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes) where TCode : unmanaged
    {
        SpanBounds.Same(x.Length, nameof(x), codes.Length, nameof(codes));
        HybridLibrary.EnsureCompatible();
        fixed (HybLnsFormat* f = &format)
        fixed (float* px = x)
        fixed (TCode* pc = codes)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_lns_encode_u8(f, px, (byte*)pc, x.Length)
                : HybridNative.hyb_lns_encode_u16(f, px, (ushort*)pc, x.Length));
    }

    /// <summary>Decodes LNS codes into <paramref name="x"/>.</summary>
    public static void Decode<TCode>(in HybLnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x) where TCode : unmanaged
    {
        SpanBounds.Same(codes.Length, nameof(codes), x.Length, nameof(x));
        HybridLibrary.EnsureCompatible();
        fixed (HybLnsFormat* f = &format)
        fixed (TCode* pc = codes)
        fixed (float* px = x)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_lns_decode_u8(f, (byte*)pc, px, x.Length)
                : HybridNative.hyb_lns_decode_u16(f, (ushort*)pc, px, x.Length));
    }

    /// <summary>One LNS Madam step on <paramref name="codes"/> in place; returns what it did.
    /// <paramref name="v"/> holds n, rows, 1 or 0 moments by <c>config.Moment</c>.</summary>
    public static HybStepStats MadamStep<TCode>(in HybLnsMadamConfig config, Span<TCode> codes, ReadOnlySpan<float> grad,
        Span<float> v) where TCode : unmanaged
    {
        SpanBounds.Same(codes.Length, nameof(codes), grad.Length, nameof(grad));
        HybridLibrary.EnsureCompatible();
        HybStepStats stats;
        fixed (HybLnsMadamConfig* c = &config)
        fixed (TCode* pc = codes)
        fixed (float* pg = grad, pv = v)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_lns_madam_step_u8(c, (byte*)pc, pg, codes.Length, pv, v.Length, &stats)
                : HybridNative.hyb_lns_madam_step_u16(c, (ushort*)pc, pg, codes.Length, pv, v.Length, &stats));
        return stats;
    }
}
