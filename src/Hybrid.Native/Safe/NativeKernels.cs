using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// Span-based, validated entry points into libhybrid's CPU kernels: one native call per
/// tensor. Lengths and overlaps are checked here before the call (an
/// <see cref="ArgumentException"/> naming the parameter); everything else is checked by the
/// native side before it writes (a <see cref="HybridArgumentException"/> with its message).
/// On any exception no output span has changed.
/// </summary>
public static unsafe class NativeKernels
{
    /// <summary>Encodes <paramref name="x"/> into B ≤ 8-bit LNS codes.</summary>
    public static void LnsEncode(in HybLnsFormat format, ReadOnlySpan<float> x, Span<byte> codes)
    {
        Validate.SameLength(x.Length, nameof(x), codes.Length, nameof(codes));
        Validate.Disjoint(MemoryMarshal.AsBytes(x), nameof(x), MemoryMarshal.AsBytes(codes), nameof(codes));
        Ready();
        fixed (HybLnsFormat* f = &format)
        fixed (float* px = x)
        fixed (byte* pc = codes)
            NativeStatus.Check(HybridNative.hyb_lns_encode_u8(f, px, pc, x.Length));
    }

    /// <summary>Encodes <paramref name="x"/> into LNS codes of any B ≤ 16.</summary>
    public static void LnsEncode(in HybLnsFormat format, ReadOnlySpan<float> x, Span<ushort> codes)
    {
        Validate.SameLength(x.Length, nameof(x), codes.Length, nameof(codes));
        Validate.Disjoint(MemoryMarshal.AsBytes(x), nameof(x), MemoryMarshal.AsBytes(codes), nameof(codes));
        Ready();
        fixed (HybLnsFormat* f = &format)
        fixed (float* px = x)
        fixed (ushort* pc = codes)
            NativeStatus.Check(HybridNative.hyb_lns_encode_u16(f, px, pc, x.Length));
    }

    /// <summary>Decodes B ≤ 8-bit LNS codes into <paramref name="x"/>.</summary>
    public static void LnsDecode(in HybLnsFormat format, ReadOnlySpan<byte> codes, Span<float> x)
    {
        Validate.SameLength(codes.Length, nameof(codes), x.Length, nameof(x));
        Validate.Disjoint(MemoryMarshal.AsBytes(codes), nameof(codes), MemoryMarshal.AsBytes(x), nameof(x));
        Ready();
        fixed (HybLnsFormat* f = &format)
        fixed (byte* pc = codes)
        fixed (float* px = x)
            NativeStatus.Check(HybridNative.hyb_lns_decode_u8(f, pc, px, x.Length));
    }

    /// <summary>Decodes LNS codes of any B ≤ 16 into <paramref name="x"/>.</summary>
    public static void LnsDecode(in HybLnsFormat format, ReadOnlySpan<ushort> codes, Span<float> x)
    {
        Validate.SameLength(codes.Length, nameof(codes), x.Length, nameof(x));
        Validate.Disjoint(MemoryMarshal.AsBytes(codes), nameof(codes), MemoryMarshal.AsBytes(x), nameof(x));
        Ready();
        fixed (HybLnsFormat* f = &format)
        fixed (ushort* pc = codes)
        fixed (float* px = x)
            NativeStatus.Check(HybridNative.hyb_lns_decode_u16(f, pc, px, x.Length));
    }

    /// <summary>One LNS Madam step on B ≤ 8-bit codes in place; returns what it did.
    /// <paramref name="v"/> holds n, rows, 1 or 0 moments by <c>config.Moment</c>.</summary>
    public static HybStepStats LnsMadamStep(in HybLnsMadamConfig config, Span<byte> codes,
        ReadOnlySpan<float> grad, Span<float> v)
    {
        Validate.StepBuffers(MemoryMarshal.AsBytes(codes), codes.Length, nameof(codes), grad, v, v.Length);
        Ready();
        HybStepStats stats;
        fixed (HybLnsMadamConfig* c = &config)
        fixed (byte* pc = codes)
        fixed (float* pg = grad, pv = v)
            NativeStatus.Check(HybridNative.hyb_lns_madam_step_u8(c, pc, pg, codes.Length, pv, v.Length, &stats));
        return stats;
    }

