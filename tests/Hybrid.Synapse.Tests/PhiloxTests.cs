using Hybrid.Native;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Twin;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>Philox4x32-10 in C# and C against Random123's known answers; the streams bit-identical.</summary>
public class PhiloxTests
{
    // Random123 tests/kat_vectors, "philox4x32 10": counter, key, expected output.
    private static readonly uint[][] Kat =
    [
        [0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
        [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ];

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void ManagedMatchesKnownAnswers(int v)
    {
        var k = Kat[v];
        var r = Philox.Block(k[0], k[1], k[2], k[3], k[4], k[5]);
        Assert.That(new[] { r.W0, r.W1, r.W2, r.W3 }, Is.EqualTo(k[6..10]));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void NativeMatchesKnownAnswers(int v)
    {
        var k = Kat[v];
        var output = new uint[4];
        RandomKernels.Philox(k.AsSpan(0, 4), k.AsSpan(4, 2), output);
        Assert.That(output, Is.EqualTo(k[6..10]));
    }

    [Test]
    public void StreamsAreBitIdenticalOnEveryBackend(
        [Values(0ul, 42ul, 0xFEDCBA9876543210ul)] ulong seed, [Values(0, 3, 255)] int purpose)
    {
        var s = new RandomStream(seed, 12345678901L, 7, purpose);
        const int n = 70_001; // past the native threading threshold
        var reference = new float[n];
        ManagedBackend.Instance.RandomUniform(s, 1001, reference);
        foreach (var b in Backends.Candidates())
        {
            var x = new float[n];
            b.RandomUniform(s, 1001, x);
            TestData.AssertIdentical<float>(reference, x, b.Name);
        }
        Assert.That(reference.Min(), Is.GreaterThanOrEqualTo(0f));
        Assert.That(reference.Max(), Is.LessThan(1f));
        // mean of n uniforms: sd = 1/sqrt(12 n) = 0.0011; allow 5 sd
        Assert.That(reference.Average(), Is.EqualTo(0.5).Within(5 / Math.Sqrt(12.0 * n)));
    }
}
