using System.Numerics;
using Hybrid.Synapse.Twin;
using Hybrid.Native;
using static Hybrid.Synapse.Backends.InteropMapping;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// libhybrid's C kernels on the CPU (vectorised, multithreaded for large tensors; results do
/// not depend on the thread count), on the caller's memory. The twin's argument contract is
/// checked first (<see cref="KernelContract"/>), so every backend throws the same
/// <see cref="ArgumentException"/>; libhybrid checks its own contract again before it writes.
/// </summary>
public sealed class NativeCpuBackend : ISynapseBackend
{
    /// <summary>The one instance.</summary>
    public static readonly NativeCpuBackend Instance = new();

    private NativeCpuBackend() { }

    /// <inheritdoc />
    public string Name => SynapseBackends.NativeCpu;

    /// <summary>Whether libhybrid loads here, and if not, why.</summary>
    public static (bool Available, string Reason) Probe()
    {
        try
        {
            HybridLibrary.EnsureCompatible();
            return (true, $"libhybrid loaded from {HybridLibrary.LoadedFrom}");
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            return (false, e.Message);
        }
    }

    /// <inheritdoc />
    public void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsEncode<TCode>(format, x, codes);
        LnsKernels.Encode(ToNative(format), x, codes);
    }

    /// <inheritdoc />
    public void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsDecode(format, codes, x);
        LnsKernels.Decode(ToNative(format), codes, x);
    }

    /// <inheritdoc />
    public StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsMadamStep<TCode>(settings, codes, grad, v);
        return FromNative(LnsKernels.MadamStep(ToNative(settings), codes, grad, v));
    }

    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
    {
        KernelContract.MadamStep(settings, w, grad, v);
        return FromNative(MadamKernels.Step(ToNative(settings), w, grad, v));
    }

    /// <inheritdoc />
    public double Rms(ReadOnlySpan<float> x) => MadamKernels.Rms(x);

    /// <inheritdoc />
    public void RandomUniform(in RandomStream stream, long offset, Span<float> output)
    {
        KernelContract.RandomUniform(stream, offset, output.Length);
        RandomKernels.Uniform(ToNative(stream), offset, output);
    }

    /// <inheritdoc />
    public Arithmetic.QuantizeStats LnsQuantize(in Arithmetic.LnsQuantizeSettings settings, ReadOnlySpan<float> x, Span<float> y)
    {
        KernelContract.LnsQuantize(settings, x, y);
        return FromNative(LnsArithKernels.Quantize(ToNative(settings), x, y));
    }

    /// <inheritdoc />
    public Arithmetic.QuantizeStats LnsQuantizeEncode<TCode>(in Arithmetic.LnsQuantizeSettings settings, ReadOnlySpan<float> x,
        Span<float> y, Span<TCode> codes) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsQuantizeEncode(settings, x, y, codes);
        return FromNative(LnsArithKernels.QuantizeEncode(ToNative(settings), x, y, codes));
    }

    /// <inheritdoc />
    public Arithmetic.GemmStats LnsGemmExact<TCode>(in Arithmetic.LnsGemmSettings settings, ReadOnlySpan<TCode> a,
        ReadOnlySpan<TCode> b, Span<float> c) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        KernelContract.LnsGemmExact(settings, a, b, c);
        return FromNative(LnsArithKernels.GemmExact(ToNative(settings), a, b, c));
    }

    /// <inheritdoc />
    public ProgramStats LnsProgram<TCode>(in LnsProgramSettings settings, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        Span<float> offsets) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        DeviceContract.LnsProgram(settings, before, after, offsets);
        return FromNative(Native.DeviceKernels.LnsProgram(ToNative(settings), before, after, offsets));
    }

    /// <inheritdoc />
    public void LnsRead<TCode>(in LnsReadSettings settings, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        DeviceContract.LnsRead(settings, codes, offsets, x);
        Native.DeviceKernels.LnsRead(ToNative(settings), codes, offsets, x);
    }

    /// <inheritdoc />
    public ProgramStats DeviceUpdate(in DeviceUpdateSettings settings, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw)
    {
        DeviceContract.DeviceUpdate(settings, hidden, apparent, dw);
        return FromNative(Native.DeviceKernels.Update(ToNative(settings), hidden, apparent, dw));
    }

    /// <inheritdoc />
    public void DeviceRead(in DeviceReadSettings settings, ReadOnlySpan<float> w, Span<float> output)
    {
        DeviceContract.DeviceRead(settings, w, output);
        Native.DeviceKernels.Read(ToNative(settings), w, output);
    }
}
