using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy.Dataflow;

namespace Hybrid.Synapse.Energy;

/// <summary>Float operations, attention's products and embeddings (operation counts per element are written beside
/// each; exp counts as 7 multiplies and 7 adds, division and square root as one multiply, comparisons are free —
/// the conventions of <see cref="UpdateCosts"/>).</summary>
internal sealed partial class StepCounter
{
    private double StoredBytes(string t, double elements) =>
        t == Staged ? elements * _net.Input.BytesPerElement : _stored[t].Bytes(elements);

    private void FloatForward(FloatOpSpec f)
    {
        string x = f.Inputs[0];
        double ex = Elements(x), bytes = StoredBytes(x, ex);
        switch (f.Kind)
        {
            case FloatOpKind.BatchNorm:
                // batch statistics need the whole batch before any output: the input is read twice (Σx and Σx², then y = a·x + b)
                Read(x, 2 * bytes);
                Add(Events.Fp32Add, 3 * ex);
                Add(Events.Fp32Mult, 2 * ex);
                Affine(f);
                break;
            case FloatOpKind.LayerNorm:
                // a row's statistics are on chip while it is normalised: one read (Σx, Σx², then a·x + b)
                Read(x, bytes);
                Add(Events.Fp32Add, 3 * ex);
                Add(Events.Fp32Mult, 2 * ex);
                Affine(f);
                break;
            case FloatOpKind.Softmax:
                Read(x, bytes);
                Add(Events.Fp32Mult, 8 * ex); // exp (7), × 1/Σ (1)
                Add(Events.Fp32Add, 9 * ex);  // x − max (1), exp (7), Σ (1)
                break;
            case FloatOpKind.ResidualAdd:
                Read(x, bytes);
                Read(f.Inputs[1], StoredBytes(f.Inputs[1], ex));
                Add(Events.Fp32Add, ex);
                break;
            case FloatOpKind.MaxPool:
                Read(x, bytes);
                Write($"{f.Name}.indices", Elements(f.Output!)); // the argmax, one byte per output (≤ 256 window positions)
                break;
            case FloatOpKind.GlobalAvgPool:
                Read(x, bytes);
                Add(Events.Fp32Add, ex);
                Add(Events.Fp32Mult, Elements(f.Output!));
                break;
            case FloatOpKind.SoftmaxCrossEntropy:
                // the loss reads the logits and the labels and writes the top error p − onehot in one pass
                Read(x, bytes);
                Read("labels", _n * _net.Input.LabelBytes);
                Add(Events.Fp32Mult, 8 * ex);
                Add(Events.Fp32Add, 10 * ex);
                WriteError(x, ex, null);
                return;
        }
        WriteOutput(f.Output!, f.Activation, null);
    }

    private void Affine(FloatOpSpec f)
    {
        Tensor($"{f.Name}.affine", 8.0 * f.Features, TensorLifetime.Persistent);
        Read($"{f.Name}.affine", 8.0 * f.Features);
    }

    private void FloatBackward(FloatOpSpec f)
    {
        if (f.Kind == FloatOpKind.SoftmaxCrossEntropy) return;
        string x = f.Inputs[0], y = f.Output!;
        double ex = Elements(x), ey = Elements(y);
        string e = OutputError(f, y, f.Activation, firstBackwardPass: true);
        double errorBytes = ErrorFormat(y).Bytes(ey);
        switch (f.Kind)
        {
            case FloatOpKind.BatchNorm:
                // reductions Σe and Σe·x̂ first, then dx = (γ/σ)(e − mean e − x̂·mean(e·x̂)): error and input read twice
                Read(e, 2 * errorBytes);
                Read(x, 2 * StoredBytes(x, ex));
                Add(Events.Fp32Add, 5 * ex);
                Add(Events.Fp32Mult, 5 * ex);
                Affine(f);
                break;
            case FloatOpKind.LayerNorm:
                Read(e, errorBytes);
                Read(x, StoredBytes(x, ex));
                Add(Events.Fp32Add, 5 * ex);
                Add(Events.Fp32Mult, 5 * ex);
                Affine(f);
                break;
            case FloatOpKind.Softmax:
                Read(e, errorBytes);
                Read(y, StoredBytes(y, ey)); // the saved output
                Add(Events.Fp32Mult, 2 * ex); // Σ e·y, × y
                Add(Events.Fp32Add, 2 * ex);
                break;
            case FloatOpKind.ResidualAdd:
                // the error passes to both inputs unchanged (aliased, or folded into another contribution)
                foreach (var input in f.Inputs.Distinct()) PassThroughError(input, y);
                return;
            case FloatOpKind.MaxPool:
                Read(e, errorBytes);
                Read($"{f.Name}.indices", ey);
                break;
            case FloatOpKind.GlobalAvgPool:
                Read(e, errorBytes);
                Add(Events.Fp32Mult, ey);
                break;
        }
        WriteError(x, ex, null);
    }

