namespace Hybrid.Synapse.Tests.Support;

/// <summary>Deterministic test data (System.Random with a fixed seed; not the Philox stream).</summary>
public static class TestData
{
    /// <summary>n normal(0, scale) floats.</summary>
    public static float[] Normal(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; ++i)
        {
            double u1 = 1.0 - r.NextDouble(), u2 = r.NextDouble();
            x[i] = scale * (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return x;
    }

    /// <summary>n valid random codes of a B-bit format (some zero codes among them).</summary>
    public static T[] Codes<T>(int n, int bits, int seed) where T : System.Numerics.IBinaryInteger<T>
    {
        var r = new Random(seed);
        var c = new T[n];
        for (int i = 0; i < n; ++i) c[i] = T.CreateTruncating(r.Next(1 << bits));
        return c;
    }

    /// <summary>A gradient with some exact zeros, tiny values and large outliers.</summary>
    public static float[] Gradient(int n, int seed)
    {
        var g = Normal(n, seed, 0.05f);
        for (int i = 0; i < n; i += 17) g[i] = 0f;
        for (int i = 5; i < n; i += 53) g[i] *= 1000f;
        for (int i = 11; i < n; i += 97) g[i] = 1e-30f;
        return g;
    }

    /// <summary>Throws with the first differing index unless the arrays are identical bit for bit.</summary>
    public static void AssertIdentical<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        var e = System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected);
        var a = System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual);
        int byteIndex = e.CommonPrefixLength(a);
        if (byteIndex == e.Length) return;
        int i = byteIndex / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        Assert.Fail($"{what}: element {i} of {expected.Length} differs: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>Repository root (the folder holding Hybrid.sln).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("Hybrid.sln not found above the test directory");
    }
}
