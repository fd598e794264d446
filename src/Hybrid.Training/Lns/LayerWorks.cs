using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy;

namespace Hybrid.Training.Lns;

/// <summary>The formats a layer's step uses for each tensor role, and its GEMM mode.</summary>
/// <param name="Weights">The weights as the GEMMs use them (quantised from storage, or storage decoded to float32).</param>
/// <param name="Activations">The layer's input.</param>
/// <param name="Errors">The error at the layer's output.</param>
/// <param name="Gradients">The weight gradient handed to the optimiser.</param>
/// <param name="Mode">Fast or exact GEMMs.</param>
public sealed record StepFormats(TensorCost Weights, TensorCost Activations, TensorCost Errors, TensorCost Gradients, GemmMode Mode)
{
    /// <summary>Every tensor float32, fast GEMMs.</summary>
    public static readonly StepFormats Float = new(TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float, GemmMode.Fast);

    /// <summary>The formats of a layer run with <paramref name="arithmetic"/> (null: float32 GEMMs on the stored weights decoded).</summary>
    public static StepFormats Of(LinearArithmetic? arithmetic) => arithmetic is null ? Float : Of(arithmetic.Settings);

    /// <summary>The formats of a layer run with <paramref name="settings"/>.</summary>
    public static StepFormats Of(StepArithmetic settings)
    {
        static TensorCost Cost(QuantizerSpec? q) =>
            q is null ? TensorCost.Float : new TensorCost(q.Format, true, q.Rounding == RoundingMode.Stochastic);
        return new StepFormats(Cost(settings.Weights), Cost(settings.Activations), Cost(settings.Errors), Cost(settings.Gradients),
            settings.Gemm);
    }
}

/// <summary>Builds the <see cref="LayerWork"/> of each layer type, once, for the LNS, quantised and float layers alike.</summary>
public static class LayerWorks
{
    /// <summary>
    /// A layer whose step is the GEMM y = x·Wᵀ, <paramref name="count"/> times (a linear layer: M = rows of x;
    /// a convolution: its im2col GEMM per group). Forward x·Wᵀ; backward-data e·W (when the input needs its error);
    /// backward-weight eᵀ·x; the update of the weight (N·count rows of K).
    /// </summary>
    /// <param name="path">The layer's path.</param>
    /// <param name="kind">Its type.</param>
    /// <param name="m">GEMM rows (batch rows, or batch·H_out·W_out).</param>
    /// <param name="k">Reduction length (in features, or (C_in/groups)·kh·kw).</param>
    /// <param name="n">Outputs per copy (out features, or C_out/groups).</param>
    /// <param name="count">Copies (groups).</param>
    /// <param name="inputElements">Elements of the layer's input tensor (what the activation quantiser converts).</param>
    /// <param name="keptInput">Elements of the input the backward pass keeps (the input, or its im2col matrix).</param>
    /// <param name="bias">Whether a float32 bias is added.</param>
    /// <param name="inputNeedsGrad">Whether the backward pass computes the input's error.</param>
    /// <param name="f">The step's formats.</param>
    /// <param name="storage">The weights' storage format.</param>
    /// <param name="moment">Synapses: the moment mode; null for float32 weights.</param>
    public static LayerWork Gemm(string path, string kind, long m, long k, long n, long count, long inputElements, long keptInput,
        bool bias, bool inputNeedsGrad, StepFormats f, NumberFormat storage, MomentMode? moment)
    {
        long weights = n * k * count, outputs = m * n * count;
        var gemms = new List<GemmWork> { new(Pass.Forward, "x·Wᵀ", m, k, n, count, f.Activations, f.Weights, f.Mode) };
        if (inputNeedsGrad) gemms.Add(new(Pass.BackwardData, "e·W", m, n, k, count, f.Errors, f.Weights, f.Mode));
        gemms.Add(new(Pass.BackwardWeight, "eᵀ·x", n, m, k, count, f.Errors, f.Activations, f.Mode));
        var q = new List<QuantizeWork>();
        if (f.Weights.Quantized) q.Add(new(Pass.Forward, TensorRole.Weights, "weights", weights, f.Weights));
        if (f.Activations.Quantized) q.Add(new(Pass.Forward, TensorRole.Activations, "input", inputElements, f.Activations));
        if (f.Errors.Quantized) q.Add(new(Pass.BackwardWeight, TensorRole.Errors, "output error", outputs, f.Errors));
        if (f.Gradients.Quantized) q.Add(new(Pass.BackwardWeight, TensorRole.Gradients, "weight gradient", weights, f.Gradients));
        var ops = bias
            ? new List<FloatWork> { new(Pass.Forward, FloatOp.BiasAdd, "bias", outputs), new(Pass.BackwardWeight, FloatOp.BiasAdd, "bias gradient", outputs) }
            : [];
        var kept = new List<KeptTensor> { KeptTensor.Of("input", keptInput, f.Activations) };
        if (f.Weights.Quantized) kept.Add(KeptTensor.Of("weights (GEMM copy)", weights, f.Weights));
        return new LayerWork(path, kind, gemms, q, ops, [], kept,
            new UpdateWork(n * count, k, n * count, storage, moment, Sparse: false), bias ? n * count : 0);
    }