    private void FloatParameterGradients(FloatOpSpec f)
    {
        // dγ = Σ e·x̂ and dβ = Σ e came out of the backward pass's reductions
        if (f.Kind is FloatOpKind.BatchNorm or FloatOpKind.LayerNorm) WriteGradient($"{f.Name}.affine", 8.0 * f.Features, 2.0 * f.Features, null);
    }

    // ---- attention: S = QKᵀ/√d, P = softmax(S), O = P·V per example and head
    private (NumberFormat Format, TensorCost Act, TensorCost Err, NumberFormat ErrFormat) AttentionFormats(AttentionSpec a)
    {
        var f = FormatsOf(a);
        var act = f.Activations;
        var err = f.Errors;
        var format = act.Quantized ? act.Format : _stored[a.Query];
        return (format, act, err, err.Quantized ? err.Format : ErrorFormat(a.Output));
    }

    /// <summary>Reads one of q, k, v (a third of a fused tensor) as operand <paramref name="index"/> of a GEMM.</summary>
    private void ReadOperand(AttentionSpec a, string t, string gemm, int index, NumberFormat format, TensorCost act)
    {
        double each = _n * a.Tokens * a.Heads * a.HeadDim;
        Read(t, _stored[t].Bytes(each), new GemmOperand(gemm, index, format.Bytes(1)));
        if (!_quantizedOnWrite.Contains(t)) Quantize(act, each);
    }

    private LoopProblem Scores(AttentionSpec a) => Causal(a, LoopProblem.Batched((long)_n * a.Heads, a.Tokens, a.HeadDim, a.Tokens, 2));
    private LoopProblem Mix(AttentionSpec a, int output) => Causal(a, LoopProblem.Batched((long)_n * a.Heads, a.Tokens, a.Tokens, a.HeadDim, output));
    private static LoopProblem Causal(AttentionSpec a, LoopProblem p) => p with { Repeat = a.Pairs / ((double)a.Tokens * a.Tokens) };

    private void AttentionForward(AttentionSpec a)
    {
        var (fmt, act, _, _) = AttentionFormats(a);
        double scores = _n * a.Heads * a.Pairs, macs = scores * a.HeadDim;
        string s = Gemm(Scores(a));
        ReadOperand(a, a.Query, s, 0, fmt, act);
        ReadOperand(a, a.Key, s, 1, fmt, act);
        GemmEvents(fmt, fmt, macs, scores);
        Add(Events.Fp32Mult, scores); // 1/√d
        if (!a.Fused) Write($"{a.Name}.scores", FloatFormat.Bytes(scores), new GemmOperand(s, 2, FloatFormat.Bytes(1)));
        if (!a.Fused) Read($"{a.Name}.scores", FloatFormat.Bytes(scores));
        Add(Events.Fp32Mult, 8 * scores); // softmax: exp (7), × 1/Σ (1)
        Add(Events.Fp32Add, 9 * scores);  // x − max, exp (7), Σ
        Quantize(act, scores);             // P in the activation format (the second product's operand)
        string o = Gemm(Mix(a, 2));
        if (!a.Fused)
        {
            Write($"{a.Name}.probabilities", fmt.Bytes(scores));
            Read($"{a.Name}.probabilities", fmt.Bytes(scores), new GemmOperand(o, 0, fmt.Bytes(1)));
        }
        ReadOperand(a, a.Value, o, 1, fmt, act);
        GemmEvents(fmt, fmt, macs, _n * a.Tokens * a.Heads * a.HeadDim);
        WriteOutput(a.Output, Activation.None, new GemmOperand(o, 2, _stored[a.Output].Bytes(1)));
        if (a.Fused) Write($"{a.Name}.statistics", 4 * _n * a.Heads * a.Tokens); // each row's max and Σ (logsumexp)
    }

