using System.Runtime.InteropServices;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;

namespace Hybrid.Synapse.Tensors;

/// <summary>
/// Where a synapse tensor's state lives: the codes as raw bytes (one byte per code for B ≤ 8, two
/// for B ≤ 16, native endianness), the second moments, and w_max. <see cref="SynapseTensor"/>
/// allocates arrays by default; a training layer passes storage of its own (TorchSharp buffers,
/// so checkpoints carry it).
/// </summary>
public interface ISynapseStorage
{
    /// <summary>The codes' bytes: count × bytes per code.</summary>
    Span<byte> Codes { get; }
    /// <summary>The second moments (length by the moment mode).</summary>
    Span<float> Moments { get; }
    /// <summary>The format's w_max (fixed at encoding; stored so a restored tensor decodes the same).</summary>
    float WMax { get; set; }
}

/// <summary>Array storage for a <see cref="SynapseTensor"/>.</summary>
public sealed class ArraySynapseStorage(int codeBytes, int moments) : ISynapseStorage
{
    private readonly byte[] _codes = new byte[codeBytes];
    private readonly float[] _moments = new float[moments];
    /// <inheritdoc />
    public Span<byte> Codes => _codes;
    /// <inheritdoc />
    public Span<float> Moments => _moments;
    /// <inheritdoc />
    public float WMax { get; set; }
}

/// <summary>What one synapse step did and cost.</summary>
/// <param name="Stats">Elements, codes changed, non-finite gradients skipped.</param>
/// <param name="Ledger">The step's events (see <see cref="UpdateCosts.LnsMadam"/>).</param>
public readonly record struct SynapseStep(StepStats Stats, Ledger Ledger);

/// <summary>
/// A weight tensor of [rows, cols] synapses: B-bit LNS codes with their second moments, a
/// tensor id (its own random sub-stream) and the backend that runs its kernels. It owns the
/// format and the one choice between byte and ushort codes; its <see cref="Step"/> returns the
/// step's statistics and ledger, and it reports its memory. A TorchSharp layer is a thin
/// wrapper over one (Hybrid.Training.Lns.LnsLinear).
/// </summary>
public sealed class SynapseTensor
{
    private readonly ISynapseStorage _storage;

    /// <summary>A tensor of zero codes (all weights exactly 0) in <paramref name="storage"/> or fresh arrays.</summary>
    /// <exception cref="ArgumentException">A bad format, shape or moment mode, or storage of the wrong size.</exception>
    public SynapseTensor(LnsFormat format, long rows, long cols, MomentMode moment, uint tensorId, ISynapseBackend backend,
        ISynapseStorage? storage = null)
    {
        if (rows < 1 || cols < 1 || rows * cols > int.MaxValue)
            throw new ArgumentException($"a synapse tensor of {rows} x {cols} is empty or larger than 2^31 − 1 synapses.", nameof(rows));
        int codeBytes = format.Bits <= 8 ? 1 : 2;
        format.Validate(codeBytes);
        Rows = rows;
        Cols = cols;
        Moment = moment;
        TensorId = tensorId;
        Backend = backend;
        int n = (int)(rows * cols);
        int moments = new LnsMadamSettings(format, 1, Moment: moment, Rows: rows).MomentLength(n);
        _storage = storage ?? new ArraySynapseStorage(n * codeBytes, moments);
        if (_storage.Codes.Length != n * codeBytes)
            throw new ArgumentException($"storage holds {_storage.Codes.Length} code bytes; {n * codeBytes} are needed.", nameof(storage));
        if (_storage.Moments.Length != moments)
            throw new ArgumentException($"storage holds {_storage.Moments.Length} moments; {moments} are needed.", nameof(storage));
        if (storage is null) _storage.WMax = format.WMax;
        Format = format with { WMax = _storage.WMax };
        Format.Validate(codeBytes);
    }

