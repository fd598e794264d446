using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy;

/// <summary>An elementwise activation applied as its producer writes its output (fused into the producer's epilogue).</summary>
public enum Activation
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>max(x, 0): free in the forward pass (a comparison); saves a 1-bit mask the backward pass reads.</summary>
    Relu = 1,
    /// <summary>GELU (tanh form): float operations both ways; saves its input for the backward pass.</summary>
    Gelu = 2,
}

/// <summary>The float32 operations between the GEMMs (a documented choice: they stay float32 in every row).</summary>
public enum FloatOpKind
{
    /// <summary>Batch normalisation over the batch and spatial positions, per channel (γ, β per channel).</summary>
    BatchNorm = 0,
    /// <summary>Layer normalisation over each row's features (γ, β per feature).</summary>
    LayerNorm = 1,
    /// <summary>Softmax over the last dimension (rows of <see cref="FloatOpSpec.Features"/>).</summary>
    Softmax = 2,
    /// <summary>The sum of two tensors of one shape.</summary>
    ResidualAdd = 3,
    /// <summary>Max pooling (kernel, stride, padding of <see cref="FloatOpSpec.Kernel"/> etc.) of a C×H×W tensor.</summary>
    MaxPool = 4,
    /// <summary>Global average pooling of a C×H×W tensor to C values.</summary>
    GlobalAvgPool = 5,
    /// <summary>Softmax cross-entropy of logits against labels: writes the top error (no output tensor).</summary>
    SoftmaxCrossEntropy = 6,
}

/// <summary>
/// The formats of one GEMM layer's tensors in a training step: the weights' storage format, and the formats of
/// the GEMM operands — the weights as the GEMMs use them (quantised from storage, or storage decoded to float32),
/// the activations entering the layer, the error entering it from above, and its weight gradient.
/// </summary>
public sealed record TensorFormats(NumberFormat WeightStorage, TensorCost WeightsGemm, TensorCost Activations,
    TensorCost Errors, TensorCost Gradients)
{
    /// <summary>Everything float32, no quantiser.</summary>
    public static readonly TensorFormats Float32 = new(NumberFormat.Fp32, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float);
}

/// <summary>
/// One layer of a <see cref="NetworkSpec"/>: what the step ledger needs to price its work — shapes per example,
/// the tensors it reads and writes (by name), and optionally its own <see cref="Formats"/> (null: the row's).
/// Plain records, independent of any training library: a layer that trains elsewhere (TorchSharp, native)
/// describes its work with one of these.
/// </summary>
/// <param name="Name">Unique within the network; ledger entries are keyed by it.</param>
public abstract record LayerSpec(string Name)
{
    /// <summary>This layer's GEMM formats (first and last layers are often kept wider); null: the row's.</summary>
    public TensorFormats? Formats { get; init; }

    /// <summary>The tensors the forward pass reads (names; the network's data tensor or outputs of earlier layers).</summary>
    public abstract IReadOnlyList<string> Reads { get; }

    /// <summary>The tensor the forward pass writes (null: none, e.g. the loss).</summary>
    public abstract string? Writes { get; }

    /// <summary>Elements of <see cref="Writes"/> per example.</summary>
    public abstract long OutputElements { get; }

    /// <summary>Trainable parameters this layer owns (shared weights count once, at their owner).</summary>
    public abstract long Parameters { get; }

    /// <summary>Forward-pass multiply-accumulates per example of its GEMMs (0 for float operations).</summary>
    public abstract double ForwardMacs { get; }
}

/// <summary>y = x·Wᵀ (+ b) on <paramref name="Rows"/> rows per example (tokens; 1 for an MLP): a GEMM of
/// (batch·Rows) × In × Out.</summary>
/// <param name="SharedWeights">The weight tensor of another layer this one uses (tied weights, e.g. GPT-2's output
/// projection and its token embedding, both Out × In): its update is counted once, at its owner.</param>
public sealed record LinearSpec(string Name, string Input, string Output, long In, long Out, long Rows = 1, bool Bias = true,
    Activation Activation = Activation.None, string? SharedWeights = null) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Reads => [Input];
    /// <inheritdoc />
    public override string? Writes => Output;
    /// <inheritdoc />
    public override long OutputElements => Rows * Out;
    /// <inheritdoc />
    public override long Parameters => (SharedWeights is null ? In * Out : 0) + (Bias ? Out : 0);
    /// <inheritdoc />
    public override double ForwardMacs => (double)Rows * In * Out;
}

