using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Madam: the multiplicative Adam-style update of Bernstein, Zhao, Meister, Liu, Anandkumar and
/// Yue, "Learning compositional functions via multiplicative weight updates", NeurIPS 2020
/// (arXiv:2006.14560; reference code jxbz/madam), written with TorchSharp tensor ops.
/// </summary>
/// <remarks>
/// Per tensor, with t the tensor's step count and the defaults η = 0.01, p_scale = 3,
/// g_bound = 10, β2 = 0.999 (no β1, no ε, no weight decay):
/// <code>
/// first step:  w_max = p_scale · RMS(w)                  (then fixed)
/// v  ← β2·v + (1−β2)·g²
/// ĝ  ← g / sqrt(v / (1 − β2^t)),  NaN → 0,  clamp to ±g_bound
/// w  ← w ⊙ exp(−η · ĝ ⊙ sign(w)),  then clamp to ±w_max
/// </code>
/// A weight's sign never changes and an exact zero never moves, so zero-initialised biases
/// need another optimiser or a non-zero init. Where v is 0 but g is not (g² underflowed), the
/// reference divides to ±inf and clamps to ±g_bound; so does this class.
/// </remarks>
public sealed class Madam : HybridOptimizer<Madam.Options, Madam.State>
{
    /// <summary>Creates Madam over <paramref name="parameters"/>.</summary>
    public Madam(IEnumerable<Parameter> parameters, double lr = 0.01, double p_scale = 3.0, double g_bound = 10.0,
        double beta2 = 0.999)
        : this([new ParamGroup(parameters)], lr, p_scale, g_bound, beta2) { }

    /// <summary>Creates Madam over parameter groups (each may override the defaults).</summary>
    public Madam(IEnumerable<ParamGroup> parameters, double lr = 0.01, double p_scale = 3.0, double g_bound = 10.0,
        double beta2 = 0.999)
        : base(parameters, new Options { LearningRate = lr, InitialLearningRate = lr, p_scale = p_scale, g_bound = g_bound, beta2 = beta2 })
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double lr = o.LearningRate!.Value, beta2 = o.beta2!.Value, gBound = o.g_bound!.Value;
        foreach (var p in group.Parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            var s = StateOf(p);
            if (s.step == 0) s.w_max = o.p_scale!.Value * p.square().mean().sqrt().item<float>();
            s.step += 1;
            double bc = 1 - Math.Pow(beta2, s.step);
            // every Scalar lives to the end of the block (TorchScalars: implicit ones can be freed mid-call)
            using Scalar b2 = beta2.ToScalar(), a2 = (1 - beta2).ToScalar(), bcS = bc.ToScalar(),
                lo = (-gBound).ToScalar(), hi = gBound.ToScalar(), step = (-lr).ToScalar(),
                wLo = (-s.w_max).ToScalar(), wHi = s.w_max.ToScalar();
            s.exp_avg_sq.mul_(b2).addcmul_(grad, grad, a2);
            var gNormed = grad / (s.exp_avg_sq / bcS).sqrt();
            gNormed.nan_to_num_(0.0, double.PositiveInfinity, double.NegativeInfinity);
            gNormed.clamp_(lo, hi);
            p.mul_((gNormed * p.sign()).mul_(step).exp_());
            p.clamp_(wLo, wHi);
        }
    }, closure);

    /// <inheritdoc />
    protected override void Complete(Options o, Options def)
    {
        o.p_scale ??= def.p_scale;
        o.g_bound ??= def.g_bound;
        o.beta2 ??= def.beta2;
        OptimizerChecks.Madam(o.LearningRate!.Value, o.p_scale!.Value, o.g_bound!.Value, o.beta2!.Value);
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options)
    {
        var s = new State(parameter);
        s.Initialize(options);
        return s;
    }

    /// <summary>Madam's hyperparameters.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>w_max = p_scale · RMS(w at the first step).</summary>
        public double? p_scale;
        /// <summary>Bound on the normalised gradient.</summary>
        public double? g_bound;
        /// <summary>Second-moment decay.</summary>
        public double? beta2;

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            var o = (Options)source;
            (p_scale, g_bound, beta2) = (o.p_scale, o.g_bound, o.beta2);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            p_scale = reader.ReadDouble();
            g_bound = reader.ReadDouble();
            beta2 = reader.ReadDouble();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(p_scale!.Value);
            writer.Write(g_bound!.Value);
            writer.Write(beta2!.Value);
        }
    }

    /// <summary>Per-parameter state: step count, second moment, the clamp.</summary>
    public sealed class State(Parameter parameter) : OptimizerState(parameter), IDisposable
    {
        /// <summary>Steps taken.</summary>
        public long step;
        /// <summary>Second moment v.</summary>
        public Tensor exp_avg_sq = null!;
        /// <summary>p_scale · RMS(w0); fixed after the first step.</summary>
        public double w_max;

        /// <inheritdoc />
        public override void Initialize(OptimizerOptions options)
        {
            step = 0;
            w_max = 0;
            exp_avg_sq = torch.zeros_like(_parameter).DetachFromDisposeScope();
        }

        /// <inheritdoc />
        public void Dispose() => exp_avg_sq?.Dispose();

        /// <inheritdoc />
        public override void to(Device device) => exp_avg_sq = exp_avg_sq.to(device);

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            step = reader.ReadInt64();
            w_max = reader.ReadDouble();
            exp_avg_sq.Load(reader);
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(step);
            writer.Write(w_max);
            exp_avg_sq.Save(writer);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            var s = (State)source;
            exp_avg_sq.Dispose();
            (step, w_max, exp_avg_sq) = (s.step, s.w_max, s.exp_avg_sq);
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.step == step && s.w_max == w_max && s.exp_avg_sq.allclose(exp_avg_sq);
    }

    /// <summary>A parameter group with its own Madam options.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group.</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options (null values take the optimiser's defaults).</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }

        /// <summary>A group with these hyperparameters.</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, double lr, double p_scale = 3.0, double g_bound = 10.0, double beta2 = 0.999)
            : base(parameters, new Options { LearningRate = lr, p_scale = p_scale, g_bound = g_bound, beta2 = beta2 }) { }
    }
}