    /// <summary>One LNS Madam step on codes of any B ≤ 16 in place; returns what it did.
    /// <paramref name="v"/> holds n, rows, 1 or 0 moments by <c>config.Moment</c>.</summary>
    public static HybStepStats LnsMadamStep(in HybLnsMadamConfig config, Span<ushort> codes,
        ReadOnlySpan<float> grad, Span<float> v)
    {
        Validate.StepBuffers(MemoryMarshal.AsBytes(codes), codes.Length, nameof(codes), grad, v, v.Length);
        Ready();
        HybStepStats stats;
        fixed (HybLnsMadamConfig* c = &config)
        fixed (ushort* pc = codes)
        fixed (float* pg = grad, pv = v)
            NativeStatus.Check(HybridNative.hyb_lns_madam_step_u16(c, pc, pg, codes.Length, pv, v.Length, &stats));
        return stats;
    }

    /// <summary>One float32 Madam step on <paramref name="w"/> in place; returns what it did.</summary>
    public static HybStepStats MadamStep(in HybMadamConfig config, Span<float> w,
        ReadOnlySpan<float> grad, Span<float> v)
    {
        Validate.StepBuffers(MemoryMarshal.AsBytes(w), w.Length, nameof(w), grad, v, w.Length);
        Ready();
        HybStepStats stats;
        fixed (HybMadamConfig* c = &config)
        fixed (float* pw = w, pg = grad, pv = v)
            NativeStatus.Check(HybridNative.hyb_madam_step_f32(c, pw, pg, pv, w.Length, &stats));
        return stats;
    }

    /// <summary>Root mean square of <paramref name="x"/> (deterministic blocked sum in double).</summary>
    public static double Rms(ReadOnlySpan<float> x)
    {
        Ready();
        double r;
        fixed (float* px = x)
            NativeStatus.Check(HybridNative.hyb_rms_f32(px, x.Length, &r));
        return r;
    }

    /// <summary>One Philox4x32-10 block.</summary>
    public static void Philox(ReadOnlySpan<uint> counter, ReadOnlySpan<uint> key, Span<uint> output)
    {
        Validate.Length(counter.Length, 4, nameof(counter));
        Validate.Length(key.Length, 2, nameof(key));
        Validate.Length(output.Length, 4, nameof(output));
        Ready();
        fixed (uint* c = counter, k = key, o = output)
            NativeStatus.Check(HybridNative.hyb_philox4x32_10(c, k, o));
    }

    /// <summary>The stream's uniforms for elements offset .. offset + output.Length - 1.</summary>
    public static void RandomUniform(in HybRandomStream stream, long offset, Span<float> output)
    {
        Ready();
        fixed (HybRandomStream* s = &stream)
        fixed (float* o = output)
            NativeStatus.Check(HybridNative.hyb_random_uniform_f32(s, offset, o, output.Length));
    }

    /// <summary>What this build of libhybrid is.</summary>
    public static HybBuildInfo BuildInfo()
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
            Ready();
            int n;
            NativeStatus.Check(HybridNative.hyb_threads_get(&n));
            return n;
        }
        set
        {
            Ready();
            NativeStatus.Check(HybridNative.hyb_threads_set(value));
        }
    }

    /// <summary>Reads a NUL-terminated fixed buffer of a native struct as a string.</summary>
    public static string FixedString(byte* buffer, int capacity)
    {
        var span = new ReadOnlySpan<byte>(buffer, capacity);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Ready() => HybridLibrary.EnsureCompatible();
}

/// <summary>The safe layer's argument checks, done before any native call.</summary>
public static class Validate
{
    /// <summary>Throws unless the two lengths are equal.</summary>
    public static void SameLength(int a, string aName, int b, string bName)
    {
        if (a != b)
            throw new ArgumentException($"{aName} has {a} elements but {bName} has {b}; they must match.", bName);
    }

    /// <summary>Throws unless <paramref name="actual"/> is <paramref name="expected"/>.</summary>
    public static void Length(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} must have {expected} elements, not {actual}.", name);
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
