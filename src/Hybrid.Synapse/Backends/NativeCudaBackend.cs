using System.Numerics;
using Hybrid.Synapse.Twin;
using Hybrid.Native;
using static Hybrid.Synapse.Backends.InteropMapping;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// libhybrid's CUDA kernels. On host spans each call copies into fresh device buffers, runs the
/// kernel on the default stream and copies the results back — simple and slow (fine for
/// cross-checks); on <see cref="DeviceMemory{T}"/> views (a TorchSharp CUDA tensor's storage)
/// the kernels run in place with no copy, through the safe layer's non-owning
/// <see cref="CudaBuffer{T}.View"/>. Results are bit-identical to the other backends'. The twin's
/// argument contract is checked first, like <see cref="NativeCpuBackend"/>; libhybrid checks
/// again before it launches, and an output span is written only after the kernel succeeded.
/// </summary>
public sealed class NativeCudaBackend : IDeviceSynapseBackend
{
    /// <summary>The one instance.</summary>
    public static readonly NativeCudaBackend Instance = new();

    private NativeCudaBackend() { }

    /// <inheritdoc />
    public string Name => SynapseBackends.NativeCuda;

    /// <summary>
    /// Whether CUDA kernels run here, and why not ("libhybrid was built without CUDA ...",
    /// the CUDA runtime's "no CUDA-capable device is detected", ...).
    /// </summary>
    public static (bool Available, string Reason) Probe() => Cuda.Probe();

    /// <inheritdoc />
    public void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsEncode<TCode>(format, x, codes);
        using var dx = CudaBuffer<float>.From(x);
        using var dc = new CudaBuffer<TCode>(codes.Length);
        CudaKernels.LnsEncode(ToNative(format), dx, dc);
        dc.CopyTo(codes);
    }

    /// <inheritdoc />
    public void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsDecode(format, codes, x);
        using var dc = CudaBuffer<TCode>.From(codes);
        using var dx = new CudaBuffer<float>(x.Length);
        CudaKernels.LnsDecode(ToNative(format), dc, dx);
        dx.CopyTo(x);
    }

    /// <inheritdoc />
    public StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsMadamStep<TCode>(settings, codes, grad, v);
        using var dc = CudaBuffer<TCode>.From(codes);
        using var dg = CudaBuffer<float>.From(grad);
        using var dv = CudaBuffer<float>.From(v);
        var stats = CudaKernels.LnsMadamStep(ToNative(settings), dc, dg, dv);
        dc.CopyTo(codes);
        dv.CopyTo(v);
        return FromNative(stats);
    }

    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
    {
        KernelContract.MadamStep(settings, w, grad, v);
        using var dw = CudaBuffer<float>.From(w);
        using var dg = CudaBuffer<float>.From(grad);
        using var dv = CudaBuffer<float>.From(v);
        var stats = CudaKernels.MadamStep(ToNative(settings), dw, dg, dv);
        dw.CopyTo(w);
        dv.CopyTo(v);
        return FromNative(stats);
    }

    /// <inheritdoc />
    public double Rms(ReadOnlySpan<float> x)
    {
        using var dx = CudaBuffer<float>.From(x);
        return CudaKernels.Rms(dx);
    }

    /// <inheritdoc />
    public void RandomUniform(in RandomStream stream, long offset, Span<float> output)
    {
        KernelContract.RandomUniform(stream, offset, output.Length);
        using var d = new CudaBuffer<float>(output.Length);
        CudaKernels.RandomUniform(ToNative(stream), offset, d);
        d.CopyTo(output);
    }

    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, DeviceMemory<float> w, DeviceMemory<float> grad, DeviceMemory<float> v)
    {
        settings.Validate();
        using var dw = View(w);
        using var dg = View(grad);
        using var dv = View(v);
        return FromNative(CudaKernels.MadamStep(ToNative(settings), dw, dg, dv));
    }

    /// <inheritdoc />
    public double Rms(DeviceMemory<float> x)
    {
        using var dx = View(x);
        return CudaKernels.Rms(dx);
    }

    /// <inheritdoc />
    public void LnsDecode<TCode>(LnsFormat format, DeviceMemory<TCode> codes, DeviceMemory<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        format.Validate(KernelContract.CodeBytes<TCode>());
        using var dc = View(codes);
        using var dx = View(x);
        CudaKernels.LnsDecode(ToNative(format), dc, dx);
    }

    /// <inheritdoc />
    public StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, DeviceMemory<TCode> codes, DeviceMemory<float> grad,
        DeviceMemory<float> v) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        settings.Validate(KernelContract.CodeBytes<TCode>());
        if (codes.Length > int.MaxValue) throw new ArgumentException($"codes has {codes.Length} elements; at most 2^31 − 1.", nameof(codes));
        SpanRules.MomentLength((int)Math.Min(v.Length, int.MaxValue), settings.MomentLength((int)codes.Length));
        using var dc = View(codes);
        using var dg = View(grad);
        using var dv = View(v);
        return FromNative(CudaKernels.LnsMadamStep(ToNative(settings), dc, dg, dv));
    }

    /// <inheritdoc />
    public Arithmetic.QuantizeStats LnsQuantize(in Arithmetic.LnsQuantizeSettings settings, ReadOnlySpan<float> x, Span<float> y)
    {
        KernelContract.LnsQuantize(settings, x, y);
        using var dx = CudaBuffer<float>.From(x);
        var stats = CudaKernels.LnsQuantize(ToNative(settings), dx, dx);
        dx.CopyTo(y);
        return FromNative(stats);
    }

    /// <inheritdoc />
    public Arithmetic.GemmStats LnsGemmExact<TCode>(in Arithmetic.LnsGemmSettings settings, ReadOnlySpan<TCode> a,
        ReadOnlySpan<TCode> b, Span<float> c) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsGemmExact(settings, a, b, c);
        using var da = CudaBuffer<TCode>.From(a);
        using var db = CudaBuffer<TCode>.From(b);
        using var dc = new CudaBuffer<float>(c.Length);
        var stats = CudaKernels.LnsGemmExact(ToNative(settings), da, db, dc);
        dc.CopyTo(c);
        return FromNative(stats);
    }

    private static CudaBuffer<T> View<T>(DeviceMemory<T> m) where T : unmanaged => CudaBuffer<T>.View(m.Address, m.Length);

    // The device kernels (hybrid/device.h) have no CUDA version yet: on host spans they run libhybrid's CPU code,
    // which gives the same bits (docs/devices.md).

    /// <inheritdoc />
    public ProgramStats LnsProgram<TCode>(in LnsProgramSettings settings, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        Span<float> offsets) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> =>
        NativeCpuBackend.Instance.LnsProgram(settings, before, after, offsets);

    /// <inheritdoc />
    public void LnsRead<TCode>(in LnsReadSettings settings, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> =>
        NativeCpuBackend.Instance.LnsRead(settings, codes, offsets, x);

    /// <inheritdoc />
    public ProgramStats DeviceUpdate(in DeviceUpdateSettings settings, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw) =>
        NativeCpuBackend.Instance.DeviceUpdate(settings, hidden, apparent, dw);

    /// <inheritdoc />
    public void DeviceRead(in DeviceReadSettings settings, ReadOnlySpan<float> w, Span<float> output) =>
        NativeCpuBackend.Instance.DeviceRead(settings, w, output);
}
