using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Synapse.Twin;

/// <summary>
/// The span rules of every synapse kernel, as the managed twin states them (libhybrid's C entry
/// points enforce the same contract on their side, hybrid/status.h): lengths that must match,
/// buffers that must not overlap. Every backend checks them before any work, so all of them
/// throw the same <see cref="ArgumentException"/> for the same bad call.
/// </summary>
internal static class SpanRules
{
    /// <summary>Throws unless the two lengths are equal.</summary>
    public static void SameLength(int a, string aName, int b, string bName)
    {
        if (a != b)
            throw new ArgumentException($"{aName} has {a} elements but {bName} has {b}; they must match.", bName);
    }

    /// <summary>Throws unless the second-moment buffer has the length the step needs.</summary>
    public static void MomentLength(int actual, int expected)
    {
        if (actual != expected)
            throw new ArgumentException($"v has {actual} elements but {expected} are needed.", "v");
    }

    /// <summary>Throws if the two byte ranges share memory.</summary>
    public static void Disjoint(ReadOnlySpan<byte> a, string aName, ReadOnlySpan<byte> b, string bName)
    {
        if (a.Overlaps(b))
            throw new ArgumentException($"{aName} and {bName} overlap; they must be separate buffers.", bName);
    }

    /// <summary>Checks two same-length buffers that must not overlap (encode, decode).</summary>
    public static void Pair<TA, TB>(ReadOnlySpan<TA> a, string aName, ReadOnlySpan<TB> b, string bName)
        where TA : unmanaged where TB : unmanaged
    {
        SameLength(a.Length, aName, b.Length, bName);
        Disjoint(MemoryMarshal.AsBytes(a), aName, MemoryMarshal.AsBytes(b), bName);
    }

    /// <summary>Checks an element-wise map's buffers: same length, and <paramref name="b"/> either exactly
    /// <paramref name="a"/> (in place) or separate from it.</summary>
    public static void SameOrDisjoint(ReadOnlySpan<float> a, string aName, ReadOnlySpan<float> b, string bName)
    {
        SameLength(a.Length, aName, b.Length, bName);
        if (a.Length > 0 && !System.Runtime.CompilerServices.Unsafe.AreSame(
                ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b)))
            Disjoint(MemoryMarshal.AsBytes(a), aName, MemoryMarshal.AsBytes(b), bName);
    }

    /// <summary>Checks a step's buffers: grad as long as the target, v of the expected length,
    /// and no two of them overlapping.</summary>
    public static void StepBuffers(ReadOnlySpan<byte> target, int length, string targetName,
        ReadOnlySpan<float> grad, ReadOnlySpan<float> v, int expectedV)
    {
        SameLength(length, targetName, grad.Length, "grad");
        MomentLength(v.Length, expectedV);
        var g = MemoryMarshal.AsBytes(grad);
        var s = MemoryMarshal.AsBytes(v);
        Disjoint(target, targetName, g, "grad");
        Disjoint(target, targetName, s, "v");
        Disjoint(g, "grad", s, "v");
    }
}

/// <summary>
/// The argument contract of each synapse kernel as the managed twin states it: settings in
/// range (<see cref="LnsFormat.Validate"/>, <see cref="LnsMadamSettings.Validate"/>, ...) and
/// <see cref="SpanRules"/>. The twin and every backend call these first, so a bad call is the same
/// <see cref="ArgumentException"/> everywhere, before anything is written. Value checks (codes
/// out of format, non-finite inputs) are each kernel's own: the twin scans in C#, libhybrid in C.
/// </summary>
internal static class KernelContract
{
    /// <summary>Bytes per code: 1 (byte, B ≤ 8) or 2 (ushort, B ≤ 16).</summary>
    public static int CodeBytes<TCode>() where TCode : unmanaged =>
        System.Runtime.CompilerServices.Unsafe.SizeOf<TCode>() switch
        {
            1 => 1,
            2 => 2,
            var n => throw new ArgumentException($"LNS codes are uint8 or uint16, not {n}-byte integers."),
        };

    public static void LnsEncode<TCode>(in LnsFormat format, ReadOnlySpan<float> x, ReadOnlySpan<TCode> codes) where TCode : unmanaged
    {
        format.Validate(CodeBytes<TCode>());
        SpanRules.Pair(x, nameof(x), codes, nameof(codes));
    }

    public static void LnsDecode<TCode>(in LnsFormat format, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> x) where TCode : unmanaged
    {
        format.Validate(CodeBytes<TCode>());
        SpanRules.Pair(codes, nameof(codes), x, nameof(x));
    }

    public static void LnsMadamStep<TCode>(in LnsMadamSettings s, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> grad,
        ReadOnlySpan<float> v) where TCode : unmanaged
    {
        s.Validate(CodeBytes<TCode>());
        SpanRules.StepBuffers(MemoryMarshal.AsBytes(codes), codes.Length, nameof(codes), grad, v, s.MomentLength(codes.Length));
    }

    public static void MadamStep(in MadamSettings s, ReadOnlySpan<float> w, ReadOnlySpan<float> grad, ReadOnlySpan<float> v)
    {
        s.Validate();
        SpanRules.StepBuffers(MemoryMarshal.AsBytes(w), w.Length, nameof(w), grad, v, w.Length);
    }

    public static void LnsQuantize(in Arithmetic.LnsQuantizeSettings s, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        s.Validate();
        SpanRules.SameOrDisjoint(x, nameof(x), y, nameof(y));
    }

    public static void LnsQuantizeEncode<TCode>(in Arithmetic.LnsQuantizeSettings s, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<TCode> codes) where TCode : unmanaged
    {
        s.Validate();
        s.Format.Validate(CodeBytes<TCode>());
        if (!y.IsEmpty || x.IsEmpty) SpanRules.SameOrDisjoint(x, nameof(x), y, nameof(y));
        SpanRules.Pair(x, nameof(x), codes, nameof(codes));
        SpanRules.Disjoint(MemoryMarshal.AsBytes(y), nameof(y), MemoryMarshal.AsBytes(codes), nameof(codes));
    }

    public static void LnsGemmExact<TCode>(in Arithmetic.LnsGemmSettings s, ReadOnlySpan<TCode> a, ReadOnlySpan<TCode> b,
        ReadOnlySpan<float> c) where TCode : unmanaged
    {
        s.Validate(CodeBytes<TCode>());
        SpanRules.SameLength(s.M * s.K, "M·K", a.Length, nameof(a));
        SpanRules.SameLength(s.K * s.N, "K·N", b.Length, nameof(b));
        SpanRules.SameLength(s.M * s.N, "M·N", c.Length, nameof(c));
        var cb = MemoryMarshal.AsBytes(c);
        SpanRules.Disjoint(MemoryMarshal.AsBytes(a), nameof(a), cb, nameof(c));
        SpanRules.Disjoint(MemoryMarshal.AsBytes(b), nameof(b), cb, nameof(c));
    }

    public static void RandomUniform(in RandomStream stream, long offset, int length)
    {
        stream.Validate();
        if (offset < 0 || offset > HybridConstants.HYB_MAX_ELEMENTS - length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "offset must be >= 0 with offset + n <= 2^58.");
    }
}
