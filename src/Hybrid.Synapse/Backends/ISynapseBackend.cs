namespace Hybrid.Synapse.Backends;

/// <summary>
/// One place the synapse kernels can run: the managed twin, libhybrid on the CPU, or (later)
/// libhybrid on CUDA. Every backend gives bit-identical LNS codes and random streams for the
/// same inputs; the float Madam step agrees within a few ulp. Cross-check tests are written
/// once against this interface and run for every backend in <see cref="SynapseBackends.All"/>.
/// </summary>
public interface ISynapseBackend
{
    /// <summary>Short name ("managed", "native-cpu").</summary>
    string Name { get; }

    /// <summary>Encodes floats into B ≤ 8-bit codes.</summary>
    void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<byte> codes);
    /// <summary>Encodes floats into B ≤ 16-bit codes.</summary>
    void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<ushort> codes);
    /// <summary>Decodes B ≤ 8-bit codes.</summary>
    void LnsDecode(LnsFormat format, ReadOnlySpan<byte> codes, Span<float> x);
    /// <summary>Decodes B ≤ 16-bit codes.</summary>
    void LnsDecode(LnsFormat format, ReadOnlySpan<ushort> codes, Span<float> x);
    /// <summary>One LNS Madam step on B ≤ 8-bit codes in place.</summary>
    StepStats LnsMadamStep(in LnsMadamSettings settings, Span<byte> codes, ReadOnlySpan<float> grad, Span<float> v);
    /// <summary>One LNS Madam step on B ≤ 16-bit codes in place.</summary>
    StepStats LnsMadamStep(in LnsMadamSettings settings, Span<ushort> codes, ReadOnlySpan<float> grad, Span<float> v);
    /// <summary>One float32 Madam step in place.</summary>
    StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v);
    /// <summary>Deterministic root mean square (for Madam's w_max).</summary>
    double Rms(ReadOnlySpan<float> x);
    /// <summary>Uniforms of the shared Philox stream.</summary>
    void RandomUniform(in RandomStream stream, long offset, Span<float> output);
}
