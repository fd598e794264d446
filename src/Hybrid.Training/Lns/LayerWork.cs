using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy;

namespace Hybrid.Training.Lns;

// The work of one training step, layer by layer, as plain data for the energy ledger to price (the ledger lives in
// Hybrid.Synapse.Energy and prices; these records only describe). Conventions, written once here:
// - A GEMM is C[M×N] = A[M×K]·B[K×N], Count independent copies of it (convolution groups; attention's batch × heads).
//   Forward, backward-data and backward-weight GEMMs are listed separately (Pass), each with both operands' formats
//   (TensorCost: format, whether a quantiser made it so, whether that quantiser rounds stochastically). A convolution
//   is its im2col GEMM: M = batch·H_out·W_out, K = (C_in/groups)·kh·kw, N = C_out/groups.
// - Quantisers are listed with the elements they convert per step (the weights once per step, in the forward pass).
// - Float operations (normalisation, softmax, GELU and other activations, residual adds, bias adds, scaling, masking,
//   pooling) are float32 by design and listed by kind with the number of elements they touch, per pass; the ledger
//   decides how many float operations an element of each kind costs.
// - Kept tensors are what autograd holds from the forward pass for the backward pass (activations, not weights).
// - The update lists the rows a step writes (all of them, or for an embedding's sparse update only the rows looked up).

/// <summary>The float32 operations a network's step has besides its GEMMs.</summary>
public enum FloatOp
{
    /// <summary>Adding a bias to a GEMM's output (backward-weight: summing the error into the bias gradient).</summary>
    BiasAdd,
    /// <summary>An elementwise nonlinearity other than GELU (ReLU, tanh, relu·√2).</summary>
    Activation,
    /// <summary>GELU (erf form).</summary>
    Gelu,
    /// <summary>Layer normalisation (mean, variance, normalise, gain and bias per element).</summary>
    LayerNorm,
    /// <summary>Batch normalisation (per-channel statistics; normalise, gain and bias per element).</summary>
    BatchNorm,
    /// <summary>Softmax over the last dimension (exp, sum, divide per element).</summary>
    Softmax,
    /// <summary>Multiplying by a constant (attention's 1/√d_head).</summary>
    Scale,
    /// <summary>The causal mask (a select per element).</summary>
    Mask,
    /// <summary>A residual connection's add (backward: the two paths' errors added at the branch).</summary>
    ResidualAdd,
    /// <summary>Pooling (max or average) over windows.</summary>
    Pool,
    /// <summary>Adding two look-ups (token and position embeddings).</summary>
    EmbeddingAdd,
}

/// <summary>One GEMM, <see cref="Count"/> times: C[M×N] = A[M×K]·B[K×N].</summary>
/// <param name="Pass">Forward, backward-data or backward-weight.</param>
/// <param name="What">Which product, in words ("x·Wᵀ", "e·W", "eᵀ·x", "Q·Kᵀ", "P·V", …).</param>
/// <param name="M">Rows of A and C.</param>
/// <param name="K">The reduction length.</param>
/// <param name="N">Columns of B and C.</param>
/// <param name="Count">Independent copies (groups, batch × heads).</param>
/// <param name="A">The left operand's format.</param>
/// <param name="B">The right operand's format.</param>
/// <param name="Mode">Fast (float32 on grid values) or exact (the LNS datapath).</param>
public sealed record GemmWork(Pass Pass, string What, long M, long K, long N, long Count, TensorCost A, TensorCost B, GemmMode Mode)
{
    /// <summary>Multiply-accumulates: M·K·N·Count.</summary>
    public long Macs => M * K * N * Count;
}

/// <summary>A quantiser's conversions in one pass: <paramref name="Elements"/> values of <paramref name="Role"/> to <paramref name="Target"/>.</summary>
public sealed record QuantizeWork(Pass Pass, TensorRole Role, string Tensor, long Elements, TensorCost Target);

/// <summary>A float32 operation over <paramref name="Elements"/> elements in one pass.</summary>
public sealed record FloatWork(Pass Pass, FloatOp Op, string What, long Elements);