    /// <summary>
    /// The tensor of <paramref name="weights"/> (row-major [rows, cols]) on a grid with
    /// w_max = <paramref name="pScale"/> · RMS(weights), every weight rounded to its nearest level
    /// in the log domain (as Madam fixes its clamp at p_scale · RMS(w) on the first step).
    /// </summary>
    public static SynapseTensor FromWeights(ReadOnlySpan<float> weights, long rows, long cols, int bits, float gamma,
        MomentMode moment, uint tensorId, ISynapseBackend backend, double pScale = 3.0, ISynapseStorage? storage = null)
    {
        if (weights.Length != rows * cols)
            throw new ArgumentException($"{weights.Length} weights for a {rows} x {cols} tensor.", nameof(weights));
        float wMax = (float)(pScale * backend.Rms(weights));
        if (!(wMax > 0)) throw new ArgumentException("the weights are all zeros; an LNS grid needs a scale.", nameof(weights));
        var format = new LnsFormat(bits, gamma, wMax);
        format.Validate(bits <= 8 ? 1 : 2);
        if (storage is not null) storage.WMax = wMax;
        var t = new SynapseTensor(format, rows, cols, moment, tensorId, backend, storage);
        t.Encode(weights);
        return t;
    }

    /// <summary>The format (w_max as stored).</summary>
    public LnsFormat Format { get; private set; }
    /// <summary>Rows (neurons).</summary>
    public long Rows { get; }
    /// <summary>Columns (inputs per neuron).</summary>
    public long Cols { get; }
    /// <summary>Synapses: rows × cols.</summary>
    public long Count => Rows * Cols;
    /// <summary>Where the second moment lives.</summary>
    public MomentMode Moment { get; }
    /// <summary>The tensor's id in the random stream.</summary>
    public uint TensorId { get; }
    /// <summary>The backend that runs encode, decode and the step (may be changed between steps: every backend gives the same codes).</summary>
    public ISynapseBackend Backend { get; set; }
    /// <summary>Second-moment floats kept.</summary>
    public int MomentCount => _storage.Moments.Length;

    /// <summary>Memory of the state as hardware would hold it: codes packed at B bits, moments as float32.</summary>
    public long MemoryBytes => (Count * Format.Bits + 7) / 8 + 4L * MomentCount;

    /// <summary>The codes as bytes (B ≤ 8).</summary>
    public Span<byte> Codes8 => Format.Bits <= 8 ? _storage.Codes : throw new InvalidOperationException("codes are 16-bit");
    /// <summary>The codes as 16-bit values (B &gt; 8).</summary>
    public Span<ushort> Codes16 => Format.Bits > 8 ? MemoryMarshal.Cast<byte, ushort>(_storage.Codes) : throw new InvalidOperationException("codes are 8-bit");
    /// <summary>The second moments.</summary>
    public Span<float> Moments => _storage.Moments;

    /// <summary>Encodes <paramref name="weights"/> into the codes (the format's w_max stays).</summary>
    public void Encode(ReadOnlySpan<float> weights)
    {
        Refresh();
        if (Format.Bits <= 8) Backend.LnsEncode(Format, weights, Codes8);
        else Backend.LnsEncode(Format, weights, Codes16);
    }

    /// <summary>Decodes the codes into <paramref name="weights"/> (row-major [rows, cols]).</summary>
    public void Decode(Span<float> weights)
    {
        Refresh();
        if (Format.Bits <= 8) Backend.LnsDecode(Format, (ReadOnlySpan<byte>)Codes8, weights);
        else Backend.LnsDecode(Format, (ReadOnlySpan<ushort>)Codes16, weights);
    }

    /// <summary>
    /// One LNS Madam step with gradient <paramref name="grad"/>. <paramref name="settings"/> gives lr,
    /// β2, g_bound, rounding, seed, step, non-finite policy and device model; format, moment mode,
    /// rows and tensor id are the tensor's own.
    /// </summary>
    public SynapseStep Step(LnsMadamSettings settings, ReadOnlySpan<float> grad)
    {
        Refresh();
        var s = settings with { Format = Format, Moment = Moment, Rows = Rows, TensorId = TensorId };
        var stats = Format.Bits <= 8
            ? Backend.LnsMadamStep(s, Codes8, grad, _storage.Moments)
            : Backend.LnsMadamStep(s, Codes16, grad, _storage.Moments);
        return new SynapseStep(stats, UpdateCosts.LnsMadam(Count, Rows, Format.Bits, Moment, s.Rounding, stats.Changed,
            s.RandomBits));
    }

    // w_max lives in the storage (a restored checkpoint may have changed it)
    private void Refresh()
    {
        if (_storage.WMax != Format.WMax) Format = Format with { WMax = _storage.WMax };
    }
}
