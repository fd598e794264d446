using System.Runtime.InteropServices;
using Hybrid.Native;
using Hybrid.Native.Interop;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// libhybrid's CUDA kernels behind the span interface: each call copies its spans into fresh
/// device buffers, runs the kernel on the default stream and copies the results back — simple
/// and slow (fine for cross-checks; real training keeps tensors on the device and calls
/// <see cref="CudaKernels"/> directly). Results are bit-identical to the other backends'.
/// Settings, lengths and host-span overlaps are validated here first, like
/// <see cref="NativeCpuBackend"/>; libhybrid checks again before it launches, and an output
/// span is written only after the kernel succeeded.
/// </summary>
public sealed class NativeCudaBackend : ISynapseBackend
{
    /// <summary>The one instance.</summary>
    public static readonly NativeCudaBackend Instance = new();

    private NativeCudaBackend() { }

    /// <inheritdoc />
    public string Name => "native-cuda";

    /// <summary>
    /// Whether CUDA kernels run here, and why not ("libhybrid was built without CUDA ...",
    /// the CUDA runtime's "no CUDA-capable device is detected", ...).
    /// </summary>
    public static (bool Available, string Reason) Probe() => Cuda.Probe();

    /// <inheritdoc />
    public void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<byte> codes)
    {
        format.Validate(1);
        Check(x.Length, nameof(x), codes.Length, nameof(codes), MemoryMarshal.AsBytes(x), MemoryMarshal.AsBytes(codes));
        using var dx = CudaBuffer<float>.From(x);
        using var dc = new CudaBuffer<byte>(codes.Length);
        CudaKernels.LnsEncode(NativeCpuBackend.ToNative(format), dx, dc);
        dc.CopyTo(codes);
    }

    /// <inheritdoc />
    public void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<ushort> codes)
    {
        format.Validate(2);
        Check(x.Length, nameof(x), codes.Length, nameof(codes), MemoryMarshal.AsBytes(x), MemoryMarshal.AsBytes(codes));
        using var dx = CudaBuffer<float>.From(x);
        using var dc = new CudaBuffer<ushort>(codes.Length);
        CudaKernels.LnsEncode(NativeCpuBackend.ToNative(format), dx, dc);
        dc.CopyTo(codes);
    }

    /// <inheritdoc />
    public void LnsDecode(LnsFormat format, ReadOnlySpan<byte> codes, Span<float> x)
    {
        format.Validate(1);
        Check(codes.Length, nameof(codes), x.Length, nameof(x), codes, MemoryMarshal.AsBytes(x));
        using var dc = CudaBuffer<byte>.From(codes);
        using var dx = new CudaBuffer<float>(x.Length);
        CudaKernels.LnsDecode(NativeCpuBackend.ToNative(format), dc, dx);
        dx.CopyTo(x);
    }

    /// <inheritdoc />
    public void LnsDecode(LnsFormat format, ReadOnlySpan<ushort> codes, Span<float> x)
    {
        format.Validate(2);
        Check(codes.Length, nameof(codes), x.Length, nameof(x), MemoryMarshal.AsBytes(codes), MemoryMarshal.AsBytes(x));
        using var dc = CudaBuffer<ushort>.From(codes);
        using var dx = new CudaBuffer<float>(x.Length);
        CudaKernels.LnsDecode(NativeCpuBackend.ToNative(format), dc, dx);
        dx.CopyTo(x);
    }

    /// <inheritdoc />
    public StepStats LnsMadamStep(in LnsMadamSettings settings, Span<byte> codes, ReadOnlySpan<float> grad, Span<float> v)
    {
        settings.Validate(1);
        Validate.MomentLength(v.Length, settings.MomentLength(codes.Length));
        Validate.StepBuffers(codes, codes.Length, nameof(codes), grad, v, v.Length);
        using var dc = CudaBuffer<byte>.From(codes);
        using var dg = CudaBuffer<float>.From(grad);
        using var dv = CudaBuffer<float>.From(v);
        var stats = CudaKernels.LnsMadamStep(NativeCpuBackend.ToNative(settings), dc, dg, dv);
        dc.CopyTo(codes);
        dv.CopyTo(v);
        return FromNative(stats);
    }

    /// <inheritdoc />
    public StepStats LnsMadamStep(in LnsMadamSettings settings, Span<ushort> codes, ReadOnlySpan<float> grad, Span<float> v)
    {
        settings.Validate(2);
        Validate.MomentLength(v.Length, settings.MomentLength(codes.Length));
        Validate.StepBuffers(MemoryMarshal.AsBytes(codes), codes.Length, nameof(codes), grad, v, v.Length);
        using var dc = CudaBuffer<ushort>.From(codes);
        using var dg = CudaBuffer<float>.From(grad);
        using var dv = CudaBuffer<float>.From(v);
        var stats = CudaKernels.LnsMadamStep(NativeCpuBackend.ToNative(settings), dc, dg, dv);
        dc.CopyTo(codes);
        dv.CopyTo(v);
        return FromNative(stats);
    }

    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
    {
        settings.Validate();
        Validate.StepBuffers(MemoryMarshal.AsBytes(w), w.Length, nameof(w), grad, v, w.Length);
        using var dw = CudaBuffer<float>.From(w);
        using var dg = CudaBuffer<float>.From(grad);
        using var dv = CudaBuffer<float>.From(v);
        var stats = CudaKernels.MadamStep(NativeCpuBackend.ToNative(settings), dw, dg, dv);
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
        stream.Validate();
        using var d = new CudaBuffer<float>(output.Length);
        CudaKernels.RandomUniform(new HybRandomStream
        {
            Seed = stream.Seed, Step = stream.Step, TensorId = stream.TensorId,
            Purpose = (HybRandomPurpose)stream.Purpose,
        }, offset, d);
        d.CopyTo(output);
    }

    private static void Check(int a, string aName, int b, string bName, ReadOnlySpan<byte> aBytes, ReadOnlySpan<byte> bBytes)
    {
        Validate.SameLength(a, aName, b, bName);
        Validate.Disjoint(aBytes, aName, bBytes, bName);
    }

    private static StepStats FromNative(HybStepStats s) => new(s.Elements, s.Changed, s.NonfiniteSkipped);
}
