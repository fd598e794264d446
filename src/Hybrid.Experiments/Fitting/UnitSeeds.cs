using System.Text;

namespace Hybrid.Experiments.Fitting;

/// <summary>Seeds derived from a unit's seed, so that each purpose (initial weights, targets, random labels, GP draws)
/// has its own stream and a unit's numbers depend on nothing but its config.</summary>
public static class UnitSeeds
{
    /// <summary>SplitMix64 of (seed, FNV-1a hash of <paramref name="purpose"/>, index), as a non-negative long.</summary>
    public static long Of(long seed, string purpose, long index = 0)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(purpose)) h = (h ^ b) * 1099511628211UL;
        ulong x = Mix(Mix(Mix(unchecked((ulong)seed)) ^ h) ^ unchecked((ulong)index));
        return (long)(x >> 1);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