/// <summary>A 2-D convolution of a C×H×W input with square K×K kernels: priced as its im2col GEMM,
/// (batch·H_out·W_out) × (C/groups·K·K) × (C_out/groups) per group.</summary>
public sealed record Conv2dSpec(string Name, string Input, string Output, long InChannels, long OutChannels, long Height, long Width,
    int Kernel, int Stride = 1, int Padding = 0, int Dilation = 1, int Groups = 1, bool Bias = false,
    Activation Activation = Activation.None) : LayerSpec(Name)
{
    /// <summary>Output height: ⌊(H + 2p − d(K − 1) − 1)/s⌋ + 1.</summary>
    public long OutHeight => (Height + 2 * Padding - (long)Dilation * (Kernel - 1) - 1) / Stride + 1;
    /// <summary>Output width.</summary>
    public long OutWidth => (Width + 2 * Padding - (long)Dilation * (Kernel - 1) - 1) / Stride + 1;
    /// <summary>Weights: C_out · C/groups · K · K.</summary>
    public long WeightCount => OutChannels * (InChannels / Groups) * Kernel * Kernel;
    /// <inheritdoc />
    public override IReadOnlyList<string> Reads => [Input];
    /// <inheritdoc />
    public override string? Writes => Output;
    /// <inheritdoc />
    public override long OutputElements => OutChannels * OutHeight * OutWidth;
    /// <inheritdoc />
    public override long Parameters => WeightCount + (Bias ? OutChannels : 0);
    /// <inheritdoc />
    public override double ForwardMacs => (double)WeightCount * OutHeight * OutWidth;
}

/// <summary>
/// Attention's two activation×activation products per example and head: S = QKᵀ/√d (T×d · d×T), softmax, and
/// O = P·V (T×T · T×d), both operands of both products quantised by the layer's activation (forward) and error
/// (backward) quantisers. Q, K and V are tensors of T·H·d elements each, or one fused tensor of 3·T·H·d (a fused
/// projection) named three times. <paramref name="Causal"/>: only the T(T+1)/2 unmasked scores are computed.
/// <paramref name="Fused"/>: S and P never leave the chip (FlashAttention-style); the backward pass recomputes them.
/// </summary>
public sealed record AttentionSpec(string Name, string Query, string Key, string Value, string Output, long Heads, long Tokens,
    long HeadDim, bool Causal = false, bool Fused = true) : LayerSpec(Name)
{
    /// <summary>Scores per example and head.</summary>
    public double Pairs => Causal ? Tokens * (Tokens + 1) / 2.0 : (double)Tokens * Tokens;
    /// <inheritdoc />
    public override IReadOnlyList<string> Reads => Query == Key && Key == Value ? [Query] : [Query, Key, Value];
    /// <inheritdoc />
    public override string? Writes => Output;
    /// <inheritdoc />
    public override long OutputElements => Tokens * Heads * HeadDim;
    /// <inheritdoc />
    public override long Parameters => 0;
    /// <inheritdoc />
    public override double ForwardMacs => 2 * Heads * Pairs * HeadDim;
}

/// <summary>
/// Token embedding: <paramref name="Tokens"/> rows of a <paramref name="Vocab"/> × <paramref name="Dim"/> table looked up
/// per example by the ids in <paramref name="Ids"/>, plus each table of <paramref name="AddedTables"/> (rows × Dim:
/// learned positions, token types) added densely. <paramref name="SparseUpdate"/>: only the looked-up rows (at most
/// min(vocab, batch·tokens)) get a gradient and an update; otherwise the gradient and update are dense, as
/// nn.Embedding trains by default.
/// </summary>
public sealed record EmbeddingSpec(string Name, string Ids, string Output, long Vocab, long Dim, long Tokens,
    IReadOnlyList<long>? AddedTables = null, bool SparseUpdate = false) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Reads => [Ids];
    /// <inheritdoc />
    public override string? Writes => Output;
    /// <inheritdoc />
    public override long OutputElements => Tokens * Dim;
    /// <inheritdoc />
    public override long Parameters => (Vocab + (AddedTables ?? []).Sum()) * Dim;
    /// <inheritdoc />
    public override double ForwardMacs => 0;
}

