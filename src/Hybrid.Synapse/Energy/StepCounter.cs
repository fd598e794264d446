using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy.Dataflow;

namespace Hybrid.Synapse.Energy;

/// <summary>
/// Counts one training step of a <see cref="NetworkSpec"/> (see <see cref="StepCosts"/> for the conventions). One
/// instance per count; the float operations, attention, embeddings and the update are in the other parts of this class.
/// </summary>
internal sealed partial class StepCounter
{
    private readonly NetworkSpec _net;
    private readonly double _n;
    private readonly StepFormats _row;
    private readonly UpdateCostSpec _update;
    private readonly List<ComputeEntry> _compute = [];
    private readonly List<TrafficEntry> _traffic = [];
    private readonly Dictionary<string, LedgerTensor> _tensors = new(StringComparer.Ordinal);
    private readonly List<LedgerChoice> _choices = [];
    private readonly List<GemmRecord> _gemms = [];

    private readonly Dictionary<string, long> _elements = new(StringComparer.Ordinal);   // per example
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal);    // −1: the data
    private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NumberFormat> _stored = new(StringComparer.Ordinal);
    private readonly HashSet<string> _quantizedOnWrite = new(StringComparer.Ordinal);
    private readonly HashSet<string> _quantizeCounted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _errorAlias = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _errorWrites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _gradientWrites = new(StringComparer.Ordinal);

    private string _layer = "input";
    private Pass _pass = Pass.Forward;
    private int _phase;

    /// <summary>The staged batch on chip (written once from the data set).</summary>
    private string Staged => _net.Input.Tensor;

    public StepCounter(NetworkSpec net, long batch, StepFormats row, UpdateCostSpec update)
    {
        net.Validate();
        if (batch < 1) throw new ArgumentException($"batch {batch} must be >= 1.", nameof(batch));
        _net = net;
        _n = batch;
        _row = row;
        _update = update;
        Analyse();
    }

    public StepLedger Count()
    {
        int count = _net.Layers.Count;
        LoadBatch();
        for (int i = 0; i < count; ++i) { At(i, Pass.Forward); Forward(i); }
        for (int i = count - 1; i >= 0; --i)
        {
            At(i, Pass.BackwardData); BackwardData(i);
            At(i, Pass.BackwardWeight); BackwardWeight(i);
        }
        for (int i = 0; i < count; ++i) { At(i, Pass.Update); Update(i); }
        return new StepLedger(_compute.Where(c => c.Count != 0).ToList(), _traffic, _tensors.Values.ToList(), _choices, _gemms);
    }

    // ---- the step's order: forward layers, backward layers in reverse (data then weights), then updates
    private void At(int i, Pass pass)
    {
        int count = _net.Layers.Count;
        _layer = _net.Layers[i].Name;
        _pass = pass;
        _phase = pass switch
        {
            Pass.Forward => i,
            Pass.BackwardData => count + 2 * (count - 1 - i),
            Pass.BackwardWeight => count + 2 * (count - 1 - i) + 1,
            _ => 3 * count + i,
        };
    }

    // ---- recording
    private void Add(string evt, double count, string? option = null) =>
        _compute.Add(new ComputeEntry(_layer, _pass, evt, count) { Option = option });

    private void Tensor(string name, double bytes, TensorLifetime lifetime = TensorLifetime.Transient)
    {
        if (_tensors.TryGetValue(name, out var t)) { if (bytes > t.Bytes) _tensors[name] = t with { Bytes = bytes }; }
        else _tensors[name] = new LedgerTensor(name, bytes, lifetime, _tensors.Count);
    }

    private void Read(string tensor, double bytes, GemmOperand? operand = null, string? option = null) => Move(tensor, bytes, 0, operand, option);
    private void Write(string tensor, double bytes, GemmOperand? operand = null, string? option = null) => Move(tensor, 0, bytes, operand, option);

    private void Move(string tensor, double read, double written, GemmOperand? operand, string? option)
    {
        if (read == 0 && written == 0) return;
        if (!_tensors.ContainsKey(tensor)) Tensor(tensor, read + written);
        _traffic.Add(new TrafficEntry(_layer, _pass, tensor, read, written) { Phase = _phase, Operand = operand, Option = option });
    }

    private void Quantize(TensorCost t, double count, string? option = null)
    {
        if (!t.Quantized) return;
        Add(Events.Quantize(t.Format.Kind), count, option);
        if (t.Stochastic) Add(Events.RandomBit, count * Events.RandomBitsPerDraw, option);
    }

    /// <summary>The MACs of a GEMM on operands in <paramref name="a"/> and <paramref name="b"/>, and the LNS datapath's
    /// events (an exponent add and a bucket accumulation per MAC; γ bucket scalings and γ − 1 bucket sums per output:
    /// priced 0 by the default table, whose LNS PE figure includes them).</summary>
    private void GemmEvents(NumberFormat a, NumberFormat b, double macs, double outputs)
    {
        Add(Events.GemmMac(a, b), macs);
        if (a.Kind != NumberKind.Lns || b.Kind != NumberKind.Lns) return;
        double gamma = Math.Max(a.Gamma, b.Gamma);
        Add(Events.LnsExponentAdd, macs);
        Add(Events.LnsBucketAccumulate, macs);
        Add(Events.LnsBucketScale, outputs * gamma);
        Add(Events.LnsBucketSum, outputs * (gamma - 1));
    }

    private string Gemm(LoopProblem problem)
    {
        string id = $"{_layer}/{_pass}/{_gemms.Count(g => g.Layer == _layer && g.Pass == _pass)}";
        _gemms.Add(new GemmRecord(id, _layer, _pass, problem));
        return id;
    }

    private TensorFormats FormatsOf(LayerSpec l) => l.Formats ?? _row.Layers;
    private NumberFormat FloatFormat => _row.FloatTensors;
    private double Elements(string t) => _n * _elements[t];

    // ---- the graph: producers, consumers, stored formats, error aliases
    private void Analyse()
    {
        _elements[Staged] = _net.Input.Elements;
        _producer[Staged] = -1;
        _consumers[Staged] = [];
        for (int i = 0; i < _net.Layers.Count; ++i)
        {
            var l = _net.Layers[i];
            foreach (var t in l.Reads.Distinct()) _consumers[t].Add(i);
            if (l.Writes is { } o) { _elements[o] = l.OutputElements; _producer[o] = i; _consumers[o] = []; }
        }
        foreach (var (t, consumers) in _consumers)
        {
            if (t == Staged) continue;
            // quantised on write when every consumer wants one quantised format; otherwise held in the float format
            var wanted = consumers.Select(c => ActivationOf(_net.Layers[c])).Distinct().ToList();
            if (wanted.Count == 1 && wanted[0] is { Quantized: true } q) { _stored[t] = q.Format; _quantizedOnWrite.Add(t); }
            else _stored[t] = FloatFormat;
        }
        // a residual add passes its output's error to an input it alone reads (no copy)
        for (int i = _net.Layers.Count - 1; i >= 0; --i)
            if (_net.Layers[i] is FloatOpSpec { Kind: FloatOpKind.ResidualAdd } add)
                foreach (var x in add.Inputs.Where(x => _consumers[x].Count == 1 && RequiresGrad(x)))
                    _errorAlias[x] = add.Output!;
    }

    /// <summary>The activation quantiser a layer applies to its input (null: it reads float).</summary>
    private TensorCost? ActivationOf(LayerSpec l) => l switch
    {
        LinearSpec or Conv2dSpec or AttentionSpec => FormatsOf(l).Activations,
        _ => null,
    };

    /// <summary>Whether a tensor's error is needed (everything but the data).</summary>
    private bool RequiresGrad(string t) => _producer[t] >= 0;

    /// <summary>The tensor whose error <paramref name="t"/>'s error is (residual pass-throughs followed to their end).</summary>
    private string ErrorRoot(string t) => _errorAlias.TryGetValue(t, out var a) ? ErrorRoot(a) : t;

    private string ErrorName(string t) => $"{ErrorRoot(t)}.error";

    /// <summary>The format a tensor's error is held in: its producer's error quantiser (GEMM layers), else the float format.</summary>
    private NumberFormat ErrorFormat(string t)
    {
        var p = _net.Layers[_producer[ErrorRoot(t)]];
        return p is LinearSpec or Conv2dSpec or AttentionSpec && FormatsOf(p).Errors.Quantized ? FormatsOf(p).Errors.Format : FloatFormat;
    }

    /// <summary>Materialised contributions to a tensor's error: its consumers, less residual adds that pass theirs through.</summary>
    private int ErrorWriters(string t) => _consumers[t].Count(c => !(_net.Layers[c] is FloatOpSpec { Kind: FloatOpKind.ResidualAdd }));

    // ---- the data
    private void LoadBatch()
    {
        _layer = "input";
        _pass = Pass.Forward;
        _phase = 0;
        var d = _net.Input;
        double bytes = _n * d.Elements * d.BytesPerElement;
        // the batch is read once from the data set in its stored format and staged on chip if it fits
        Tensor("dataset", bytes, TensorLifetime.External);
        Read("dataset", bytes);
        Tensor(Staged, bytes);
        Write(Staged, bytes);
        if (d.LabelBytes > 0)
        {
            Tensor("labels", _n * d.LabelBytes);
            Read("dataset", _n * d.LabelBytes);
            Write("labels", _n * d.LabelBytes);
        }
    }

    /// <summary>A GEMM layer reads activation <paramref name="x"/> in format <paramref name="act"/>: the staged data is
    /// converted (normalised) on every read; a tensor quantised on write is read as it is (its quantiser counted once,
    /// at the first read); a float tensor a quantiser reads is converted on every read unless a copy is kept
    /// (<paramref name="copyKey"/>: the choice, made once for the forward read and the backward-weight read).</summary>
    private void ReadActivation(string x, TensorCost act, double count, GemmOperand operand, string? copyKey = null)
    {
        double elements = Elements(x);
        if (x == Staged)
        {
            Read(x, elements * _net.Input.BytesPerElement, operand);
            if (_net.Input.Normalized) { Add(Events.Fp32Mult, elements); Add(Events.Fp32Add, elements); }
            Quantize(act, count);
            return;
        }
        var stored = _stored[x];
        if (_quantizedOnWrite.Contains(x) || !act.Quantized)
        {
            Read(x, stored.Bytes(elements), operand);
            if (_quantizedOnWrite.Contains(x) && _quantizeCounted.Add(x)) Quantize(act, count);
            return;
        }
        if (copyKey is null) { Read(x, stored.Bytes(elements), operand); Quantize(act, count); return; }
        var c = Choice(copyKey, x);
        if (_pass == Pass.Forward)
        {
            Read(x, stored.Bytes(elements), operand);
            Quantize(act, count);
            Write(copyKey, act.Format.Bytes(elements), null, c.Tag(LedgerChoice.Alternative));
        }
        else
        {
            Read(copyKey, act.Format.Bytes(elements), operand, c.Tag(LedgerChoice.Alternative));
            Read(x, stored.Bytes(elements), operand, c.Tag(LedgerChoice.Lean));
            Quantize(act, count, c.Tag(LedgerChoice.Lean));
        }
    }

    private LedgerChoice Choice(string key, string source)
    {
        var c = _choices.FirstOrDefault(c => c.Key == key);
        if (c is null) { c = new LedgerChoice(key, source); _choices.Add(c); }
        return c;
    }

    /// <summary>Writes a layer's output <paramref name="y"/> in its stored format, and the epilogue of its activation.</summary>
    private void WriteOutput(string y, Activation act, GemmOperand? operand)
    {
        double e = Elements(y);
        Write(y, _stored[y].Bytes(e), operand);
        switch (act)
        {
            case Activation.Relu:
                Write($"{_layer}.mask", e / 8); // one bit per element: the backward pass's select
                break;
            case Activation.Gelu:
                Add(Events.Fp32Mult, 14 * e); // tanh form: x³ and scale (4), tanh as exp (7) and a divide (1), 0.5·x·(1 + t) (2)
                Add(Events.Fp32Add, 11 * e);
                Write($"{_layer}.preactivation", FloatFormat.Bytes(e));
                break;
        }
    }

    /// <summary>The error of a layer's own output as its backward passes read it: the activation's backward applied
    /// (ReLU: the mask read with it, a free select; GELU: computed once, in the first backward pass, and written in the
    /// layer's error format). Returns the tensor to read.</summary>
    private string OutputError(LayerSpec l, string y, Activation act, bool firstBackwardPass)
    {
        double e = Elements(y);
        switch (act)
        {
            case Activation.Relu:
                Read($"{l.Name}.mask", e / 8);
                return ErrorName(y);
            case Activation.Gelu:
                string pre = $"{l.Name}.error.preactivation";
                if (firstBackwardPass)
                {
                    Read(ErrorName(y), ErrorFormat(y).Bytes(e));
                    Read($"{l.Name}.preactivation", FloatFormat.Bytes(e));
                    Add(Events.Fp32Mult, 19 * e); // gelu'(x): the forward's terms again (12), t², 3·0.044715·x², the scales (6), × e (1)
                    Add(Events.Fp32Add, 14 * e);
                    Write(pre, ErrorFormat(y).Bytes(e));
                }
                return pre;
            default:
                return ErrorName(y);
        }
    }

    /// <summary>Writes one contribution to the error of <paramref name="t"/>: the first materialised writer writes (adding
    /// any residual pass-throughs first), later ones read, add and write; a tensor whose only contribution is a residual
    /// pass-through shares its error tensor (nothing written).</summary>
    private void WriteError(string t, double elements, GemmOperand? operand)
    {
        if (!RequiresGrad(t) || _errorAlias.ContainsKey(t)) return;
        string name = ErrorName(t);
        var f = ErrorFormat(t);
        int done = _errorWrites.GetValueOrDefault(t);
        _errorWrites[t] = done + 1;
        double bytes = f.Bytes(elements);
        if (done == 0)
        {
            // residual adds that read t pass their output's error through: fold them in before the first write
            foreach (int c in _consumers[t].Where(c => _net.Layers[c] is FloatOpSpec { Kind: FloatOpKind.ResidualAdd }))
            {
                string y = _net.Layers[c].Writes!;
                Read(ErrorName(y), ErrorFormat(y).Bytes(elements));
                Add(Events.Fp32Add, elements);
            }
            Write(name, bytes, operand);
            return;
        }
        Read(name, bytes);
        Add(Events.Fp32Add, elements);
        Write(name, bytes);
    }

    /// <summary>The error of a tensor whose contributions are all residual pass-throughs of adds reading it more than once
    /// or beside another add: materialised by the first add (a copy).</summary>
    private void PassThroughError(string t, string y)
    {
        if (!RequiresGrad(t) || _errorAlias.ContainsKey(t) || ErrorWriters(t) > 0) return;
        double e = Elements(t);
        int done = _errorWrites.GetValueOrDefault(t);
        _errorWrites[t] = done + 1;
        Read(ErrorName(y), ErrorFormat(y).Bytes(e));
        if (done > 0) { Read(ErrorName(t), ErrorFormat(t).Bytes(e)); Add(Events.Fp32Add, e); }
        Write(ErrorName(t), ErrorFormat(t).Bytes(e));
    }

    // ---- per layer type
    private void Forward(int i)
    {
        switch (_net.Layers[i])
        {
            case LinearSpec l: GemmForward(l, l.Input, l.Output, WeightsOf(l), l.In * l.Out, l.Out, l.Bias, l.Activation, Linear(l, 2)); break;
            case Conv2dSpec c: GemmForward(c, c.Input, c.Output, WeightsOf(c), c.WeightCount, c.OutChannels, c.Bias, c.Activation, Conv(c, 2)); break;
            case AttentionSpec a: AttentionForward(a); break;
            case EmbeddingSpec e: EmbeddingForward(e); break;
            case FloatOpSpec f: FloatForward(f); break;
        }
    }

    private void BackwardData(int i)
    {
        switch (_net.Layers[i])
        {
            case LinearSpec l when RequiresGrad(l.Input): GemmBackwardData(l, l.Input, l.Output, WeightsOf(l), l.In * l.Out, l.Activation, Linear(l, 1)); break;
            case Conv2dSpec c when RequiresGrad(c.Input): GemmBackwardData(c, c.Input, c.Output, WeightsOf(c), c.WeightCount, c.Activation, Conv(c, 1)); break;
            case AttentionSpec a: AttentionBackward(a); break;
            case FloatOpSpec f: FloatBackward(f); break;
        }
    }

    private void BackwardWeight(int i)
    {
        switch (_net.Layers[i])
        {
            case LinearSpec l: GemmBackwardWeight(l, l.Input, l.Output, WeightsOf(l), l.In * l.Out, l.Out, l.Bias, l.Activation, Linear(l, 0)); break;
            case Conv2dSpec c: GemmBackwardWeight(c, c.Input, c.Output, WeightsOf(c), c.WeightCount, c.OutChannels, c.Bias, c.Activation, Conv(c, 0)); break;
            case EmbeddingSpec e: EmbeddingBackwardWeight(e); break;
            case FloatOpSpec f: FloatParameterGradients(f); break;
        }
    }

    private static string WeightsOf(LayerSpec l) => l is LinearSpec { SharedWeights: { } s } ? s : $"{l.Name}.weights";

    private LoopProblem Linear(LinearSpec l, int output) => LoopProblem.Gemm((long)_n * l.Rows, l.In, l.Out, output);

    private LoopProblem Conv(Conv2dSpec c, int output) => LoopProblem.Conv((long)_n, c.OutChannels / c.Groups, c.InChannels / c.Groups,
        c.OutHeight, c.OutWidth, c.Kernel, c.Kernel, c.Stride, c.Dilation, output, c.Groups);

    /// <summary>Forward of a GEMM layer: the weights in the GEMM format (quantised from storage, or LNS codes decoded for a
    /// float GEMM), the input in the activation format, y = x·Wᵀ (+ b), the output in its stored format.</summary>
    private void GemmForward(LayerSpec l, string x, string y, string weights, double w, long outFeatures, bool bias, Activation act, LoopProblem problem)
    {
        var f = FormatsOf(l);
        var wg = f.WeightsGemm.Quantized ? f.WeightsGemm.Format : f.WeightStorage.Kind == NumberKind.Lns ? NumberFormat.Fp32 : f.WeightStorage;
        string id = Gemm(problem);
        double macs = problem.Macs, outputs = Elements(y);
        Tensor(weights, f.WeightStorage.Bytes(w), TensorLifetime.Persistent);
        ConvertWeights(f, w);
        Read(weights, f.WeightStorage.Bytes(w), new GemmOperand(id, 0, wg.Bytes(1)));
        if (RequiresGrad(x) && NeedsConversion(f))
        {
            // backward-data needs the GEMM format again: keep the converted copy, or convert again there (priced both ways)
            var c = Choice($"{weights}.gemm", weights);
            Write(c.Key, wg.Bytes(w), null, c.Tag(LedgerChoice.Alternative));
        }
        var act0 = f.Activations;
        ReadActivation(x, act0, Elements(x), new GemmOperand(id, 1, (act0.Quantized ? act0.Format : _stored.GetValueOrDefault(x, FloatFormat)).Bytes(1)),
            act0.Quantized && !_quantizedOnWrite.Contains(x) && x != Staged ? $"{l.Name}.input.gemm" : null);
        GemmEvents(act0.Format, wg, macs, outputs);
        WriteOutput(y, act, new GemmOperand(id, 2, _stored[y].Bytes(1)));
        if (!bias) return;
        Add(Events.Fp32Add, outputs);
        Tensor($"{l.Name}.bias", 4.0 * outFeatures, TensorLifetime.Persistent);
        Read($"{l.Name}.bias", 4.0 * outFeatures);
    }

    private static bool NeedsConversion(TensorFormats f) => f.WeightsGemm.Quantized || f.WeightStorage.Kind == NumberKind.Lns;

    /// <summary>Weights from storage into the GEMM format: the weights quantiser, or an LNS decode for a float GEMM.</summary>
    private void ConvertWeights(TensorFormats f, double w, string? option = null)
    {
        if (f.WeightsGemm.Quantized) Quantize(f.WeightsGemm, w, option);
        else if (f.WeightStorage.Kind == NumberKind.Lns) Add(Events.DecodeLns, w, option);
    }

    /// <summary>Backward-data of a GEMM layer: e_x = e_y·W, the weights from the kept copy or converted again.</summary>
    private void GemmBackwardData(LayerSpec l, string x, string y, string weights, double w, Activation act, LoopProblem problem)
    {
        var f = FormatsOf(l);
        var wg = f.WeightsGemm.Quantized ? f.WeightsGemm.Format : f.WeightStorage.Kind == NumberKind.Lns ? NumberFormat.Fp32 : f.WeightStorage;
        var err = f.Errors.Quantized ? f.Errors.Format : ErrorFormat(y);
        string id = Gemm(problem);
        string e = OutputError(l, y, act, firstBackwardPass: true);
        Read(e, err.Bytes(Elements(y)), new GemmOperand(id, 2, err.Bytes(1)));
        if (NeedsConversion(f))
        {
            var c = Choice($"{weights}.gemm", weights);
            Read(c.Key, wg.Bytes(w), new GemmOperand(id, 0, wg.Bytes(1)), c.Tag(LedgerChoice.Alternative));
            Read(weights, f.WeightStorage.Bytes(w), new GemmOperand(id, 0, wg.Bytes(1)), c.Tag(LedgerChoice.Lean));
            ConvertWeights(f, w, c.Tag(LedgerChoice.Lean));
        }
        else Read(weights, f.WeightStorage.Bytes(w), new GemmOperand(id, 0, wg.Bytes(1)));
        GemmEvents(err, wg, problem.Macs, Elements(x));
        WriteError(x, Elements(x), new GemmOperand(id, 1, ErrorFormat(x).Bytes(1)));
    }

    /// <summary>Backward-weight of a GEMM layer: the error's quantiser (once per error tensor), ∇W = e_yᵀ·x, the
    /// gradient's quantiser, the gradient written for the update (not with a fused gradient), and the bias gradient.</summary>
    private void GemmBackwardWeight(LayerSpec l, string x, string y, string weights, double w, long outFeatures, bool bias, Activation act, LoopProblem problem)
    {
        var f = FormatsOf(l);
        var err = f.Errors.Quantized ? f.Errors.Format : ErrorFormat(y);
        var actFormat = f.Activations.Quantized ? f.Activations.Format : x == Staged ? NumberFormat.Fp32 : _stored[x];
        string id = Gemm(problem);
        Quantize(f.Errors, Elements(y));
        string e = OutputError(l, y, act, firstBackwardPass: !RequiresGrad(x));
        Read(e, err.Bytes(Elements(y)), new GemmOperand(id, 2, err.Bytes(1)));
        ReadActivation(x, f.Activations, Elements(x), new GemmOperand(id, 1, actFormat.Bytes(1)),
            f.Activations.Quantized && !_quantizedOnWrite.Contains(x) && x != Staged ? $"{l.Name}.input.gemm" : null);
        GemmEvents(err, actFormat, problem.Macs, w);
        Quantize(f.Gradients, w);
        WriteGradient(weights, f.Gradients.Format.Bytes(w), w, new GemmOperand(id, 0, f.Gradients.Format.Bytes(1)));
        if (!bias) return;
        Add(Events.Fp32Add, Elements(y));
        WriteGradient($"{l.Name}.bias", 4.0 * outFeatures, outFeatures, null);
    }

    /// <summary>A parameter's gradient: written for the update (a second writer of a shared parameter reads, adds and
    /// writes); with a fused gradient it goes to the update unit and is never stored.</summary>
    private void WriteGradient(string parameter, double bytes, double values, GemmOperand? operand)
    {
        if (_update.FuseGradient) return;
        string g = $"{parameter}.gradient";
        int done = _gradientWrites.GetValueOrDefault(parameter);
        _gradientWrites[parameter] = done + 1;
        if (done > 0) { Read(g, bytes); Add(Events.Fp32Add, values); }
        Write(g, bytes, operand);
    }
}
