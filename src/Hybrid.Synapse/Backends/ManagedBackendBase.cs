using System.Numerics;
using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// What the two managed backends share: encode, decode, RMS, the random stream and the LNS
/// arithmetic run the managed twin (<see cref="ManagedKernels"/>, <see cref="ArithmeticKernels"/>);
/// each backend supplies only its two Madam steps (the twin's, or <see cref="Simd.SimdKernels"/>).
/// </summary>
public abstract class ManagedBackendBase : ISynapseBackend
{
    private protected ManagedBackendBase() { }

    /// <inheritdoc />
    public abstract string Name { get; }
    /// <inheritdoc />
    public abstract StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;
    /// <inheritdoc />
    public abstract StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v);

    /// <inheritdoc />
    public void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => ManagedKernels.LnsEncode(format, x, codes);
    /// <inheritdoc />
    public void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => ManagedKernels.LnsDecode(format, codes, x);
    /// <inheritdoc />
    public double Rms(ReadOnlySpan<float> x) => ManagedKernels.Rms(x);
    /// <inheritdoc />
    public void RandomUniform(in RandomStream stream, long offset, Span<float> output) =>
        ManagedKernels.RandomUniform(stream, offset, output);
    /// <inheritdoc />
    public Arithmetic.QuantizeStats LnsQuantize(in Arithmetic.LnsQuantizeSettings settings, ReadOnlySpan<float> x, Span<float> y) =>
        ArithmeticKernels.LnsQuantize(settings, x, y);
    /// <inheritdoc />
    public Arithmetic.GemmStats LnsGemmExact<TCode>(in Arithmetic.LnsGemmSettings settings, ReadOnlySpan<TCode> a,
        ReadOnlySpan<TCode> b, Span<float> c) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> =>
        ArithmeticKernels.LnsGemmExact(settings, a, b, c);

    /// <inheritdoc />
    public ProgramStats LnsProgram<TCode>(in LnsProgramSettings settings, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        Span<float> offsets) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> =>
        ManagedDeviceKernels.LnsProgram(settings, before, after, offsets);
    /// <inheritdoc />
    public void LnsRead<TCode>(in LnsReadSettings settings, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => ManagedDeviceKernels.LnsRead(settings, codes, offsets, x);
    /// <inheritdoc />
    public ProgramStats DeviceUpdate(in DeviceUpdateSettings settings, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw) =>
        ManagedDeviceKernels.DeviceUpdate(settings, hidden, apparent, dw);
    /// <inheritdoc />
    public void DeviceRead(in DeviceReadSettings settings, ReadOnlySpan<float> w, Span<float> output) =>
        ManagedDeviceKernels.DeviceRead(settings, w, output);
}