/// <summary>
/// A float32 operation: normalisation, softmax, residual add, pooling or the loss. <paramref name="Elements"/> is the
/// output's elements per example (the loss: the logits'); <paramref name="Features"/> the normalised width (γ and β per
/// feature: channels for batch norm, the row width for layer norm and softmax, classes for the loss);
/// <paramref name="Kernel"/>/<paramref name="Stride"/>/<paramref name="Padding"/> describe max pooling.
/// </summary>
public sealed record FloatOpSpec(string Name, FloatOpKind Kind, IReadOnlyList<string> Inputs, string? Output, long Elements,
    long Features = 1, Activation Activation = Activation.None, int Kernel = 1, int Stride = 1, int Padding = 0) : LayerSpec(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Reads => Inputs;
    /// <inheritdoc />
    public override string? Writes => Output;
    /// <inheritdoc />
    public override long OutputElements => Kind == FloatOpKind.SoftmaxCrossEntropy ? 0 : Elements;
    /// <inheritdoc />
    public override long Parameters => Kind is FloatOpKind.BatchNorm or FloatOpKind.LayerNorm ? 2 * Features : 0;
    /// <inheritdoc />
    public override double ForwardMacs => 0;
}

/// <summary>The batch as it arrives from the data set: <paramref name="Elements"/> values per example of
/// <paramref name="BytesPerElement"/> bytes each (1 for 8-bit images, 2 for token ids), and
/// <paramref name="LabelBytes"/> bytes of labels per example. <paramref name="Normalized"/>: the values are converted
/// to float32 and normalised ((x − μ)/σ: one multiply and one add each) before the first layer; token ids are not.</summary>
public sealed record DataInput(string Tensor, long Elements, int BytesPerElement = 1, bool Normalized = true, double LabelBytes = 1);