/// <summary>
/// An embedding's look-ups: forward reads <paramref name="Lookups"/> rows of <paramref name="RowLength"/> values from a
/// table of <paramref name="TableRows"/> rows held in <paramref name="Table"/>; backward-weight adds as many error rows
/// into the rows' gradients (a scatter-add).
/// </summary>
public sealed record LookupWork(long Lookups, long RowLength, long TableRows, NumberFormat Table);

/// <summary>
/// The update of a layer's weight: <paramref name="Rows"/> rows of <paramref name="RowLength"/> weights stepped, of
/// <paramref name="TableRows"/> (fewer only for a sparse update), stored in <paramref name="Storage"/>; for synapses the
/// moment mode, null for float32 master weights. <paramref name="RowsMeasured"/>: whether <paramref name="Rows"/>
/// counts the rows the last step actually touched (an embedding after a step) rather than the bound min(look-ups, rows).
/// </summary>
public sealed record UpdateWork(long Rows, long RowLength, long TableRows, NumberFormat Storage, MomentMode? Moment, bool Sparse,
    bool RowsMeasured = false)
{
    /// <summary>Weights written by one step (at most).</summary>
    public long Elements => Rows * RowLength;
}

/// <summary>A tensor autograd keeps from the forward pass for the backward pass: <paramref name="Elements"/> values of
/// <paramref name="Bits"/> bits each, in <paramref name="Format"/> (a format's name: "fp32", "lns8(γ=8)", "int64", …).</summary>
public sealed record KeptTensor(string Tensor, long Elements, int Bits, string Format)
{
    /// <summary>Bytes held.</summary>
    public double Bytes => Elements * (double)Bits / 8;

    /// <summary>A tensor kept in the format of <paramref name="cost"/>.</summary>
    public static KeptTensor Of(string tensor, long elements, TensorCost cost) => new(tensor, elements, cost.Format.Bits, cost.Format.ToString());
}

/// <summary>
/// Everything one layer does in one training step on one batch, per pass: its GEMMs with both operands' formats,
/// its quantisers, its float32 operations, its look-ups, its update, the activations it keeps for the backward pass,
/// and the float32 parameters (biases, gains) it has besides its weight.
/// </summary>
/// <param name="Layer">The layer's path in the model ("blocks.0.attn.q").</param>
/// <param name="Kind">Its type ("LnsConv2d", "LayerNorm", …).</param>
/// <param name="Gemms">Its GEMMs, per pass.</param>
/// <param name="Quantizers">Its quantisers' conversions, per pass.</param>
/// <param name="FloatOps">Its float32 operations, per pass.</param>
/// <param name="Lookups">Its embedding look-ups.</param>
/// <param name="Kept">What it keeps from the forward pass for the backward pass.</param>
/// <param name="Update">Its weight's update, or null (no weight).</param>
/// <param name="FloatParameters">Float32 parameters besides the weight (biases, gains), updated by the float optimiser.</param>
public sealed record LayerWork(string Layer, string Kind, IReadOnlyList<GemmWork> Gemms, IReadOnlyList<QuantizeWork> Quantizers,
    IReadOnlyList<FloatWork> FloatOps, IReadOnlyList<LookupWork> Lookups, IReadOnlyList<KeptTensor> Kept, UpdateWork? Update,
    long FloatParameters)
{
    /// <summary>A layer of float operations only.</summary>
    public static LayerWork Floats(string layer, string kind, IReadOnlyList<FloatWork> ops, IReadOnlyList<KeptTensor> kept,
        long floatParameters = 0) => new(layer, kind, [], [], ops, [], kept, null, floatParameters);

    /// <summary>Every GEMM's MACs.</summary>
    public long Macs => Gemms.Sum(g => g.Macs);
}

/// <summary>A layer that can say what one training step on an input of a given shape costs it (<see cref="LayerWork"/>).</summary>
public interface ILayerWork
{
    /// <summary>The layer's work on a batch whose input to this layer has shape <paramref name="inputShape"/>;
    /// <paramref name="inputNeedsGrad"/>: whether the backward pass computes the error for the layer's input (false
    /// for the first layer of a network).</summary>
    LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad);
}
