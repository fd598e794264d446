using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>What a layer's quantisers and exact GEMMs did over the training steps so far.</summary>
/// <param name="Quantizers">Counts per tensor role (roles without a quantiser are absent).</param>
/// <param name="Gemm">The exact GEMMs' products, saturations and truncations (zero in fast mode).</param>
public sealed record ArithmeticStats(IReadOnlyDictionary<TensorRole, QuantizeStats> Quantizers, GemmStats Gemm)
{
    /// <summary>Nothing counted.</summary>
    public static readonly ArithmeticStats Empty = new(new Dictionary<TensorRole, QuantizeStats>(), default);

    /// <summary>The sum of two layers' counts.</summary>
    public static ArithmeticStats operator +(ArithmeticStats a, ArithmeticStats b)
    {
        var q = new Dictionary<TensorRole, QuantizeStats>(a.Quantizers);
        foreach (var (r, s) in b.Quantizers) q[r] = q.GetValueOrDefault(r) + s;
        return new ArithmeticStats(q, a.Gemm + b.Gemm);
    }
}

/// <summary>
/// The arithmetic of one linear layer's training step (<see cref="StepArithmetic"/>): quantisers for the
/// weights (to the GEMM format, scale = the stored w_max for LNS weights), the input activations, the
/// error and the weight gradient as custom autograd functions, and the GEMMs fast (TorchSharp float32 on
/// grid values) or exact (the synapse backend's LNS datapath). y = Q_e(GEMM(Q_a(x), Q_w(W)) + b), with
/// ∇W passing through Q_g. Its state — the step that keys the random streams, running scales and the
/// counts — lives in one float64 tensor that the layer registers as a buffer, so checkpoints carry it.
/// </summary>
public sealed class LinearArithmetic
{
    private const int StepSlot = 0, ScaleSlot = 1, StatsSlot = 5, GemmSlot = 21, Slots = 24;
    private readonly TensorQuantizer?[] _q = new TensorQuantizer?[4];
    private readonly ISynapseBackend _backend;

    /// <summary>The arithmetic of layer <paramref name="layer"/> (its random sub-streams) of a model keyed by <paramref name="seed"/>.</summary>
    public LinearArithmetic(StepArithmetic settings, int layer, ulong seed, ISynapseBackend backend)
    {
        settings.Validate();
        Settings = settings;
        _backend = backend;
        foreach (TensorRole r in Enum.GetValues<TensorRole>())
            if (settings.Of(r) is { } spec) _q[(int)r] = new TensorQuantizer(spec, r, layer, seed, backend);
        State = torch.zeros(Slots, ScalarType.Float64);
        // no running maximum yet: stored as −1, not NaN, so a checkpoint's every-buffer-finite check holds
        for (int r = 0; r < 4; ++r) Span[ScaleSlot + r] = Unset;
    }

    /// <summary>The settings.</summary>
    public StepArithmetic Settings { get; }

    /// <summary>The state buffer (step, running scales, counts).</summary>
    public Tensor State { get; }

    private Span<double> Span => TensorMemory.Cpu<double>(State);

    /// <summary>Counts over every training step (a resumed run's earlier steps included).</summary>
    public ArithmeticStats Stats
    {
        get
        {
            var s = Span;
            var q = new Dictionary<TensorRole, QuantizeStats>();
            for (int r = 0; r < 4; ++r)
                if (_q[r] is not null)
                {
                    int b = StatsSlot + 4 * r;
                    q[(TensorRole)r] = new QuantizeStats((long)s[b], (long)s[b + 1], (long)s[b + 2], (long)s[b + 3]);
                }
            return new ArithmeticStats(q, new GemmStats((long)s[GemmSlot], (long)s[GemmSlot + 1], (long)s[GemmSlot + 2]));
        }
    }

    /// <summary>y = Q_e(GEMM(Q_a(x), Q_w(weight)) + bias). <paramref name="storedWMax"/>: the LNS storage's w_max
    /// (the weight quantiser's scale), or null for float weights (max |W|). Inputs [..., features]: leading dimensions
    /// are flattened into the GEMM's rows (one per-tensor scale over all of them, as for the unflattened tensor).</summary>
    public Tensor Forward(Tensor x, Tensor weight, Tensor? bias, float? storedWMax, bool training)
    {
        if (x.dim() < 2) throw new NotSupportedException($"quantised linear layers take [..., features] inputs, not {x.dim()}-D ones.");
        if (x.dim() > 2)
        {
            long[] lead = x.shape[..^1];
            return Forward(x.reshape(-1, x.shape[^1]), weight, bias, storedWMax, training).reshape([.. lead, weight.shape[0]]);
        }
        return Forward(x, weight, storedWMax, training, (xq, wq) => nn.functional.linear(xq, wq, bias), (xq, wq, call) =>
        {
            var y = ExactLinearFunction.apply(xq, wq, call);
            return bias is null ? y : y.Plus(bias);
        }, fusedCodes: true);
    }