/// <summary>
/// A network as the step ledger prices it: the data input and the layers in execution order (every input a layer
/// names is the data tensor or an earlier layer's output). Independent of any training library.
/// </summary>
public sealed record NetworkSpec(string Name, DataInput Input, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>Trainable parameters.</summary>
    public long Parameters => Layers.Sum(l => l.Parameters);

    /// <summary>Forward multiply-accumulates per example (the figure model zoos quote as "MACs" or "FLOPs").</summary>
    public double ForwardMacs => Layers.Sum(l => l.ForwardMacs);

    /// <summary>Throws naming the first problem: an empty network, a duplicate name, an input nobody wrote, a shape
    /// that does not match its input, a tied weight of the wrong shape.</summary>
    public void Validate()
    {
        if (Layers.Count == 0) throw new ArgumentException($"network {Name}: a step needs at least one layer.", nameof(Layers));
        if (Input.Elements < 1 || Input.BytesPerElement < 1)
            throw new ArgumentException($"network {Name}: the data input needs >= 1 element of >= 1 byte.", nameof(Input));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal) { [Input.Tensor] = Input.Elements };
        var names = new HashSet<string>(StringComparer.Ordinal);
        var weights = new Dictionary<string, (long Rows, long Cols)>(StringComparer.Ordinal);
        foreach (var layer in Layers)
        {
            if (string.IsNullOrWhiteSpace(layer.Name) || !names.Add(layer.Name))
                throw new ArgumentException($"network {Name}: layer name '{layer.Name}' is empty or used twice.");
            foreach (var t in layer.Reads)
                if (!sizes.ContainsKey(t))
                    throw new ArgumentException($"network {Name}: layer {layer.Name} reads '{t}', which no earlier layer writes.");
            long In(int i) => sizes[layer.Reads[i]];
            void Expect(long have, long want, string what)
            {
                if (have != want) throw new ArgumentException($"network {Name}: layer {layer.Name} expects {want} {what} but its input has {have}.");
            }
            switch (layer)
            {
                case LinearSpec l:
                    Positive(layer, l.In, l.Out, l.Rows);
                    Expect(In(0), l.In * l.Rows, $"inputs ({l.Rows} rows of {l.In})");
                    if (l.SharedWeights is { } s)
                    {
                        if (!weights.TryGetValue(s, out var shape) || shape != (l.Out, l.In))
                            throw new ArgumentException($"network {Name}: layer {layer.Name} shares weights '{s}', which no earlier layer owns as {l.Out} × {l.In}.");
                    }
                    else weights[$"{l.Name}.weights"] = (l.Out, l.In);
                    break;
                case Conv2dSpec c:
                    Positive(layer, c.InChannels, c.OutChannels, c.Height, c.Width, c.Kernel, c.Stride, c.Dilation, c.Groups);
                    if (c.Padding < 0 || c.InChannels % c.Groups != 0 || c.OutChannels % c.Groups != 0 || c.OutHeight < 1 || c.OutWidth < 1)
                        throw new ArgumentException($"network {Name}: conv {layer.Name} has a bad shape (groups must divide both channel counts; output must be >= 1×1).");
                    Expect(In(0), c.InChannels * c.Height * c.Width, $"inputs ({c.InChannels}×{c.Height}×{c.Width})");
                    weights[$"{c.Name}.weights"] = (c.OutChannels, c.WeightCount / c.OutChannels);
                    break;
                case AttentionSpec a:
                    Positive(layer, a.Heads, a.Tokens, a.HeadDim);
                    long each = a.Tokens * a.Heads * a.HeadDim;
                    if (a.Reads.Count == 1) Expect(In(0), 3 * each, "inputs (fused q, k, v)");
                    else for (int i = 0; i < 3; ++i) Expect(In(i), each, "inputs per operand");
                    break;
                case EmbeddingSpec e:
                    Positive(layer, e.Vocab, e.Dim, e.Tokens);
                    Expect(In(0), e.Tokens, "token ids");
                    if ((e.AddedTables ?? []).Any(r => r < 1)) throw new ArgumentException($"network {Name}: embedding {layer.Name} has an added table without rows.");
                    weights[$"{e.Name}.weights"] = (e.Vocab, e.Dim);
                    break;
                case FloatOpSpec f:
                    ValidateFloatOp(f, In, Expect);
                    break;
                default:
                    throw new ArgumentException($"network {Name}: layer {layer.Name} is a {layer.GetType().Name}, which the ledger does not price.");
            }
            if (layer.Writes is { } o)
            {
                if (sizes.ContainsKey(o)) throw new ArgumentException($"network {Name}: tensor '{o}' is written twice.");
                sizes[o] = layer.OutputElements;
            }
        }
    }

    private void ValidateFloatOp(FloatOpSpec f, Func<int, long> input, Action<long, long, string> expect)
    {
        Positive(f, f.Elements, f.Features);
        int inputs = f.Kind == FloatOpKind.ResidualAdd ? 2 : 1;
        if (f.Inputs.Count != inputs) throw new ArgumentException($"network {Name}: {f.Kind} {f.Name} takes {inputs} input(s), not {f.Inputs.Count}.");
        if ((f.Output is null) != (f.Kind == FloatOpKind.SoftmaxCrossEntropy))
            throw new ArgumentException($"network {Name}: {f.Name}: only the loss has no output tensor.");
        if (f.Elements % f.Features != 0 && f.Kind is not (FloatOpKind.MaxPool or FloatOpKind.GlobalAvgPool))
            throw new ArgumentException($"network {Name}: {f.Name}: {f.Features} features do not divide {f.Elements} elements.");
        switch (f.Kind)
        {
            case FloatOpKind.ResidualAdd:
                expect(input(0), f.Elements, "elements");
                expect(input(1), f.Elements, "elements");
                break;
            case FloatOpKind.MaxPool or FloatOpKind.GlobalAvgPool:
                if (input(0) % f.Features != 0) throw new ArgumentException($"network {Name}: {f.Name}: {f.Features} channels do not divide its input.");
                if (f.Kind == FloatOpKind.GlobalAvgPool) expect(f.Elements, f.Features, "outputs (one per channel)");
                break;
            default:
                expect(input(0), f.Elements, "elements");
                break;
        }
    }

    private void Positive(LayerSpec layer, params long[] values)
    {
        if (values.Any(v => v < 1)) throw new ArgumentException($"network {Name}: layer {layer.Name} has a size below 1.");
    }
}