    /// <summary>A linear layer y = x·Wᵀ on an input [..., in]: its rows are every leading index.</summary>
    public static LayerWork Linear(string path, string kind, long[] inputShape, long outFeatures, bool bias, bool inputNeedsGrad,
        StepFormats f, NumberFormat storage, MomentMode? moment)
    {
        long input = inputShape.Aggregate(1L, (a, b) => a * b), k = inputShape[^1];
        return Gemm(path, kind, input / k, k, outFeatures, 1, input, input, bias, inputNeedsGrad, f, storage, moment);
    }

    /// <summary>
    /// An activation × activation product C = A·B, batched <paramref name="count"/> times (attention's Q·Kᵀ or P·V): both
    /// operands quantised with the activation format; backward dA = E·Bᵀ and dB = Aᵀ·E, both backward-data (there is
    /// no weight); both operands kept.
    /// </summary>
    /// <param name="path">The product's path.</param>
    /// <param name="kind">Its type.</param>
    /// <param name="what">The forward product, the two backward ones, in words ("Q·Kᵀ", "∂Q = e·K", "∂K = eᵀ·Q").</param>
    /// <param name="count">Batched copies.</param>
    /// <param name="m">Rows of A.</param>
    /// <param name="k">The reduction length.</param>
    /// <param name="n">Columns of B.</param>
    /// <param name="f">The formats.</param>
    /// <param name="aName">A's name ("Q").</param>
    /// <param name="bName">B's name ("Kᵀ").</param>
    public static LayerWork Product(string path, string kind, (string Forward, string DA, string DB) what, long count, long m, long k, long n,
        StepFormats f, string aName, string bName)
    {
        var gemms = new List<GemmWork>
        {
            new(Pass.Forward, what.Forward, m, k, n, count, f.Activations, f.Activations, f.Mode),
            new(Pass.BackwardData, what.DA, m, n, k, count, f.Errors, f.Activations, f.Mode),
            new(Pass.BackwardData, what.DB, k, m, n, count, f.Activations, f.Errors, f.Mode),
        };
        var q = new List<QuantizeWork>();
        if (f.Activations.Quantized)
        {
            q.Add(new(Pass.Forward, TensorRole.Activations, aName, m * k * count, f.Activations));
            q.Add(new(Pass.Forward, TensorRole.Activations, bName, k * n * count, f.Activations));
        }
        if (f.Errors.Quantized) q.Add(new(Pass.BackwardData, TensorRole.Errors, "output error", m * n * count, f.Errors));
        var kept = new List<KeptTensor> { KeptTensor.Of(aName, m * k * count, f.Activations), KeptTensor.Of(bName, k * n * count, f.Activations) };
        return new LayerWork(path, kind, gemms, q, [], [], kept, null, 0);
    }

    /// <summary>
    /// An embedding: <paramref name="lookups"/> rows read from a table of rows × <paramref name="rowLength"/>; the error rows
    /// scattered into the table's gradient; the update of the rows looked up (sparse) or of every row.
    /// <paramref name="rowsUpdated"/>: the rows one step writes, measured, or null for the bound min(look-ups, rows).
    /// </summary>
    public static LayerWork Lookup(string path, string kind, long lookups, long rows, long rowLength, StepFormats f,
        NumberFormat storage, MomentMode? moment, bool sparse, long? rowsUpdated)
    {
        long table = rows * rowLength, outputs = lookups * rowLength;
        var q = new List<QuantizeWork>();
        if (f.Weights.Quantized) q.Add(new(Pass.Forward, TensorRole.Weights, "table", table, f.Weights));
        if (f.Errors.Quantized) q.Add(new(Pass.BackwardWeight, TensorRole.Errors, "output error", outputs, f.Errors));
        if (f.Gradients.Quantized) q.Add(new(Pass.BackwardWeight, TensorRole.Gradients, "table gradient", table, f.Gradients));
        long updated = sparse ? rowsUpdated ?? Math.Min(lookups, rows) : rows;
        return new LayerWork(path, kind, [], q, [], [new LookupWork(lookups, rowLength, rows, f.Weights.Quantized ? f.Weights.Format : storage)],
            [new KeptTensor("indices", lookups, 64, "int64")],
            new UpdateWork(updated, rowLength, rows, storage, moment, sparse, sparse && rowsUpdated is not null), 0);
    }

    /// <summary>An elementwise float32 operation over <paramref name="elements"/> values, forward and backward-data (or
    /// forward only); <paramref name="keptElements"/> float32 values kept for its backward.</summary>
    public static LayerWork Elementwise(string path, string kind, FloatOp op, long elements, long keptElements, bool backward = true,
        long floatParameters = 0)
    {
        var ops = new List<FloatWork> { new(Pass.Forward, op, kind, elements) };
        if (backward) ops.Add(new(Pass.BackwardData, op, kind, elements));
        return LayerWork.Floats(path, kind, ops, keptElements > 0 ? [new KeptTensor("input", keptElements, 32, "fp32")] : [], floatParameters);
    }
}
