using Hybrid.Synapse.Tensors;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// An embedding table [rows, dim] whose entries are synapses, with a sparse update: a step writes only the rows
/// the training batches since the last step looked up. Each row is stepped as a 1 × dim synapse tensor of its own
/// (a view of the table's codes and moments) with tensor id <c>first id + row</c>, so its random sub-stream, and
/// with it its codes, do not depend on which other rows were looked up; the layer takes <see cref="Rows"/>
/// consecutive tensor ids. The moments of rows not looked up stay as they are (as torch's SparseAdam); a dense
/// step would decay them. A per-tensor moment is shared by every row, so that mode steps the whole table densely.
/// </summary>
/// <remarks>
/// With <see cref="UseArithmetic"/> the look-up reads the table through the weights quantiser (storage → GEMM
/// format, scale the stored w_max, the gradient quantiser behind it) and the error at its output is quantised;
/// the indices are not quantised, and a look-up has no GEMM, so the exact mode reads the table as the fast one
/// does. TorchSharp's Embedding does not expose padding_idx or max_norm, so neither is carried over.
/// </remarks>
public sealed class LnsEmbedding : nn.Module<Tensor, Tensor>, ISynapseLayer, ILayerWork
{
    private readonly SynapseWeight _synapses;
    private readonly SynapseTensor?[] _rows;
    private readonly bool[] _touched;
    private long _touchedCount;

    /// <summary>Converts a float embedding; rows take tensor ids <paramref name="firstTensorId"/> … + rows − 1.</summary>
    public LnsEmbedding(string name, Embedding source, int bits, float gamma, MomentMode moment, uint firstTensorId,
        ISynapseBackend backend, double pScale = 3.0) : base(name)
    {
        var w = source.weight ?? throw new ArgumentException($"{name}: the embedding has no weight.");
        if (w.dim() != 2) throw new ArgumentException($"{name}: an embedding table is [rows, dim], got [{string.Join(", ", w.shape)}].");
        if (firstTensorId + (ulong)w.shape[0] - 1 > uint.MaxValue)
            throw new ArgumentException($"{name}: {w.shape[0]} rows need tensor ids past 2^32 − 1 from {firstTensorId}.");
        FirstTensorId = firstTensorId;
        _synapses = new SynapseWeight(name, w, bits, gamma, moment, firstTensorId, backend, pScale);
        _rows = new SynapseTensor?[Rows];
        _touched = new bool[Rows];
        register_parameter("weight", _synapses.Weight);
        _synapses.RegisterBuffers(this);
    }

    /// <summary>Table rows (the vocabulary).</summary>
    public long Rows => _synapses.Rows;
    /// <summary>Values per row.</summary>
    public long Dim => _synapses.Cols;
    /// <summary>Row r's tensor id is this plus r.</summary>
    public uint FirstTensorId { get; }
    /// <summary>Tensor ids the layer takes (one per row).</summary>
    public long TensorIds => Rows;
    /// <inheritdoc />
    public SynapseTensor Synapses => _synapses.Synapses;
    /// <inheritdoc />
    public int Bits => Synapses.Format.Bits;
    /// <inheritdoc />
    public Parameter Weight => _synapses.Weight;
    /// <inheritdoc />
    public LinearArithmetic? Arithmetic { get; private set; }
    /// <summary>Rows written by the last step (null before the first).</summary>
    public long? LastRowsStepped { get; private set; }

    /// <summary>Runs look-ups with <paramref name="arithmetic"/>'s weights, gradients and errors quantisers (the activation
    /// quantiser does not apply to indices, and a look-up has no GEMM to run exactly).</summary>
    public void UseArithmetic(StepArithmetic arithmetic, int layer, ulong seed)
    {
        if (Arithmetic is not null) throw new InvalidOperationException($"{GetName()} already has its arithmetic.");
        var own = EmbeddingLookup.Arithmetic(arithmetic);
        if (own is null) return;
        Arithmetic = new LinearArithmetic(own, layer, seed, Synapses.Backend);
        register_buffer("arithmetic", Arithmetic.State);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        EmbeddingLookup.Check(input, Rows, GetName());
        if (training && torch.is_grad_enabled()) Touch(input);
        return EmbeddingLookup.Forward(input, Weight, Arithmetic, Synapses.Format.WMax, training);
    }

    private void Touch(Tensor input)
    {
        using var unique = input.flatten().unique().Item1.cpu();
        foreach (long r in unique.data<long>())
            if (!_touched[r])
            {
                _touched[r] = true;
                ++_touchedCount;
            }
    }

    /// <inheritdoc />
    public void Decode() => _synapses.Decode();

