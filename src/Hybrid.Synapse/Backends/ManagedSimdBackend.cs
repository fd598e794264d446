using System.Numerics;
using Hybrid.Synapse.Simd;
using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// The Madam steps vectorised in managed code (<see cref="SimdKernels"/>: Vector256 and an AVX2
/// Philox, one thread): the speed a C# user gets without native code. LNS codes are
/// bit-identical to the reference; the float Madam step uses libhybrid's polynomial e^x.
/// Encode, decode, RMS and the random stream are delegated to <see cref="ManagedKernels"/>:
/// they are not on a training step's hot path (encode/decode run once per tensor, RMS once per
/// run, and the stream is consumed inside the step), so vectorising them buys nothing here.
/// On a CPU without AVX2 the steps run the reference code too.
/// </summary>
public sealed class ManagedSimdBackend : ISynapseBackend
{
    /// <summary>The one instance.</summary>
    public static readonly ManagedSimdBackend Instance = new();

    private ManagedSimdBackend() { }

    /// <inheritdoc />
    public string Name => SynapseBackends.ManagedSimd;
    /// <inheritdoc />
    public void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => ManagedKernels.LnsEncode(format, x, codes);
    /// <inheritdoc />
    public void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => ManagedKernels.LnsDecode(format, codes, x);
    /// <inheritdoc />
    public StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => SimdKernels.LnsMadamStep(settings, codes, grad, v);
    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v) =>
        SimdKernels.MadamStep(settings, w, grad, v);
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
