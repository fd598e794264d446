using Hybrid.Synapse;

namespace Hybrid.Training.Data;

/// <summary>
/// A sequential random stream over Philox4x32-10, keyed by the user's seed and countered by
/// (draw index, stream, substream). Every data-side random choice (shuffles, synthetic inputs,
/// teacher weights) comes from here rather than from torch's generator, so a data set or an
/// epoch's order is a pure function of (seed, stream, substream): the same on every machine,
/// device and TorchSharp version, and reproducible from the middle of a run.
/// </summary>
internal sealed class CounterRandom
{
    private readonly uint _k0, _k1, _stream, _substream;
    private ulong _block;
    private PhiloxBlock _words;
    private int _lane = 4;
    private double? _spareGaussian;

    /// <summary>Stream ids: one per purpose, so no two uses ever share random numbers.</summary>
    internal const uint StreamShuffle = 1, StreamTeacherInputs = 2, StreamTeacherWeights = 3,
        StreamMixtureCentres = 4, StreamMixturePoints = 5, StreamTrainSubset = 6;

    public CounterRandom(ulong seed, uint stream, uint substream = 0)
    {
        _k0 = (uint)seed;
        _k1 = (uint)(seed >> 32);
        _stream = stream;
        _substream = substream;
    }

    public uint NextUInt32()
    {
        if (_lane == 4)
        {
            _words = Philox.Block((uint)_block, (uint)(_block >> 32), _stream, _substream, _k0, _k1);
            ++_block;
            _lane = 0;
        }
        return _words[_lane++];
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        ulong hi = NextUInt32() >> 5, lo = NextUInt32() >> 6; // 27 + 26 bits
        return (hi * 67108864.0 + lo) * (1.0 / 9007199254740992.0);
    }

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).</summary>
    public uint NextBelow(uint n)
    {
        if (n == 0) throw new ArgumentOutOfRangeException(nameof(n), "n must be positive.");
        ulong m = (ulong)NextUInt32() * n;
        if ((uint)m < n)
        {
            uint threshold = (uint)(-(int)n) % n; // 2^32 mod n
            while ((uint)m < threshold) m = (ulong)NextUInt32() * n;
        }
        return (uint)(m >> 32);
    }

    /// <summary>A standard normal draw (Box–Muller in double; pairs are used in turn).</summary>
    public double NextGaussian()
    {
        if (_spareGaussian is double spare)
        {
            _spareGaussian = null;
            return spare;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareGaussian = r * Math.Sin(2.0 * Math.PI * u2);
        return r * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="span"/> with standard normal draws times <paramref name="scale"/>.</summary>
    public void FillGaussian(Span<float> span, double scale = 1.0)
    {
        for (int i = 0; i < span.Length; ++i) span[i] = (float)(NextGaussian() * scale);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; --i)
        {
            int j = (int)NextBelow((uint)i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
