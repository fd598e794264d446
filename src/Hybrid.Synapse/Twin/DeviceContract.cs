using System.Runtime.InteropServices;

namespace Hybrid.Synapse.Twin;

/// <summary>The device kernels' argument rules, checked first by every backend (as <see cref="KernelContract"/>).</summary>
internal static class DeviceContract
{
    public static void LnsProgram<TCode>(in LnsProgramSettings s, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        ReadOnlySpan<float> offsets) where TCode : unmanaged
    {
        s.Validate(KernelContract.CodeBytes<TCode>());
        SpanRules.SameLength(before.Length, nameof(before), after.Length, nameof(after));
        if (s.WriteNoiseStd > 0f || offsets.Length > 0)
            SpanRules.SameLength(before.Length, nameof(before), offsets.Length, nameof(offsets));
        SpanRules.Disjoint(MemoryMarshal.AsBytes(offsets), nameof(offsets), MemoryMarshal.AsBytes(before), nameof(before));
        SpanRules.Disjoint(MemoryMarshal.AsBytes(offsets), nameof(offsets), MemoryMarshal.AsBytes(after), nameof(after));
    }

    public static void LnsRead<TCode>(in LnsReadSettings s, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, ReadOnlySpan<float> x)
        where TCode : unmanaged
    {
        s.Validate(KernelContract.CodeBytes<TCode>());
        SpanRules.Pair(codes, nameof(codes), x, nameof(x));
        if (offsets.Length > 0)
        {
            SpanRules.SameLength(codes.Length, nameof(codes), offsets.Length, nameof(offsets));
            SpanRules.Disjoint(MemoryMarshal.AsBytes(x), nameof(x), MemoryMarshal.AsBytes(offsets), nameof(offsets));
        }
    }

    public static void DeviceUpdate(in DeviceUpdateSettings s, ReadOnlySpan<float> hidden, ReadOnlySpan<float> apparent, ReadOnlySpan<float> dw)
    {
        s.Validate();
        SpanRules.Pair(hidden, nameof(hidden), apparent, nameof(apparent));
        SpanRules.Pair(hidden, nameof(hidden), dw, nameof(dw));
        SpanRules.Disjoint(MemoryMarshal.AsBytes(apparent), nameof(apparent), MemoryMarshal.AsBytes(dw), nameof(dw));
    }

    public static void DeviceRead(in DeviceReadSettings s, ReadOnlySpan<float> w, ReadOnlySpan<float> output)
    {
        s.Validate();
        SpanRules.Pair(w, nameof(w), output, "output");
    }
}