    private void AttentionBackward(AttentionSpec a)
    {
        var (fmt, act, err, errFormat) = AttentionFormats(a);
        double scores = _n * a.Heads * a.Pairs, macs = scores * a.HeadDim, each = _n * a.Tokens * a.Heads * a.HeadDim;
        string dO = ErrorName(a.Output), probs = $"{a.Name}.probabilities";
        Quantize(err, each); // the error of O, once
        if (a.Fused)
        {
            // FlashAttention's backward: S and P recomputed on chip from Q, K and the saved statistics
            string s = Gemm(Scores(a));
            ReadOperand(a, a.Query, s, 0, fmt, act);
            ReadOperand(a, a.Key, s, 1, fmt, act);
            GemmEvents(fmt, fmt, macs, scores);
            Read($"{a.Name}.statistics", 4 * _n * a.Heads * a.Tokens);
            Add(Events.Fp32Mult, 9 * scores); // 1/√d, exp (7), × 1/Σ
            Add(Events.Fp32Add, 8 * scores);  // − logsumexp, exp (7)
            Quantize(act, scores);
            Read(a.Output, StoredBytes(a.Output, each)); // D = rowsum(dO ∘ O)
            Add(Events.Fp32Mult, each);
            Add(Events.Fp32Add, each);
        }
        // dP = dO·Vᵀ
        string dp = Gemm(Scores(a));
        Read(dO, errFormat.Bytes(each), new GemmOperand(dp, 0, errFormat.Bytes(1)));
        ReadOperand(a, a.Value, dp, 1, fmt, act);
        GemmEvents(errFormat, fmt, macs, scores);
        if (!a.Fused) Write($"{a.Name}.dprobabilities", FloatFormat.Bytes(scores), new GemmOperand(dp, 2, FloatFormat.Bytes(1)));
        // dV = Pᵀ·dO
        string dv = Gemm(Mix(a, 2));
        if (!a.Fused) Read(probs, fmt.Bytes(scores), new GemmOperand(dv, 0, fmt.Bytes(1)));
        Read(dO, errFormat.Bytes(each), new GemmOperand(dv, 1, errFormat.Bytes(1)));
        GemmEvents(fmt, errFormat, macs, each);
        WriteAttentionError(a, a.Value, each, new GemmOperand(dv, 2, ErrorFormat(a.Value).Bytes(1)));
        // dS = P ∘ (dP − rowsum(dP ∘ P)), quantised for the two GEMMs that read it
        if (!a.Fused)
        {
            Read(probs, fmt.Bytes(scores));
            Read($"{a.Name}.dprobabilities", FloatFormat.Bytes(scores));
        }
        Add(Events.Fp32Mult, 2 * scores);
        Add(Events.Fp32Add, 2 * scores);
        Quantize(err, scores);
        if (!a.Fused) Write($"{a.Name}.dscores", errFormat.Bytes(scores));
        foreach (var (target, other) in new[] { (a.Query, a.Key), (a.Key, a.Query) })
        {
            // dQ = dS·K, dK = dSᵀ·Q
            string g = Gemm(Mix(a, 2));
            if (!a.Fused) Read($"{a.Name}.dscores", errFormat.Bytes(scores), new GemmOperand(g, 0, errFormat.Bytes(1)));
            ReadOperand(a, other, g, 1, fmt, act);
            GemmEvents(errFormat, fmt, macs, each);
            WriteAttentionError(a, target, each, new GemmOperand(g, 2, ErrorFormat(target).Bytes(1)));
        }
    }

    /// <summary>The error of q, k or v: a third of a fused tensor's error (each third written once), or the tensor's own.</summary>
    private void WriteAttentionError(AttentionSpec a, string t, double each, GemmOperand operand)
    {
        if (a.Reads.Count == 3) { WriteError(t, each, operand); return; }
        if (!RequiresGrad(t)) return;
        Tensor(ErrorName(t), ErrorFormat(t).Bytes(3 * each));
        Write(ErrorName(t), ErrorFormat(t).Bytes(each), operand);
    }

    // ---- embeddings: a gather forward, a scatter-add backward
    private double TouchedRows(EmbeddingSpec e) => e.SparseUpdate ? Math.Min(e.Vocab, _n * e.Tokens) : e.Vocab;

    private void EmbeddingForward(EmbeddingSpec e)
    {
        var f = FormatsOf(e);
        double lookups = _n * e.Tokens, values = lookups * e.Dim;
        Read(e.Ids, StoredBytes(e.Ids, lookups));
        string table = $"{e.Name}.weights";
        Tensor(table, f.WeightStorage.Bytes((double)e.Vocab * e.Dim), TensorLifetime.Persistent);
        Read(table, f.WeightStorage.Bytes(values)); // the looked-up rows
        if (f.WeightStorage.Kind == NumberKind.Lns) Add(Events.DecodeLns, values);
        var added = e.AddedTables ?? [];
        for (int j = 0; j < added.Count; ++j)
        {
            // positions (or token types): the same rows for every example, read once a step and added to each
            string name = $"{e.Name}.table{j}";
            Tensor(name, f.WeightStorage.Bytes((double)added[j] * e.Dim), TensorLifetime.Persistent);
            double rows = Math.Min(added[j], e.Tokens) * e.Dim;
            Read(name, f.WeightStorage.Bytes(rows));
            if (f.WeightStorage.Kind == NumberKind.Lns) Add(Events.DecodeLns, rows);
            Add(Events.Fp32Add, values);
        }
        WriteOutput(e.Output, Activation.None, null);
    }

    private void EmbeddingBackwardWeight(EmbeddingSpec e)
    {
        var f = FormatsOf(e);
        double values = _n * e.Tokens * e.Dim;
        Read(ErrorName(e.Output), ErrorFormat(e.Output).Bytes(values));
        // scatter-add the error rows into the gradient of the rows looked up (dense: every row, zeros elsewhere)
        Add(Events.Fp32Add, values);
        double rows = TouchedRows(e) * e.Dim;
        Quantize(f.Gradients, rows);
        WriteGradient($"{e.Name}.weights", f.Gradients.Format.Bytes(rows), rows, null);
        var added = e.AddedTables ?? [];
        for (int j = 0; j < added.Count; ++j)
        {
            double tableValues = (double)added[j] * e.Dim;
            Add(Events.Fp32Add, values); // Σ over the batch
            Quantize(f.Gradients, tableValues);
            WriteGradient($"{e.Name}.table{j}", f.Gradients.Format.Bytes(tableValues), tableValues, null);
        }
    }
}
