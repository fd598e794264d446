using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Nero: Liu, Bernstein, Meister and Yue, "Learning by turning: neural architecture aware
/// optimisation", ICML 2021 (arXiv:2102.07227; reference code jxbz/nero).
/// </summary>
/// <remarks>
/// Defaults η = 0.01, β = 0.999, constraints on. A tensor of two or more dimensions is handled
/// per neuron (per row of its first dimension): with constraints on, each row is projected to
/// zero mean and unit norm when the optimiser is created (this changes the parameter) and after
/// every step. Per row, with bias correction 1 − β^t:
/// <code>
/// v_r ← β·v_r + (1−β)·‖g_r‖²
/// w_r ← w_r − η · scale · g_r / sqrt(v_r / (1 − β^t))      (NaN → 0)
/// </code>
/// 1-D tensors (biases, gains) are updated per element (v per element) and never projected;
/// their scale is the mean initial |w| (0.01 when that is 0); for ≥2-D tensors the scale is the
/// mean initial row norm (1 after projection).
/// <para>Ensembles: with <c>ensembleDims</c> = e &gt; 0 the first e dimensions of every tensor index
/// ensemble members (a [k, out, in] weight holds k layers, one per member), so a "row" is indexed
/// by the first e + 1 dimensions, and tensors of e + 1 or fewer dimensions are per-element ones.
/// Each member's rows then get exactly the step (and projection, and second moment) that Nero
/// would give that member's own [out, in] weight; only the per-tensor scale is pooled over
/// members (it is 1 for every projected tensor, so with constraints on the ensemble is exactly k
/// independent Nero runs). The option is structural, fixed by the constructor; it is not written
/// to saved state, so the state format is unchanged.</para>
/// </remarks>
public sealed class Nero : HybridOptimizer<Nero.Options, Nero.State>
{
    /// <summary>Creates Nero over <paramref name="parameters"/>.</summary>
    public Nero(IEnumerable<Parameter> parameters, double lr = 0.01, double beta = 0.999, bool constraints = true,
        int ensembleDims = 0)
        : this([new ParamGroup(parameters)], lr, beta, constraints, ensembleDims) { }

    /// <summary>Creates Nero over parameter groups.</summary>
    public Nero(IEnumerable<ParamGroup> parameters, double lr = 0.01, double beta = 0.999, bool constraints = true,
        int ensembleDims = 0)
        : base(parameters, new Options
        {
            LearningRate = lr, InitialLearningRate = lr, beta = beta, constraints = constraints, ensembleDims = ensembleDims,
        })
    {
    }

    /// <summary>Per-row norms as a [rows, 1, …] tensor for ≥2-D x, |x| for 1-D x.</summary>
    public static Tensor NeuronNorm(Tensor x) => NeuronNorm(x, 0);

    /// <summary>Per-row norms, a row being indexed by the first <paramref name="ensembleDims"/> + 1
    /// dimensions ([k, rows, 1, …] for one ensemble dimension); |x| for tensors of at most that many dimensions.</summary>
    public static Tensor NeuronNorm(Tensor x, int ensembleDims)
    {
        int lead = ensembleDims + 1;
        if (x.dim() <= lead) return x.abs();
        return x.reshape(RowsShape(x, lead, -1)).norm(lead, keepdim: false).reshape(RowsShape(x, lead, 1));
    }

    /// <summary>Per-row means as a [rows, 1, …] tensor (≥2-D x only).</summary>
    public static Tensor NeuronMean(Tensor x) => NeuronMean(x, 0);

    /// <summary>Per-row means, a row being indexed by the first <paramref name="ensembleDims"/> + 1 dimensions
    /// (tensors of more than that many dimensions only).</summary>
    public static Tensor NeuronMean(Tensor x, int ensembleDims)
    {
        int lead = ensembleDims + 1;
        if (x.dim() <= lead)
            throw new ArgumentException($"neuron mean is defined for tensors of {lead + 1} or more dimensions.");
        return x.reshape(RowsShape(x, lead, -1)).mean([lead]).reshape(RowsShape(x, lead, 1));
    }

    /// <summary>Projects every row of a ≥2-D tensor to zero mean and unit norm, in place.</summary>
    public static void Project(Tensor p) => Project(p, 0);

