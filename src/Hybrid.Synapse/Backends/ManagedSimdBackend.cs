using Hybrid.Synapse.Simd;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// The Madam steps vectorised in managed code (<see cref="SimdKernels"/>: Vector256 and an AVX2
/// Philox, one thread): the speed a C# user gets without native code. LNS codes are
/// bit-identical to the reference; the float Madam step uses libhybrid's polynomial e^x.
/// Encode, decode, RMS and the random stream are the twin's (<see cref="ManagedBackendBase"/>):
/// they are not on a training step's hot path (encode/decode run once per tensor, RMS once per
/// run, and the stream is consumed inside the step), so vectorising them buys nothing here.
/// On a CPU without AVX2 the steps run the reference code too.
/// </summary>
public sealed class ManagedSimdBackend : ManagedBackendBase
{
    /// <summary>The one instance.</summary>
    public static readonly ManagedSimdBackend Instance = new();

    private ManagedSimdBackend() { }

    /// <inheritdoc />
    public override string Name => SynapseBackends.ManagedSimd;
    /// <inheritdoc />
    public override StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v) =>
        SimdKernels.LnsMadamStep(settings, codes, grad, v);
    /// <inheritdoc />
    public override StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v) =>
        SimdKernels.MadamStep(settings, w, grad, v);
}
