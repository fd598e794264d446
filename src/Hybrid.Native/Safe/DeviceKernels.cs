using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// hybrid/device.h on spans: the programming events of an LNS step, reading LNS codes and float device weights,
/// and the float-weight device step, one native call per tensor on the caller's memory. libhybrid validates
/// everything before it writes; a rejected call throws a <see cref="HybridException"/> and leaves every span unchanged.
/// </summary>
public static unsafe class DeviceKernels
{
    /// <summary>The programming events from <paramref name="before"/> to <paramref name="after"/>; <paramref name="offsets"/>
    /// holds n floats, or is empty (no write noise).</summary>
    public static HybProgramStats LnsProgram<TCode>(in HybLnsProgramConfig config, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        Span<float> offsets) where TCode : unmanaged
    {
        SpanBounds.Same(before.Length, nameof(before), after.Length, nameof(after));
        if (offsets.Length > 0) SpanBounds.Same(before.Length, nameof(before), offsets.Length, nameof(offsets));
        HybridLibrary.EnsureCompatible();
        HybProgramStats stats;
        fixed (HybLnsProgramConfig* c = &config)
        fixed (TCode* pb = before, pa = after)
        fixed (float* po = offsets)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_lns_program_u8(c, (byte*)pb, (byte*)pa, offsets.Length > 0 ? po : null, before.Length, &stats)
                : HybridNative.hyb_lns_program_u16(c, (ushort*)pb, (ushort*)pa, offsets.Length > 0 ? po : null, before.Length, &stats));
        return stats;
    }

    /// <summary>Reads <paramref name="codes"/> into <paramref name="x"/>; <paramref name="offsets"/> holds n floats or is empty.</summary>
    public static void LnsRead<TCode>(in HybLnsReadConfig config, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
        where TCode : unmanaged
    {
        SpanBounds.Same(codes.Length, nameof(codes), x.Length, nameof(x));
        if (offsets.Length > 0) SpanBounds.Same(codes.Length, nameof(codes), offsets.Length, nameof(offsets));
        HybridLibrary.EnsureCompatible();
        fixed (HybLnsReadConfig* c = &config)
        fixed (TCode* pc = codes)
        fixed (float* po = offsets, px = x)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_lns_read_u8(c, (byte*)pc, offsets.Length > 0 ? po : null, px, codes.Length)
                : HybridNative.hyb_lns_read_u16(c, (ushort*)pc, offsets.Length > 0 ? po : null, px, codes.Length));
    }

    /// <summary>One programming step in the weight domain: <paramref name="hidden"/> and <paramref name="apparent"/> in place.</summary>
    public static HybProgramStats Update(in HybDeviceUpdateConfig config, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw)
    {
        SpanBounds.Same(hidden.Length, nameof(hidden), apparent.Length, nameof(apparent));
        SpanBounds.Same(hidden.Length, nameof(hidden), dw.Length, nameof(dw));
        HybridLibrary.EnsureCompatible();
        HybProgramStats stats;
        fixed (HybDeviceUpdateConfig* c = &config)
        fixed (float* ph = hidden, pa = apparent, pd = dw)
            NativeStatus.Check(HybridNative.hyb_device_update_f32(c, ph, pa, pd, hidden.Length, &stats));
        return stats;
    }

    /// <summary>Reads float device weights <paramref name="w"/> into <paramref name="output"/>.</summary>
    public static void Read(in HybDeviceReadConfig config, ReadOnlySpan<float> w, Span<float> output)
    {
        SpanBounds.Same(w.Length, nameof(w), output.Length, nameof(output));
        HybridLibrary.EnsureCompatible();
        fixed (HybDeviceReadConfig* c = &config)
        fixed (float* pw = w, po = output)
            NativeStatus.Check(HybridNative.hyb_device_read_f32(c, pw, po, w.Length));
    }
}
