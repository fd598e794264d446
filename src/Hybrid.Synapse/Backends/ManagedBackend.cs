using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Backends;

/// <summary>The managed twin as a backend: always available, the reference for the others.</summary>
public sealed class ManagedBackend : ManagedBackendBase
{
    /// <summary>The one instance.</summary>
    public static readonly ManagedBackend Instance = new();

    private ManagedBackend() { }

    /// <inheritdoc />
    public override string Name => SynapseBackends.Managed;
    /// <inheritdoc />
    public override StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v) =>
        ManagedKernels.LnsMadamStep(settings, codes, grad, v);
    /// <inheritdoc />
    public override StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v) =>
        ManagedKernels.MadamStep(settings, w, grad, v);
}
