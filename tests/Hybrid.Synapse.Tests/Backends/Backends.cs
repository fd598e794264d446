using System.Numerics;
using Hybrid.Synapse.Backends;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// The backends every parameterised test runs on (ILGPU-style: a new backend joins every
/// test by being added to <see cref="SynapseBackends.Available"/>). The native library is part of
/// the build, so its absence is a failure here, not a skip. native-cpu runs once per SIMD level
/// this CPU has (scalar reference, AVX2, AVX-512), each forced in turn, so one machine with
/// AVX-512 checks every path.
/// </summary>
public static class Backends
{
    /// <summary>All backends, the managed reference first; native-cpu at its best SIMD level.</summary>
    public static IEnumerable<ISynapseBackend> All()
    {
        var (ok, why) = NativeCpuBackend.Probe();
        if (!ok) throw new InvalidOperationException("native-cpu backend unavailable: " + why);
        return SynapseBackends.Available.Select(b => b is NativeCpuBackend
            ? new ForcedSimdBackend(SynapseBackends.NativeSimdLevels[^1]) : b);
    }

    /// <summary>All backends, the managed reference first; native-cpu at every SIMD level this CPU has, each forced.</summary>
    public static IEnumerable<ISynapseBackend> AllLevels() =>
        All().Where(b => b is not ForcedSimdBackend).Concat(SynapseBackends.NativeSimdLevels.Select(l => new ForcedSimdBackend(l)));

    /// <summary>Backends checked against the managed reference: native-cpu at every SIMD level.</summary>
    public static IEnumerable<ISynapseBackend> Candidates() =>
        All().Where(b => b is not ManagedBackend and not ForcedSimdBackend)
            .Concat(SynapseBackends.NativeSimdLevels.Select(l => new ForcedSimdBackend(l)));
}

/// <summary>native-cpu with its CPU kernels forced to one SIMD level before every call.</summary>
public sealed class ForcedSimdBackend(string level) : ISynapseBackend
{
    /// <summary>The forced level: scalar, avx2 or avx512.</summary>
    public string Level => level;
    /// <inheritdoc />
    public string Name => $"{SynapseBackends.NativeCpu}[{level}]";
    /// <inheritdoc />
    public override string ToString() => Name;

    private static ISynapseBackend Native(string level)
    {
        SynapseBackends.NativeSimd = level;
        return NativeCpuBackend.Instance;
    }

    /// <inheritdoc />
    public void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => Native(level).LnsEncode(format, x, codes);
    /// <inheritdoc />
    public void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => Native(level).LnsDecode(format, codes, x);
    /// <inheritdoc />
    public StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => Native(level).LnsMadamStep(settings, codes, grad, v);
    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v) =>
        Native(level).MadamStep(settings, w, grad, v);
    /// <inheritdoc />
    public double Rms(ReadOnlySpan<float> x) => Native(level).Rms(x);
    /// <inheritdoc />
    public void RandomUniform(in RandomStream stream, long offset, Span<float> output) =>
        Native(level).RandomUniform(stream, offset, output);
    /// <inheritdoc />
    public Arithmetic.QuantizeStats LnsQuantize(in Arithmetic.LnsQuantizeSettings settings, ReadOnlySpan<float> x, Span<float> y) =>
        Native(level).LnsQuantize(settings, x, y);
    /// <inheritdoc />
    public Arithmetic.GemmStats LnsGemmExact<TCode>(in Arithmetic.LnsGemmSettings settings, ReadOnlySpan<TCode> a,
        ReadOnlySpan<TCode> b, Span<float> c)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => Native(level).LnsGemmExact(settings, a, b, c);
    /// <inheritdoc />
    public ProgramStats LnsProgram<TCode>(in LnsProgramSettings settings, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        Span<float> offsets) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> =>
        Native(level).LnsProgram(settings, before, after, offsets);
    /// <inheritdoc />
    public void LnsRead<TCode>(in LnsReadSettings settings, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode> => Native(level).LnsRead(settings, codes, offsets, x);
    /// <inheritdoc />
    public ProgramStats DeviceUpdate(in DeviceUpdateSettings settings, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw) =>
        Native(level).DeviceUpdate(settings, hidden, apparent, dw);
    /// <inheritdoc />
    public void DeviceRead(in DeviceReadSettings settings, ReadOnlySpan<float> w, Span<float> output) =>
        Native(level).DeviceRead(settings, w, output);
}
