using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Fromage ("Frobenius matched gradient descent"): Bernstein, Vahdat, Yue and Liu, "On the
/// distance between two neural networks and the stability of learning", NeurIPS 2020
/// (arXiv:2002.03432; reference code jxbz/fromage).
/// </summary>
/// <remarks>
/// Per tensor, with η = 0.01 by default (0.001 for fine-tuning):
/// <code>
/// w ← (w − η · (‖w‖/‖g‖) · g) / sqrt(1 + η²)     (plain w − η·g when ‖w‖ or ‖g‖ is 0)
/// </code>
/// The update's relative size ‖Δw‖/‖w‖ is η, the step deep relative trust calls for. With
/// <c>p_bound</c>, a tensor whose norm grows past p_bound × its norm at the first step is
/// rescaled back to that bound.
/// </remarks>
public sealed class Fromage : HybridOptimizer<Fromage.Options, Fromage.State>
{
    /// <summary>Creates Fromage over <paramref name="parameters"/>.</summary>
    public Fromage(IEnumerable<Parameter> parameters, double lr = 0.01, double? p_bound = null)
        : this([new ParamGroup(parameters)], lr, p_bound) { }

    /// <summary>Creates Fromage over parameter groups.</summary>
    public Fromage(IEnumerable<ParamGroup> parameters, double lr = 0.01, double? p_bound = null)
        : base(parameters, new Options { LearningRate = lr, InitialLearningRate = lr, p_bound = p_bound ?? double.PositiveInfinity })
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double lr = o.LearningRate!.Value, pBound = o.p_bound!.Value;
        foreach (var p in group.Parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            var s = StateOf(p);
            bool bounded = double.IsFinite(pBound);
            if (bounded && !s.initialised) s.max_norm = pBound * p.norm().item<float>();
            s.initialised = true;
            double pNorm = p.norm().item<float>(), gNorm = grad.norm().item<float>();
            double scale = pNorm > 0 && gNorm > 0 ? pNorm / gNorm : 1.0;
            // every Scalar lives to the end of the block (TorchScalars: implicit ones can be freed mid-call)
            using Scalar step = (-lr * scale).ToScalar(), shrink = Math.Sqrt(1 + lr * lr).ToScalar();
            p.add_(grad, step);
            p.div_(shrink);
            if (bounded)
            {
                double norm = p.norm().item<float>();
                using Scalar back = (s.max_norm / Math.Max(norm, double.Epsilon)).ToScalar();
                if (norm > s.max_norm) p.mul_(back);
            }
        }
    }, closure);

    /// <inheritdoc />
    protected override void Complete(Options o, Options def)
    {
        o.p_bound ??= def.p_bound;
        // +inf (the default) is "no bound"; 0 would collapse every tensor, so it is an error like any other value <= 0
        if (!(o.p_bound > 0))
            throw new ArgumentException($"p_bound {o.p_bound} must be > 0 (or unset for no bound).", "p_bound");
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options) => new(parameter);

    /// <summary>Fromage's hyperparameters. p_bound +∞ (the default) means no bound.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>Norm bound as a multiple of the first-step norm; 0 = none.</summary>
        public double? p_bound;

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            p_bound = ((Options)source).p_bound;
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            p_bound = reader.ReadDouble();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(p_bound!.Value);
        }
    }

    /// <summary>Per-parameter state: the norm bound, fixed at the first step.</summary>
    public sealed class State(Parameter parameter) : OptimizerState(parameter), IDisposable
    {
        /// <summary>Whether the first step has happened.</summary>
        public bool initialised;
        /// <summary>p_bound × the first-step norm.</summary>
        public double max_norm;

        /// <inheritdoc />
        public override void Initialize(OptimizerOptions options) => (initialised, max_norm) = (false, 0);
        /// <inheritdoc />
        public void Dispose() { }
        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader) => (initialised, max_norm) = (reader.ReadBoolean(), reader.ReadDouble());
        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(initialised);
            writer.Write(max_norm);
        }
        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source) =>
            (initialised, max_norm) = (((State)source).initialised, ((State)source).max_norm);
        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.initialised == initialised && s.max_norm == max_norm;
    }

    /// <summary>A parameter group with its own Fromage options.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group.</summary>
        public ParamGroup() { }
        /// <summary>A group with explicit options (null values take the optimiser's defaults).</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }
}