    /// <summary>
    /// y = Q_e(op(Q_a(x), Q_w(weight))) for any GEMM-shaped op (a convolution, a batched product, a look-up): the
    /// quantisers as in the linear layer, the op given twice — <paramref name="fast"/> on grid values in float32, and
    /// <paramref name="exact"/> on the LNS datapath (null: the op has no exact form). A role without a quantiser
    /// passes its tensor unchanged (an embedding passes its integer indices so).
    /// </summary>
    /// <remarks><paramref name="fusedCodes"/>: the op is one plain GEMM x·weightᵀ of 2-D operands (the linear layer), so the
    /// quantisers can write the exact GEMM's codes as they quantise; any other op (a convolution's im2col GEMMs, batched
    /// products) leaves the encoding to each exact GEMM.</remarks>
    internal Tensor Forward(Tensor x, Tensor weight, float? storedWMax, bool training, Func<Tensor, Tensor, Tensor> fast,
        Func<Tensor, Tensor, ExactGemmCall, Tensor>? exact, bool fusedCodes = false)
    {
        var s = Span;
        long step = training ? (long)++s[StepSlot] : (long)s[StepSlot];
        bool exactMode = Settings.Gemm == GemmMode.Exact;
        // exact GEMM: the operands' quantisers write the codes while they quantise (one pass), into these
        bool wide = exactMode && new[] { TensorRole.Activations, TensorRole.Weights, TensorRole.Errors }
            .Any(r => _q[(int)r]!.Spec.Format.Bits > 8);
        CodeSlot? Slot(long[] shape) => exactMode && fusedCodes ? new CodeSlot(CodeTensors.Empty(shape, wide)) : null;
        CodeSlot? xSlot = Slot(x.shape), wSlot = Slot(weight.shape), eSlot = Slot([x.shape[0], weight.shape[0]]);
        QuantizeStage? Stage(TensorRole r, float? fixedScale = null, CodeSlot? codes = null) =>
            _q[(int)r] is { } q ? new QuantizeStage(this, q, step, training, fixedScale, codes) : null;
        var xq = _q[(int)TensorRole.Activations] is null ? x : QuantizeFunction.apply(x, Stage(TensorRole.Activations, codes: xSlot)!, null!);
        var wq = _q[(int)TensorRole.Weights] is null && _q[(int)TensorRole.Gradients] is null
            ? weight
            : QuantizeFunction.apply(weight, Stage(TensorRole.Weights, storedWMax, wSlot)!, Stage(TensorRole.Gradients)!);
        Tensor y;
        if (!exactMode) y = fast(xq, wq);
        else
        {
            if (exact is null) throw new NotSupportedException("this operation has no exact (LNS datapath) form; use --gemm fast.");
            var call = new ExactGemmCall(_backend, _q[(int)TensorRole.Activations]!.LastFormat, _q[(int)TensorRole.Weights]!.LastFormat,
                _q[(int)TensorRole.Errors]!, Settings.AccumulatorBits, Settings.FractionBits, x.requires_grad,
                g => { if (training) AddGemm(g); }, xSlot, wSlot, eSlot);
            y = exact(xq, wq, call);
        }
        return _q[(int)TensorRole.Errors] is null ? y : QuantizeFunction.apply(y, null!, Stage(TensorRole.Errors, codes: eSlot)!);
    }

    /// <summary>The running maximum of <paramref name="role"/>'s quantiser (NaN until set).</summary>
    public float RunningScale(TensorRole role) => Span[ScaleSlot + (int)role] is var v && v < 0 ? float.NaN : (float)v;

    private const double Unset = -1.0;

    /// <summary>Adds a training call's counts of <paramref name="role"/>'s quantiser, and moves its running maximum.</summary>
    internal void Record(TensorRole role, QuantizeStats stats, float maxAbs, bool running)
    {
        var s = Span;
        int b = StatsSlot + 4 * (int)role;
        s[b] += stats.Elements;
        s[b + 1] += stats.Saturated;
        s[b + 2] += stats.Underflowed;
        s[b + 3] += stats.NonFinite;
        if (running && float.IsFinite(maxAbs)) s[ScaleSlot + (int)role] = TensorQuantizer.NextRunningScale(RunningScale(role), maxAbs);
    }

    private void AddGemm(GemmStats g)
    {
        var s = Span;
        s[GemmSlot] += g.Macs;
        s[GemmSlot + 1] += g.Saturations;
        s[GemmSlot + 2] += g.Truncated;
    }
}
