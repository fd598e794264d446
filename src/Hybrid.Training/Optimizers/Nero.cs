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
/// </remarks>
public sealed class Nero : HybridOptimizer<Nero.Options, Nero.State>
{
    /// <summary>Creates Nero over <paramref name="parameters"/>.</summary>
    public Nero(IEnumerable<Parameter> parameters, double lr = 0.01, double beta = 0.999, bool constraints = true)
        : this([new ParamGroup(parameters)], lr, beta, constraints) { }

    /// <summary>Creates Nero over parameter groups.</summary>
    public Nero(IEnumerable<ParamGroup> parameters, double lr = 0.01, double beta = 0.999, bool constraints = true)
        : base(parameters, new Options { LearningRate = lr, InitialLearningRate = lr, beta = beta, constraints = constraints })
    {
    }

    /// <summary>Per-row norms as a [rows, 1, …] tensor for ≥2-D x, |x| for 1-D x.</summary>
    public static Tensor NeuronNorm(Tensor x)
    {
        if (x.dim() <= 1) return x.abs();
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        return x.reshape(x.shape[0], -1).norm(1, keepdim: false).reshape(shape);
    }

    /// <summary>Per-row means as a [rows, 1, …] tensor (≥2-D x only).</summary>
    public static Tensor NeuronMean(Tensor x)
    {
        if (x.dim() <= 1) throw new ArgumentException("neuron mean is defined for tensors of 2 or more dimensions.");
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        return x.reshape(x.shape[0], -1).mean([1]).reshape(shape);
    }

    /// <summary>Projects every row of a ≥2-D tensor to zero mean and unit norm, in place.</summary>
    public static void Project(Tensor p)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        p.sub_(NeuronMean(p)); // sub_(Tensor) takes no alpha Scalar; add_(Tensor) would (TorchScalars)
        p.div_(NeuronNorm(p));
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double lr = o.LearningRate!.Value, beta = o.beta!.Value;
        bool constraints = o.constraints!.Value;
        foreach (var p in group.Parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            var s = StateOf(p);
            s.step += 1;
            double bc = 1 - Math.Pow(beta, s.step);
            // every Scalar lives to the end of the block (TorchScalars: implicit ones can be freed mid-call)
            using Scalar b = beta.ToScalar(), a = (1 - beta).ToScalar(), bcS = bc.ToScalar(), step = (-lr * s.scale).ToScalar();
            s.exp_avg_sq.mul_(b).add_(NeuronNorm(grad).square(), a);
            var gNormed = grad / (s.exp_avg_sq / bcS).sqrt();
            gNormed.nan_to_num_(0.0, double.PositiveInfinity, double.NegativeInfinity);
            p.add_(gNormed, step);
            if (constraints && p.dim() > 1) Project(p);
        }
    }, closure);

    /// <inheritdoc />
    protected override void Complete(Options o, Options def)
    {
        o.beta ??= def.beta;
        o.constraints ??= def.constraints;
        if (!(o.beta >= 0 && o.beta < 1)) throw new ArgumentException($"beta {o.beta} must be in [0, 1).", "beta");
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options)
    {
        if (options.constraints!.Value && parameter.dim() > 1) Project(parameter);
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

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            (beta, constraints) = (((Options)source).beta, ((Options)source).constraints);
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
            using var norm = NeuronNorm(_parameter.detach());
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