    /// <summary>Projects every row (indexed by the first <paramref name="ensembleDims"/> + 1 dimensions) to zero
    /// mean and unit norm, in place.</summary>
    public static void Project(Tensor p, int ensembleDims)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        p.sub_(NeuronMean(p, ensembleDims));
        p.div_(NeuronNorm(p, ensembleDims));
    }

    // The leading `lead` sizes of x, then `rest`: -1 (flatten the rest) or 1 (one per remaining dimension).
    private static long[] RowsShape(Tensor x, int lead, long rest)
    {
        var shape = new long[rest == -1 ? lead + 1 : x.dim()];
        for (int i = 0; i < shape.Length; ++i) shape[i] = i < lead ? x.shape[i] : rest;
        return shape;
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double lr = o.LearningRate!.Value, beta = o.beta!.Value;
        bool constraints = o.constraints!.Value;
        int ens = o.ensembleDims!.Value;
        foreach (var p in group.Parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            var s = StateOf(p);
            s.step += 1;
            double bc = 1 - Math.Pow(beta, s.step);
            // every Scalar lives to the end of the block (TorchScalars: implicit ones can be freed mid-call)
            using Scalar b = beta.ToScalar(), a = (1 - beta).ToScalar(), bcS = bc.ToScalar(), step = (-lr * s.scale).ToScalar();
            s.exp_avg_sq.mul_(b).add_(NeuronNorm(grad, ens).square(), a);
            var gNormed = grad / (s.exp_avg_sq / bcS).sqrt();
            gNormed.nan_to_num_(0.0, double.PositiveInfinity, double.NegativeInfinity);
            p.add_(gNormed, step);
            if (constraints && p.dim() > ens + 1) Project(p, ens);
        }
    }, closure);

    /// <inheritdoc />
    protected override void Complete(Options o, Options def)
    {
        o.beta ??= def.beta;
        o.constraints ??= def.constraints;
        o.ensembleDims ??= def.ensembleDims ?? 0;
        if (!(o.beta >= 0 && o.beta < 1)) throw new ArgumentException($"beta {o.beta} must be in [0, 1).", "beta");
        if (o.ensembleDims < 0) throw new ArgumentException($"ensembleDims {o.ensembleDims} must be >= 0.", "ensembleDims");
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options)
    {
        int ens = options.ensembleDims!.Value;
        if (options.constraints!.Value && parameter.dim() > ens + 1) Project(parameter, ens);
        var s = new State(parameter);
        s.Initialize(options);
        return s;
    }

    /// <summary>Nero's hyperparameters.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>Second-moment decay (0.999).</summary>
        public double? beta;
        /// <summary>Whether rows of ≥2-D tensors are kept at zero mean and unit norm.</summary>
        public bool? constraints;
        /// <summary>Leading dimensions that index ensemble members (0: none). Structural: set by the
        /// constructor, not saved with the state.</summary>
        public int? ensembleDims;

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            (beta, constraints, ensembleDims) = (((Options)source).beta, ((Options)source).constraints, ((Options)source).ensembleDims);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            beta = reader.ReadDouble();
            constraints = reader.ReadBoolean();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(beta!.Value);
            writer.Write(constraints!.Value);
        }
    }

    /// <summary>Per-parameter state: step, per-neuron second moment, the scale.</summary>
    public sealed class State(Parameter parameter) : OptimizerState(parameter), IDisposable
    {
        /// <summary>Steps taken.</summary>
        public long step;
        /// <summary>Per-row (≥2-D) or per-element (1-D) second moment.</summary>
        public Tensor exp_avg_sq = null!;
        /// <summary>Mean initial neuron norm (or |w| for 1-D); 0.01 when that is 0.</summary>
        public double scale;

        /// <inheritdoc />
        public override void Initialize(OptimizerOptions options)
        {
            step = 0;
            using var scope = torch.NewDisposeScope();
            using var norm = NeuronNorm(_parameter.detach(), ((Options)options).ensembleDims ?? 0);
            exp_avg_sq = torch.zeros_like(norm).DetachFromDisposeScope();
            scale = norm.mean().item<float>();
            if (scale == 0.0) scale = 0.01;
        }

        /// <inheritdoc />
        public void Dispose() => exp_avg_sq?.Dispose();
        /// <inheritdoc />
        public override void to(Device device) => exp_avg_sq = exp_avg_sq.to(device);

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            step = reader.ReadInt64();
            scale = reader.ReadDouble();
            exp_avg_sq.Load(reader);
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(step);
            writer.Write(scale);
            exp_avg_sq.Save(writer);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            var s = (State)source;
            exp_avg_sq.Dispose();
            (step, scale, exp_avg_sq) = (s.step, s.scale, s.exp_avg_sq);
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.step == step && s.scale == scale && s.exp_avg_sq.allclose(exp_avg_sq);
    }

    /// <summary>A parameter group with its own Nero options.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group.</summary>
        public ParamGroup() { }
        /// <summary>A group with explicit options (null values take the optimiser's defaults).</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }
}
