using Hybrid.Synapse.Tensors;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>A layer whose quantisers and GEMM mode are a <see cref="LinearArithmetic"/> (null: float32 GEMMs).</summary>
public interface IArithmeticLayer
{
    /// <summary>The layer's step arithmetic, or null.</summary>
    LinearArithmetic? Arithmetic { get; }
}

/// <summary>
/// A layer whose weight is a <see cref="SynapseTensor"/> (<see cref="LnsLinear"/>, <see cref="LnsConv2d"/>,
/// <see cref="LnsEmbedding"/>): <see cref="Optimizers.LnsMadamOptimizer"/> steps every one of them through the synapse backend.
/// </summary>
public interface ISynapseLayer : IArithmeticLayer
{
    /// <summary>The layer's synapses (for an embedding: the whole table).</summary>
    SynapseTensor Synapses { get; }
    /// <summary>The decoded float weight (the autograd leaf).</summary>
    Parameter Weight { get; }
    /// <summary>Bits per synapse.</summary>
    int Bits { get; }
    /// <summary>One synapse step with the weight's current gradient, then decode.</summary>
    SynapseStep Step(LnsMadamSettings settings);
    /// <summary>Writes the decoded codes into the float weight.</summary>
    void Decode();
}

/// <summary>
/// The synapse half of an LNS layer, written once for every layer type: a float weight of any shape
/// [rows, ...] decoded from a <see cref="SynapseTensor"/> of rows × (the rest) synapses (a convolution's
/// [out, in/groups, kh, kw] is rows = out, cols = in/groups·kh·kw: the im2col GEMM's weight), whose state
/// (codes, moments, w_max) lives in TorchSharp buffers so module save/load and checkpoints carry it.
/// </summary>
internal sealed class SynapseWeight
{
    private readonly BufferStorage _storage;

    /// <summary>Encodes <paramref name="source"/>: w_max = p_scale · RMS, every weight rounded to its nearest level.</summary>
    public SynapseWeight(string layer, Tensor source, int bits, float gamma, MomentMode moment, uint tensorId,
        ISynapseBackend backend, double pScale)
    {
        Shape = source.shape;
        if (Shape.Length < 1 || Shape[0] < 1) throw new ArgumentException($"{layer}: a weight of shape [{string.Join(", ", Shape)}] has no rows.");
        Rows = Shape[0];
        Cols = source.numel() / Rows;
        using var w0 = source.detach().contiguous().cpu();
        var template = new LnsMadamSettings(new LnsFormat(bits, gamma, 1f), 1, Moment: moment, Rows: Rows);
        int n = checked((int)(Rows * Cols));
        _storage = new BufferStorage(n * (bits <= 8 ? 1 : 2), template.MomentLength(n));
        try
        {
            Synapses = SynapseTensor.FromWeights(TensorMemory.Float32(w0, "weight"), Rows, Cols, bits, gamma, moment, tensorId,
                backend, pScale, _storage);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{layer}: {e.Message}", e);
        }
        Weight = new Parameter(torch.zeros(Shape), requires_grad: true);
        Decode();
    }

    /// <summary>The weight's shape.</summary>
    public long[] Shape { get; }
    /// <summary>Rows of the synapse tensor (output neurons, channels or table rows).</summary>
    public long Rows { get; }
    /// <summary>Synapses per row.</summary>
    public long Cols { get; }
    /// <summary>The synapses.</summary>
    public SynapseTensor Synapses { get; }
    /// <summary>The decoded float weight.</summary>
    public Parameter Weight { get; }

    /// <summary>Registers the state buffers (codes, moments, w_max) on <paramref name="owner"/>.</summary>
    public void RegisterBuffers(nn.Module owner)
    {
        owner.register_buffer("codes", _storage.CodesTensor);
        owner.register_buffer("moments", _storage.MomentsTensor);
        owner.register_buffer("w_max", _storage.WMaxTensor);
    }

    /// <summary>Writes the decoded codes into the float weight.</summary>
    public void Decode() => Synapses.Decode(TensorMemory.Float32(Weight, "weight"));

    /// <summary>The weight's gradient as a contiguous tensor (the caller disposes it).</summary>
    public Tensor Gradient(string layer)
    {
        using var grad0 = Weight.grad ?? throw new InvalidOperationException($"{layer}: no gradient (call backward first).");
        return grad0.contiguous();
    }

    /// <summary>One synapse step of the whole tensor with the weight's gradient, then decode.</summary>
    public SynapseStep Step(string layer, LnsMadamSettings settings)
    {
        using var grad = Gradient(layer);
        var step = Synapses.Step(settings, TensorMemory.Float32(grad, "gradient"));
        Decode();
        return step;
    }

    /// <summary>
    /// Row <paramref name="row"/> as a synapse tensor of its own: a 1 × cols view of the same codes and moments
    /// (its per-synapse moments, or the row's own moment in per-neuron mode), with tensor id
    /// <paramref name="tensorId"/> (its own random sub-stream). Stepping a row touches nothing else.
    /// </summary>
    public SynapseTensor RowView(long row, uint tensorId)
    {
        if (Synapses.Moment == MomentMode.PerTensor)
            throw new InvalidOperationException("a per-tensor moment is shared by every row; a row cannot be stepped alone.");
        var storage = new RowStorage(_storage, row, Cols, Synapses.Format.Bits <= 8 ? 1 : 2, Synapses.Moment);
        return new SynapseTensor(Synapses.Format, 1, Cols, Synapses.Moment, tensorId, Synapses.Backend, storage);
    }

    /// <summary>The synapse tensor's state in TorchSharp buffers, so module save/load carries it. 16-bit codes are byte
    /// pairs: TorchSharp gives no storage view of int16 tensors.</summary>
    private sealed class BufferStorage(int codeBytes, int moments) : ISynapseStorage
    {
        public Tensor CodesTensor { get; } = torch.zeros(codeBytes, ScalarType.Byte);
        public Tensor MomentsTensor { get; } = torch.zeros(moments, ScalarType.Float32);
        public Tensor WMaxTensor { get; } = torch.zeros(1, ScalarType.Float32);
        public Span<byte> Codes => TensorMemory.Cpu<byte>(CodesTensor);
        public Span<float> Moments => TensorMemory.Cpu<float>(MomentsTensor);
        public float WMax
        {
            get => TensorMemory.Cpu<float>(WMaxTensor)[0];
            set => TensorMemory.Cpu<float>(WMaxTensor)[0] = value;
        }
    }

    /// <summary>One row of a <see cref="BufferStorage"/>: its codes and moments, the table's w_max.</summary>
    private sealed class RowStorage(BufferStorage table, long row, long cols, int codeBytes, MomentMode moment) : ISynapseStorage
    {
        public Span<byte> Codes => table.Codes.Slice(checked((int)(row * cols * codeBytes)), checked((int)(cols * codeBytes)));
        public Span<float> Moments => moment switch
        {
            MomentMode.PerSynapse => table.Moments.Slice(checked((int)(row * cols)), checked((int)cols)),
            MomentMode.PerNeuron => table.Moments.Slice(checked((int)row), 1),
            _ => Span<float>.Empty,
        };
        public float WMax
        {
            get => table.WMax;
            set => throw new InvalidOperationException("a row view cannot change the table's w_max.");
        }
    }
}
