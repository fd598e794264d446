using Hybrid.Synapse.Backends;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// The backends every parameterised test runs on (ILGPU-style: a new backend joins every
/// test by being added to <see cref="SynapseBackends.Available"/>). The native library is part of
/// the build, so its absence is a failure here, not a skip.
/// </summary>
public static class Backends
{
    /// <summary>All backends, the managed reference first.</summary>
    public static IEnumerable<ISynapseBackend> All()
    {
        var (ok, why) = NativeCpuBackend.Probe();
        if (!ok) throw new InvalidOperationException("native-cpu backend unavailable: " + why);
        return SynapseBackends.Available;
    }

    /// <summary>Backends checked against the managed reference.</summary>
    public static IEnumerable<ISynapseBackend> Candidates() => All().Where(b => b is not ManagedBackend);
}