    /// <summary>
    /// The sparse step: every row looked up since the last step takes one synapse step with its gradient row (its own
    /// tensor id), and only those rows are decoded again. Per-tensor moment: one dense step of the whole table.
    /// </summary>
    public SynapseStep Step(LnsMadamSettings settings)
    {
        if (Synapses.Moment == MomentMode.PerTensor)
        {
            var dense = _synapses.Step(GetName(), settings);
            Clear(Rows);
            return dense;
        }
        using var grad = _synapses.Gradient(GetName());
        var g = TensorMemory.Float32(grad, "gradient");
        var w = TensorMemory.Float32(Weight, "weight");
        int d = checked((int)Dim);
        long elements = 0, changed = 0, skipped = 0, stepped = 0;
        var ledger = Ledger.Zero;
        for (long r = 0; r < Rows; ++r)
        {
            if (!_touched[r]) continue;
            var row = _rows[r] ??= _synapses.RowView(r, checked((uint)(FirstTensorId + r)));
            var step = row.Step(settings, g.Slice(checked((int)(r * d)), d));
            row.Decode(w.Slice(checked((int)(r * d)), d));
            elements += step.Stats.Elements;
            changed += step.Stats.Changed;
            skipped += step.Stats.NonFiniteSkipped;
            ledger += step.Ledger;
            ++stepped;
        }
        Clear(stepped);
        return new SynapseStep(new StepStats(elements, changed, skipped), ledger);
    }

    private void Clear(long stepped)
    {
        Array.Clear(_touched);
        _touchedCount = 0;
        LastRowsStepped = stepped;
    }

    /// <summary>Rows looked up in training since the last step.</summary>
    public long RowsTouched => _touchedCount;

    /// <inheritdoc />
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad) =>
        LayerWorks.Lookup(path, nameof(LnsEmbedding), inputShape.Aggregate(1L, (a, b) => a * b), Rows, Dim, StepFormats.Of(Arithmetic),
            NumberFormat.Lns(Bits, Synapses.Format.Gamma), Synapses.Moment, sparse: Synapses.Moment != MomentMode.PerTensor, LastRowsStepped);
}

/// <summary>An embedding with float32 master weights whose look-ups run through quantisers (the FP8/INT8 baselines').</summary>
public sealed class QuantizedEmbedding : nn.Module<Tensor, Tensor>, IArithmeticLayer, ILayerWork
{
    private readonly Parameter _weight;

    /// <summary>Takes over <paramref name="source"/>'s table (a copy) and reads it with <paramref name="arithmetic"/>'s quantisers.</summary>
    public QuantizedEmbedding(string name, Embedding source, StepArithmetic arithmetic, int layer, ulong seed, ISynapseBackend backend)
        : base(name)
    {
        _weight = new Parameter(source.weight!.detach().clone(), requires_grad: true);
        register_parameter("weight", _weight);
        var own = EmbeddingLookup.Arithmetic(arithmetic);
        if (own is not null)
        {
            Arithmetic = new LinearArithmetic(own, layer, seed, backend);
            register_buffer("arithmetic", Arithmetic.State);
        }
    }

    /// <summary>The quantisers (null when none applies to a look-up).</summary>
    public LinearArithmetic? Arithmetic { get; }
    /// <summary>The float32 table.</summary>
    public Parameter Weight => _weight;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        EmbeddingLookup.Check(input, _weight.shape[0], GetName());
        return EmbeddingLookup.Forward(input, _weight, Arithmetic, null, training);
    }

    /// <inheritdoc />
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad) =>
        LayerWorks.Lookup(path, nameof(QuantizedEmbedding), inputShape.Aggregate(1L, (a, b) => a * b), _weight.shape[0], _weight.shape[1],
            StepFormats.Of(Arithmetic), NumberFormat.Fp32, null, sparse: false, null);
}

/// <summary>The look-up, written once for <see cref="LnsEmbedding"/> and <see cref="QuantizedEmbedding"/>.</summary>
internal static class EmbeddingLookup
{
    /// <summary>The quantisers that apply to a look-up (weights, gradients, errors; fast), or null for none.</summary>
    public static StepArithmetic? Arithmetic(StepArithmetic a)
    {
        var own = a with { Activations = null, Gemm = GemmMode.Fast };
        return own.Any ? own : null;
    }

    public static void Check(Tensor input, long rows, string layer)
    {
        if (input.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"{layer}: an embedding takes integer indices, not {input.dtype}.");
        if (input.numel() == 0) return;
        long min = input.min().item<long>(), max = input.max().item<long>();
        if (min < 0 || max >= rows) throw new ArgumentException($"{layer}: index {(min < 0 ? min : max)} is outside [0, {rows - 1}].");
    }

    public static Tensor Forward(Tensor input, Tensor weight, LinearArithmetic? arithmetic, float? storedWMax, bool training)
    {
        static Tensor Lookup(Tensor idx, Tensor w) => w.index_select(0, idx.flatten()).reshape([.. idx.shape, w.shape[1]]);
        return arithmetic is null ? Lookup(input, weight) : arithmetic.Forward(input, weight, storedWMax, training, Lookup, null);
    }
}
