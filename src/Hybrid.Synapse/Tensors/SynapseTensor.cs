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
/// <param name="Device">An analog device's programming events and pulses (<see cref="DeviceModel.IsAnalog"/>), else zero.</param>
public readonly record struct SynapseStep(StepStats Stats, Ledger Ledger, DeviceCosts Device = default);

/// <summary>Where an analog synapse tensor's device state lives: the write offsets of its last programming (code
/// levels, one per synapse; empty without write noise) and the count of its reads (the read noise's counter).</summary>
public interface IDeviceStorage
{
    /// <summary>The write offsets (n floats, or none without write noise).</summary>
    Span<float> Offsets { get; }
    /// <summary>Reads so far.</summary>
    long Reads { get; set; }
}

/// <summary>Array storage for a synapse tensor's device state.</summary>
public sealed class ArrayDeviceStorage(int offsets) : IDeviceStorage
{
    private readonly float[] _offsets = new float[offsets];
    /// <inheritdoc />
    public Span<float> Offsets => _offsets;
    /// <inheritdoc />
    public long Reads { get; set; }
}

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

    /// <summary>Decodes the codes into <paramref name="weights"/> (row-major [rows, cols]): the weights as the synapses
    /// hold them, with their write offsets when the device has write noise (<see cref="UseDevice"/>).</summary>
    public void Decode(Span<float> weights)
    {
        Refresh();
        if (_device is { Offsets.Length: > 0 })
        {
            Read(weights, noisy: false);
            return;
        }
        if (Format.Bits <= 8) Backend.LnsDecode(Format, (ReadOnlySpan<byte>)Codes8, weights);
        else Backend.LnsDecode(Format, (ReadOnlySpan<ushort>)Codes16, weights);
    }

    private IDeviceStorage? _device;

    /// <summary>The analog device the synapses are (<see cref="UseDevice"/>); <see cref="DeviceModel.Ideal"/> until then.</summary>
    public DeviceModel Device { get; private set; } = DeviceModel.Ideal;

    /// <summary>The run's seed, the key of the device's draws (set by <see cref="UseDevice"/>).</summary>
    public ulong DeviceSeed { get; private set; }

    /// <summary>
    /// Makes the synapses analog devices of <paramref name="device"/> (its write noise, read noise and drift; the step
    /// options come with each step's settings) with draws keyed by <paramref name="seed"/>, its state in
    /// <paramref name="storage"/> (or fresh arrays: n write offsets with write noise, none without). With write noise
    /// the present codes are programmed now (step 0: every non-zero code takes a write offset). Call once, after the
    /// codes are set.
    /// </summary>
    public void UseDevice(DeviceModel device, ulong seed, IDeviceStorage? storage = null)
    {
        device.Validate();
        if (_device is not null) throw new InvalidOperationException("the synapse tensor already has its device.");
        int n = (int)Count;
        int offsets = device.WriteNoiseStd > 0f ? n : 0;
        storage ??= new ArrayDeviceStorage(offsets);
        if (storage.Offsets.Length != offsets)
            throw new ArgumentException($"device storage holds {storage.Offsets.Length} write offsets; {offsets} are needed.", nameof(storage));
        (_device, Device, DeviceSeed) = (storage, device, seed);
        if (offsets == 0) return;
        // the initial programming: every non-zero code differs from an all-zero "before" and takes an offset
        var program = new LnsProgramSettings(Format.Bits, device.WriteNoiseStd, seed, 0, TensorId);
        if (Format.Bits <= 8)
        {
            var zeros = new byte[n];
            Array.Fill(zeros, (byte)Format.ZeroCode);
            Backend.LnsProgram<byte>(program, zeros, Codes8, storage.Offsets);
        }
        else
        {
            var zeros = new ushort[n];
            Array.Fill(zeros, (ushort)Format.ZeroCode);
            Backend.LnsProgram<ushort>(program, zeros, Codes16, storage.Offsets);
        }
    }

    /// <summary>
    /// Reads the synapses into <paramref name="weights"/> as the analog device gives them (hyb_lns_read): with their
    /// write offsets, with read noise when <paramref name="noisy"/> (a fresh draw per read: the read counter advances),
    /// and drifted by <paramref name="driftTime"/> seconds since programming. Without a device (or with none of these)
    /// it is <see cref="Decode"/>, bit for bit.
    /// </summary>
    public void Read(Span<float> weights, bool noisy = true, double driftTime = 0)
    {
        Refresh();
        long read = 0;
        float noise = noisy ? Device.ReadNoiseStd : 0f;
        if (noise > 0f && _device is not null) read = _device.Reads++;
        var s = new LnsReadSettings(Format, DeviceSeed, read, TensorId, noise, Device.Drift, driftTime);
        ReadOnlySpan<float> offsets = _device is null ? default : _device.Offsets;
        if (Format.Bits <= 8) Backend.LnsRead<byte>(s, Codes8, offsets, weights);
        else Backend.LnsRead<ushort>(s, Codes16, offsets, weights);
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
        bool analog = s.Device.IsAnalog || Device.IsAnalog;
        if (s.Device.WriteNoiseStd > 0f && _device is not { Offsets.Length: > 0 })
            throw new InvalidOperationException("a step with write noise needs the tensor's device state: call UseDevice first.");
        StepStats stats;
        ProgramStats program = default;
        if (Format.Bits <= 8)
        {
            byte[]? before = analog ? Codes8.ToArray() : null;
            stats = Backend.LnsMadamStep(s, Codes8, grad, _storage.Moments);
            if (before is not null) program = Program<byte>(s, before, Codes8);
        }
        else
        {
            ushort[]? before = analog ? Codes16.ToArray() : null;
            stats = Backend.LnsMadamStep(s, Codes16, grad, _storage.Moments);
            if (before is not null) program = Program<ushort>(s, before, Codes16);
        }
        return new SynapseStep(stats, UpdateCosts.LnsMadam(Count, Rows, Format.Bits, Moment, s.Rounding, stats.Changed,
            s.RandomBits), new DeviceCosts(program.Programmed, program.Pulses));
    }

    // an analog step's programming events: pulses and, with write noise, the changed codes' fresh write offsets
    private ProgramStats Program<TCode>(in LnsMadamSettings s, TCode[] before, Span<TCode> after)
        where TCode : unmanaged, System.Numerics.IBinaryInteger<TCode>, System.Numerics.IUnsignedNumber<TCode>
    {
        var p = new LnsProgramSettings(Format.Bits, s.Device.WriteNoiseStd, s.Seed, s.Step, TensorId);
        return Backend.LnsProgram<TCode>(p, before, after, s.Device.WriteNoiseStd > 0f ? _device!.Offsets : default);
    }

    // w_max lives in the storage (a restored checkpoint may have changed it)
    private void Refresh()
    {
        if (_storage.WMax != Format.WMax) Format = Format with { WMax = _storage.WMax };
    }
}
