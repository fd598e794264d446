using System.Runtime.InteropServices;
using CsCheck;
using Hybrid.Synapse.Backends;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// Property-based tests (CsCheck) over every backend at once — the managed twin, managed-simd, and libhybrid
/// through the safe layer (native-cpu): random lengths, formats, settings, overlapping buffers and non-finite
/// values. For every generated call either every backend accepts it and the outputs agree bit for bit, or every
/// backend rejects it with an <see cref="ArgumentException"/> and leaves every buffer byte-for-byte unchanged.
/// CsCheck shrinks a failure to a small case and prints the seed that replays it.
/// </summary>
public class PropertyTests
{
    private static readonly ISynapseBackend[] All = Backends.All().ToArray();

    // floats with every special value represented: normal, tiny, huge, ±0, ±inf, NaN
    private static readonly Gen<float> AnyFloat = Gen.Frequency(
        (6, Gen.Float[-4f, 4f]),
        (1, Gen.Float),
        (1, Gen.OneOf(0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, 1e-40f, 3e38f)));

    // arrays: mostly clean (so valid calls are common), sometimes with special values anywhere
    private static Gen<float[]> Floats(int min, int max) =>
        Gen.Frequency((3, Gen.Float[-4f, 4f].Array[min, max]), (1, AnyFloat.Array[min, max]));

    // mostly valid formats (γ so that the range spans 16 octaves), sometimes anything, in or out of range
    private static readonly Gen<LnsFormat> Formats = Gen.Frequency(
        (4, Gen.Select(Gen.Int[2, 16], Gen.OneOf(1f, 0.01f, 100f), (b, w) => new LnsFormat(b, Math.Max(0.5f, ((1 << (b - 1)) - 2) / 16f), w))),
        (1, Gen.Select(Gen.Int[1, 17], Gen.OneOf(0.5f, 1f, 8f, 4096f, 5000f, 0f, -1f, float.NaN), Gen.OneOf(1f, 1e-30f, 0f, -1f, float.NaN),
            (b, g, w) => new LnsFormat(b, g, w))));

    // usually 0, sometimes a length mismatch
    private static readonly Gen<int> Skew = Gen.Frequency((4, Gen.Const(0)), (1, Gen.Int[-2, 2]));

    /// <summary>Runs <paramref name="call"/> on every backend over its own copy of the buffers and checks the outcome agrees.</summary>
    private static void Agree(string what, byte[] buffers, Action<ISynapseBackend, byte[]> call)
    {
        bool ok = Outcome(what, buffers, call);
        Interlocked.Increment(ref ok ? ref _accepted : ref _rejected);
    }

    private static long _accepted, _rejected;

    [SetUp]
    public void ResetCounts() => (_accepted, _rejected) = (0, 0);

    [TearDown]
    public void BothOutcomesWereExercised()
    {
        // a property that only ever saw rejections (or only acceptances) would test half of what it claims
        TestContext.Out.WriteLine($"accepted {_accepted}, rejected {_rejected}");
        Assert.That(_accepted, Is.GreaterThan(10), "valid calls generated");
        Assert.That(_rejected, Is.GreaterThan(10), "invalid calls generated");
    }

    private static bool Outcome(string what, byte[] buffers, Action<ISynapseBackend, byte[]> call)
    {
        byte[]? expected = null;
        bool? accepted = null;
        foreach (var backend in All)
        {
            var copy = (byte[])buffers.Clone();
            bool ok;
            try
            {
                call(backend, copy);
                ok = true;
            }
            catch (ArgumentException)
            {
                ok = false;
                if (!copy.AsSpan().SequenceEqual(buffers))
                    throw new Exception($"{what}: {backend.Name} rejected the call but changed a buffer");
            }
            accepted ??= ok;
            if (ok != accepted) throw new Exception($"{what}: {backend.Name} {(ok ? "accepted" : "rejected")} what {All[0].Name} {(accepted.Value ? "accepted" : "rejected")}");
            if (!ok) continue;
            expected ??= copy;
            if (!copy.AsSpan().SequenceEqual(expected))
                throw new Exception($"{what}: {backend.Name}'s output differs from {All[0].Name}'s");
        }
        return accepted!.Value;
    }

