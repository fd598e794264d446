using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// libhybrid's CUDA kernels on <see cref="CudaBuffer{T}"/>s: the twins of
/// <see cref="LnsKernels"/>, <see cref="MadamKernels"/> and <see cref="RandomKernels"/>, with bit-identical results. Lengths are checked here (an
/// <see cref="ArgumentException"/> naming the buffer), a buffer passed twice is an overlap;
/// everything else is checked by libhybrid before it launches (a
/// <see cref="HybridArgumentException"/> with its message), and on any exception no buffer has
/// changed. Calls are queued on <c>stream</c> (null: the default stream); those that validate
/// device data or return stats wait for the stream before they return (see hybrid/cuda.h).
/// </summary>
public static unsafe class CudaKernels
{
    /// <summary>Encodes <paramref name="x"/> into LNS codes (byte: B ≤ 8, ushort: B ≤ 16).</summary>
    public static void LnsEncode<TCode>(in HybLnsFormat format, CudaBuffer<float> x, CudaBuffer<TCode> codes, CudaStream? stream = null)
        where TCode : unmanaged
    {
        Same(x, nameof(x), codes, nameof(codes));
        using var px = new HandleLease(x);
        using var pc = new HandleLease(codes);
        using var s = new HandleLease(stream);
        fixed (HybLnsFormat* f = &format)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_cuda_lns_encode_u8(f, (float*)px.Pointer, (byte*)pc.Pointer, x.Length, s.Pointer)
                : HybridNative.hyb_cuda_lns_encode_u16(f, (float*)px.Pointer, (ushort*)pc.Pointer, x.Length, s.Pointer));
    }

    /// <summary>Decodes LNS codes into <paramref name="x"/>.</summary>
    public static void LnsDecode<TCode>(in HybLnsFormat format, CudaBuffer<TCode> codes, CudaBuffer<float> x, CudaStream? stream = null)
        where TCode : unmanaged
    {
        Same(codes, nameof(codes), x, nameof(x));
        using var pc = new HandleLease(codes);
        using var px = new HandleLease(x);
        using var s = new HandleLease(stream);
        fixed (HybLnsFormat* f = &format)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_cuda_lns_decode_u8(f, (byte*)pc.Pointer, (float*)px.Pointer, x.Length, s.Pointer)
                : HybridNative.hyb_cuda_lns_decode_u16(f, (ushort*)pc.Pointer, (float*)px.Pointer, x.Length, s.Pointer));
    }

    /// <summary>One LNS Madam step on codes in place; returns what it did (waits for the stream).
    /// <paramref name="v"/> holds n, rows, 1 or 0 moments by <c>config.Moment</c>.</summary>
    public static HybStepStats LnsMadamStep<TCode>(in HybLnsMadamConfig config, CudaBuffer<TCode> codes,
        CudaBuffer<float> grad, CudaBuffer<float> v, CudaStream? stream = null) where TCode : unmanaged
    {
        Step(codes, nameof(codes), grad, v, sameV: false);
        using var pc = new HandleLease(codes);
        using var pg = new HandleLease(grad);
        using var pv = new HandleLease(v);
        using var s = new HandleLease(stream);
        HybStepStats stats;
        fixed (HybLnsMadamConfig* c = &config)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_cuda_lns_madam_step_u8(c, (byte*)pc.Pointer, (float*)pg.Pointer,
                    codes.Length, (float*)pv.Pointer, v.Length, &stats, s.Pointer)
                : HybridNative.hyb_cuda_lns_madam_step_u16(c, (ushort*)pc.Pointer, (float*)pg.Pointer,
                    codes.Length, (float*)pv.Pointer, v.Length, &stats, s.Pointer));
        return stats;
    }

    /// <summary>One float32 Madam step on <paramref name="w"/> in place; returns what it did (waits for the stream).</summary>
    public static HybStepStats MadamStep(in HybMadamConfig config, CudaBuffer<float> w, CudaBuffer<float> grad,
        CudaBuffer<float> v, CudaStream? stream = null)
    {
        Step(w, nameof(w), grad, v, sameV: true);
        using var pw = new HandleLease(w);
        using var pg = new HandleLease(grad);
        using var pv = new HandleLease(v);
        using var s = new HandleLease(stream);
        HybStepStats stats;
        fixed (HybMadamConfig* c = &config)
            NativeStatus.Check(HybridNative.hyb_cuda_madam_step_f32(c, (float*)pw.Pointer, (float*)pg.Pointer,
                (float*)pv.Pointer, w.Length, &stats, s.Pointer));
        return stats;
    }

    /// <summary>Root mean square of <paramref name="x"/>: the same double as <see cref="MadamKernels.Rms"/>.</summary>
    public static double Rms(CudaBuffer<float> x, CudaStream? stream = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var px = new HandleLease(x);
        using var s = new HandleLease(stream);
        double r;
        NativeStatus.Check(HybridNative.hyb_cuda_rms_f32((float*)px.Pointer, x.Length, &r, s.Pointer));
        return r;
    }

    /// <summary>The stream's uniforms for elements offset .. offset + output.Length - 1, on the device.</summary>
    public static void RandomUniform(in HybRandomStream position, long offset, CudaBuffer<float> output, CudaStream? stream = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var po = new HandleLease(output);
        using var s = new HandleLease(stream);
        fixed (HybRandomStream* r = &position)
            NativeStatus.Check(HybridNative.hyb_cuda_random_uniform_f32(r, offset, (float*)po.Pointer, output.Length, s.Pointer));
    }

    /// <summary>Quantises <paramref name="x"/> onto the LNS grid into <paramref name="y"/> (which may be
    /// <paramref name="x"/>); returns what it did (waits for the stream).</summary>
    public static HybQuantizeStats LnsQuantize(in HybLnsQuantizeConfig config, CudaBuffer<float> x, CudaBuffer<float> y,
        CudaStream? stream = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length)
            throw new ArgumentException($"x has {x.Length} elements but y has {y.Length}; they must match.", nameof(y));
        using var px = new HandleLease(x);
        using var py = new HandleLease(ReferenceEquals(x, y) ? null : y); // in place: one lease
        using var s = new HandleLease(stream);
        HybQuantizeStats stats;
        fixed (HybLnsQuantizeConfig* c = &config)
            NativeStatus.Check(HybridNative.hyb_cuda_lns_quantize_f32(c, (float*)px.Pointer,
                (float*)(ReferenceEquals(x, y) ? px.Pointer : py.Pointer), x.Length, &stats, s.Pointer));
        return stats;
    }

    /// <summary>C = A·B on LNS codes in device buffers; returns what it did (waits for the stream).</summary>
    public static HybGemmStats LnsGemmExact<TCode>(in HybLnsGemmConfig config, CudaBuffer<TCode> a, CudaBuffer<TCode> b,
        CudaBuffer<float> c, CudaStream? stream = null) where TCode : unmanaged
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (config.M < 0 || config.K < 0 || config.N < 0)
            throw new ArgumentException($"GEMM shape {config.M} x {config.K} x {config.N} has a negative size.", nameof(config));
        Exactly(a, config.M * config.K, nameof(a));
        Exactly(b, config.K * config.N, nameof(b));
        Exactly(c, config.M * config.N, nameof(c));
        using var pa = new HandleLease(a);
        using var pb = new HandleLease(b);
        using var pc = new HandleLease(c);
        using var s = new HandleLease(stream);
        HybGemmStats stats;
        fixed (HybLnsGemmConfig* cfg = &config)
            NativeStatus.Check(CodeWidth.IsByte<TCode>()
                ? HybridNative.hyb_cuda_lns_gemm_exact_u8(cfg, (byte*)pa.Pointer, (byte*)pb.Pointer, (float*)pc.Pointer, &stats, s.Pointer)
                : HybridNative.hyb_cuda_lns_gemm_exact_u16(cfg, (ushort*)pa.Pointer, (ushort*)pb.Pointer, (float*)pc.Pointer, &stats, s.Pointer));
        return stats;
    }

    private static void Exactly<T>(CudaBuffer<T> buffer, long expected, string name) where T : unmanaged
    {
        if (buffer.Length != expected)
            throw new ArgumentException($"{name} must have {expected} elements, not {buffer.Length}.", name);
    }

    private static void Same<TA, TB>(CudaBuffer<TA> a, string aName, CudaBuffer<TB> b, string bName)
        where TA : unmanaged where TB : unmanaged
    {
        ArgumentNullException.ThrowIfNull(a, aName);
        ArgumentNullException.ThrowIfNull(b, bName);
        if (a.Length != b.Length)
            throw new ArgumentException($"{aName} has {a.Length} elements but {bName} has {b.Length}; they must match.", bName);
        if (ReferenceEquals(a, b))
            throw new ArgumentException($"{aName} and {bName} are the same buffer; they must be separate buffers (overlap).", bName);
    }

    // grad as long as the target; v as well when sameV (float Madam), else its length is the
    // moment mode's business (libhybrid checks it); no buffer passed twice.
    private static void Step<T>(CudaBuffer<T> target, string targetName, CudaBuffer<float> grad, CudaBuffer<float> v,
        bool sameV) where T : unmanaged
    {
        Same(target, targetName, grad, nameof(grad));
        ArgumentNullException.ThrowIfNull(v);
        if (sameV) Same(target, targetName, v, nameof(v));
        if (ReferenceEquals(grad, v))
            throw new ArgumentException("grad and v are the same buffer; they must be separate buffers (overlap).", nameof(v));
    }
}
