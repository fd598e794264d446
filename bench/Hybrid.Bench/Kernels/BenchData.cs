namespace Hybrid.Bench.Kernels;

/// <summary>
/// Tensor sizes and deterministic, cheap-to-make inputs (an xorshift generator: filling 16M
/// elements with System.Random's normals would dominate a short run's setup).
/// </summary>
public static class BenchData
{
    /// <summary>The environment variable that replaces the sizes, e.g. "4096" for CI's dry run.</summary>
    public const string SizesVariable = "HYBRID_BENCH_SIZES";

    /// <summary>N ∈ {4K, 1M, 16M}: in L1/L2, in the last-level cache or near it, and far beyond it.</summary>
    public static readonly int[] DefaultSizes = [4096, 1 << 20, 1 << 24];

    /// <summary>The sizes to run: <see cref="SizesVariable"/> (comma-separated) when set, else the defaults.</summary>
    public static IEnumerable<int> Sizes()
    {
        var env = Environment.GetEnvironmentVariable(SizesVariable);
        if (string.IsNullOrWhiteSpace(env)) return DefaultSizes;
        var sizes = new List<int>();
        foreach (var part in env.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out int n) || n < 1)
                throw new ArgumentException($"{SizesVariable} = '{env}': '{part}' is not a positive element count.");
            sizes.Add(n);
        }
        return sizes;
    }

    /// <summary>Gradients: uniform in ±scale, never zero, never non-finite.</summary>
    public static float[] Gradient(int n, ulong seed, float scale = 0.05f)
    {
        var x = new float[n];
        ulong s = seed * 0x9E3779B97F4A7C15ul | 1;
        for (int i = 0; i < n; ++i) x[i] = scale * (2f * Unit(ref s) - 1f + 1e-6f);
        return x;
    }

    /// <summary>Weights: uniform magnitudes in [0.01, 0.2], random signs.</summary>
    public static float[] Weights(int n, ulong seed)
    {
        var x = new float[n];
        ulong s = seed * 0x9E3779B97F4A7C15ul | 1;
        for (int i = 0; i < n; ++i)
        {
            float m = 0.01f + 0.19f * Unit(ref s);
            x[i] = (Next(ref s) & 1) != 0 ? -m : m;
        }
        return x;
    }

    /// <summary>Valid B-bit codes, uniform over all 2^B (so a few are the zero code).</summary>
    public static uint[] Codes(int n, int bits, ulong seed)
    {
        var c = new uint[n];
        ulong s = seed * 0x9E3779B97F4A7C15ul | 1;
        uint mask = (1u << bits) - 1u;
        for (int i = 0; i < n; ++i) c[i] = (uint)Next(ref s) & mask;
        return c;
    }

    private static ulong Next(ref ulong s)
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }

    private static float Unit(ref ulong s) => (Next(ref s) >> 40) * (1f / 16777216f);
}