    [Test]
    public void EncodeAgreesOrRejectsAlike() =>
        Gen.Select(Formats, Floats(0, 300), Skew).Sample((format, x, lengthSkew) =>
        {
            int n = x.Length;
            // one buffer: x as floats, then the codes (uint16); a skewed length is a mismatch every backend must reject
            var buffers = new byte[4 * n + 2 * Math.Max(0, n + lengthSkew)];
            MemoryMarshal.AsBytes(x.AsSpan()).CopyTo(buffers);
            Agree($"encode {format} n={n} skew={lengthSkew}", buffers, (b, buf) =>
            {
                var xs = MemoryMarshal.Cast<byte, float>(buf.AsSpan(0, 4 * n));
                var codes = MemoryMarshal.Cast<byte, ushort>(buf.AsSpan(4 * n));
                b.LnsEncode<ushort>(format, xs, codes);
            });
        }, iter: 300);

    [Test]
    public void DecodeAgreesOrRejectsAlike() =>
        Gen.Select(Formats, Gen.UShort.Array[0, 300], Gen.Bool, Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false))))
            .Sample((format, raw, narrow, inRange) =>
        {
            // mostly codes of the format (any code below 2^B is valid), sometimes any 16-bit value
            int bits = Math.Clamp(format.Bits, 1, 16);
            var codes = inRange ? raw.Select(c => (ushort)(c % (1 << (narrow ? Math.Min(bits, 8) : bits)))).ToArray() : raw;
            narrow &= format.Bits <= 8;
            int n = codes.Length;
            var buffers = new byte[2 * n + 4 * n];
            MemoryMarshal.AsBytes(codes.AsSpan()).CopyTo(buffers);
            Agree($"decode {format} n={n} narrow={narrow}", buffers, (b, buf) =>
            {
                var x = MemoryMarshal.Cast<byte, float>(buf.AsSpan(2 * n));
                if (narrow) b.LnsDecode<byte>(format, buf.AsSpan(0, n), x[..n]); // 8-bit codes: B ≤ 8 only
                else b.LnsDecode<ushort>(format, MemoryMarshal.Cast<byte, ushort>(buf.AsSpan(0, 2 * n)), x);
            });
        }, iter: 300);

    private static Gen<T> Mostly<T>(T usual, params T[] others) => Gen.Frequency((4, Gen.Const(usual)), (1, Gen.OneOf(others)));

    private static readonly Gen<LnsMadamSettings> LnsSettings =
        Gen.Select(Formats, Gen.Select(Mostly(0.01f, 0.1f, 1e-6f, 0f, -1f, float.NaN, 1e9f), Mostly(0.999f, 0f, 1f, 0.5f),
                Mostly(10f, 1f, 0f, float.PositiveInfinity)),
            Gen.Select(Gen.Enum<RoundingMode>(), Gen.Enum<MomentMode>(), Mostly(NonFinitePolicy.Skip, NonFinitePolicy.Reject), Mostly(1L, 0L, 2L, 5L)),
            Gen.Select(Gen.ULong, Gen.UInt[0, 3], Mostly(0f, 0.1f, 11f), Mostly(0f, 0.3f, 1f)),
            (f, a, c, d) => new LnsMadamSettings(f, c.Item4, a.Item1, a.Item2, a.Item3, c.Item1, d.Item1, d.Item2, c.Item3, c.Item2,
                Rows: 1 + (long)(d.Item1 % 4), Device: new DeviceModel(d.Item3, 0f, 0f, d.Item4)));

    [Test]
    public void LnsStepsAgreeOrRejectAlike() =>
        Gen.Select(LnsSettings, Gen.Int[0, 120], Floats(120, 120), Skew).Sample((s, n, grad, vSkew) =>
        {
            int bytes = s.Format.Bits is >= 2 and <= 8 ? 1 : 2;
            // per-neuron moments need rows dividing n: round n down to a multiple of the rows, usually
            if (s.Moment == MomentMode.PerNeuron && vSkew == 0) n -= n % (int)s.Rows;
            int moments = s.Moment switch { MomentMode.PerSynapse => n, MomentMode.PerNeuron => (int)s.Rows, MomentMode.PerTensor => 1, _ => 0 };
            moments = Math.Max(0, moments + vSkew);
            // codes (valid ones, below the all-ones index), gradient, moments ≥ 0, in one buffer
            var buffers = new byte[bytes * n + 4 * n + 4 * moments];
            for (int i = 0; i < n; ++i)
            {
                int code = (int)((uint)(i * 2654435761u) % (uint)(1 << Math.Clamp(s.Format.Bits, 2, 16)));
                if (code == s.Format.ZeroIndex && s.Format.Bits is >= 2 and <= 16) code ^= 1;
                if (bytes == 1) buffers[i] = (byte)code;
                else MemoryMarshal.Write(buffers.AsSpan(2 * i), (ushort)code);
            }
            MemoryMarshal.AsBytes(grad.AsSpan(0, n)).CopyTo(buffers.AsSpan(bytes * n));
            for (int i = 0; i < moments; ++i) MemoryMarshal.Write(buffers.AsSpan(bytes * n + 4 * n + 4 * i), 0.01f * i);
            Agree($"LNS step {s} n={n}", buffers, (b, buf) =>
            {
                var g = MemoryMarshal.Cast<byte, float>(buf.AsSpan(bytes * n, 4 * n));
                var v = MemoryMarshal.Cast<byte, float>(buf.AsSpan(bytes * n + 4 * n));
                if (bytes == 1) b.LnsMadamStep(s, buf.AsSpan(0, n), g, v);
                else b.LnsMadamStep(s, MemoryMarshal.Cast<byte, ushort>(buf.AsSpan(0, 2 * n)), g, v);
            });
        }, iter: 300);

    [Test]
    public void MadamStepsAgreeOrRejectAlikeEvenWhenBuffersOverlap() =>
        Gen.Select(Gen.Int[0, 200], Floats(600, 600), Gen.Frequency((5, Gen.Const(0)), (1, Gen.Int[1, 3])), Gen.Select(Mostly(1f, 0f, float.NaN, 3f),
                Mostly(0.01f, 0f, -0.1f, 5f), Mostly(1L, 0L, 4L), Mostly(NonFinitePolicy.Skip, NonFinitePolicy.Reject))).Sample((n, data, layout, s) =>
        {
            var settings = new MadamSettings(s.Item1, s.Item3, s.Item2, NonFinite: s.Item4);
            // layout 0: separate buffers; 1: grad overlaps w; 2: v overlaps grad; 3: v is w (every backend must reject overlaps)
            int gradAt = layout == 1 ? n / 2 : n, vAt = layout switch { 2 => gradAt + n / 3, 3 => 0, _ => 2 * n };
            var buffers = MemoryMarshal.AsBytes(data.AsSpan()).ToArray();
            for (int i = vAt; i < vAt + n && i < data.Length; ++i) MemoryMarshal.Write(buffers.AsSpan(4 * i), MathF.Abs(data[i]));
            Agree($"Madam step {settings} n={n} layout={layout}", buffers, (b, buf) =>
            {
                var all = MemoryMarshal.Cast<byte, float>(buf.AsSpan());
                b.MadamStep(settings, all.Slice(0, n), all.Slice(gradAt, n), all.Slice(vAt, n));
            });
        }, iter: 300);
}
