using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Backends;

/// <summary>The managed twin as a backend: always available, the reference for the others.</summary>
public sealed class ManagedBackend : ISynapseBackend
{
    /// <summary>The one instance.</summary>
    public static readonly ManagedBackend Instance = new();

    private ManagedBackend() { }

    /// <inheritdoc />
    public string Name => "managed";
    /// <inheritdoc />
    public void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<byte> codes) => ManagedKernels.LnsEncode(format, x, codes);
    /// <inheritdoc />
    public void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<ushort> codes) => ManagedKernels.LnsEncode(format, x, codes);
    /// <inheritdoc />
    public void LnsDecode(LnsFormat format, ReadOnlySpan<byte> codes, Span<float> x) => ManagedKernels.LnsDecode(format, codes, x);
    /// <inheritdoc />
    public void LnsDecode(LnsFormat format, ReadOnlySpan<ushort> codes, Span<float> x) => ManagedKernels.LnsDecode(format, codes, x);
    /// <inheritdoc />
    public StepStats LnsMadamStep(in LnsMadamSettings settings, Span<byte> codes, ReadOnlySpan<float> grad, Span<float> v) =>
        ManagedKernels.LnsMadamStep(settings, codes, grad, v);
    /// <inheritdoc />
    public StepStats LnsMadamStep(in LnsMadamSettings settings, Span<ushort> codes, ReadOnlySpan<float> grad, Span<float> v) =>
        ManagedKernels.LnsMadamStep(settings, codes, grad, v);
    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v) =>
        ManagedKernels.MadamStep(settings, w, grad, v);
    /// <inheritdoc />
    public double Rms(ReadOnlySpan<float> x) => ManagedKernels.Rms(x);
    /// <inheritdoc />
    public void RandomUniform(in RandomStream stream, long offset, Span<float> output) =>
        ManagedKernels.RandomUniform(stream, offset, output);
}
