using Hybrid.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Hybrid.Training.Layers;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Adam normalised in the modular norm (Large, Bernstein et al., "Scalable Optimization in the Modular Norm",
/// NeurIPS 2024, arXiv:2405.14813; reference code jxbz/modula, <c>paper/main.py</c> with <c>--normalize 1</c>, and
/// <c>modula/abstract.py</c>, <c>modula/atom.py</c>, <c>modula/bond.py</c>; modula-systems/modula is its successor):
/// Adam's direction for every layer, rescaled so that the whole update has modular norm lr.
/// </summary>
/// <remarks>
/// <para>The modular norm of an MLP (<see cref="ModularMlp"/>): every linear layer k is an atom of mass 1 and
/// sensitivity 1 whose norm, for our <c>nn.Linear</c> weights W [fan_out, fan_in], is
/// ‖W‖ₖ = sqrt(fan_in/fan_out) · σ_max(W) (modula's <c>Linear</c> computes scale·W·x with scale = sqrt(fan_out/fan_in)
/// and normalises its own weight in the spectral norm; modula-systems' <c>Linear.dualize</c> writes the same
/// norm in our coordinates). Activations are bonds: mass 0, sensitivity 1/√2 for ReLU and GELU and 1 for
/// relu·√2 (jxbz/modula's <c>ReLU</c>, <c>GELU</c>, <c>ScaledReLU</c>; modula-systems sets ReLU's to 1), 1 for
/// tanh and flatten (ours: both are 1-Lipschitz; modula has no tanh). Composition splits a target norm by
/// mass and divides the earlier part's share by the later part's sensitivity (<c>CompositeModule.normalize</c>),
/// so with L layers layer k's share of lr is sₖ = (1/L) / Πⱼ sensⱼ over every module after layer k, and the
/// network's modular norm, maxₖ ‖ΔWₖ‖ₖ / sₖ, of the normalised update is lr.</para>
/// <para>Per step, with t the step index from 0 and defaults lr 0.5, β1 = 0.9, β2 = 0.99, no decay (<c>main.py</c>'s
/// defaults except weight decay, which every published sweep, <c>paper/sweep/*.sh</c>, sets to 0):
/// <code>
/// m ← m + (1−β1)^(t/(t+1)) · (g − m),   v ← v + (1−β2)^(t/(t+1)) · (g² − v)      (main.py's moments)
/// U = m / sqrt(v),  NaN → 0                                                   (no ε, as main.py)
/// weight:  W ← W − lr·sₖ · sqrt(fan_out/fan_in) · U / σ̂(U)
/// bias:    b ← b − lr·sₖ · sqrt(d) · U / ‖U‖₂
/// then     w ← w · (1 − lr·sₖ·wd)                                             (modula's regularize)
/// </code>
/// σ̂ is modula's estimate of σ_max: one step of power iteration per update, warm-started from the previous
/// step's vector (<c>Linear.normalize</c>: v = U·u, v ← v/‖v‖, u ← Uᵀ·v, σ̂ = ‖u‖), u drawn from N(0, 1) at the
/// start (seeded here; <see cref="Options.power_iterations"/> allows more steps).</para>
/// <para>Where the choice is ours: biases (modula's atoms have none) are the same layer's atom acting on a
/// constant input 1 (fan_in 1), so their norm is ‖b‖₂/√d and they take their layer's share; the weights keep
/// the model's own initialisation (modula initialises orthogonally with its scale; the catalog's optimisers share
/// one model); an update whose norm is 0 or not finite is not taken (modula would divide by it); only MLPs of
/// linear layers and the bonds above are accepted (no convolutions, pools or residual adds).</para>
/// </remarks>
public sealed class ModularAdam : HybridOptimizer<ModularAdam.Options, ModularAdam.State>
{
    /// <summary>Creates modular Adam over parameter groups, one per layer, each with its share of the modular norm.</summary>
    public ModularAdam(IEnumerable<ParamGroup> groups, double lr = 0.5, double beta1 = 0.9, double beta2 = 0.99,
        double weight_decay = 0, int power_iterations = 1, ulong seed = 0)
        : base(groups, new Options
        {
            LearningRate = lr, InitialLearningRate = lr, beta1 = beta1, beta2 = beta2, weight_decay = weight_decay, share = 1.0,
            power_iterations = power_iterations, seed = seed,
        })
    {
    }

    /// <summary>Modular Adam for an MLP (<see cref="ModularMlp.Layers"/>): one group per linear layer.</summary>
    /// <exception cref="ArgumentException">The model is not an MLP modular Adam understands (the message names the module).</exception>
    public static ModularAdam ForMlp(nn.Module model, double lr = 0.5, double beta1 = 0.9, double beta2 = 0.99,
        double weight_decay = 0, int power_iterations = 1, ulong seed = 0)
    {
        var groups = ModularMlp.Layers(model)
            .Select(l => new ParamGroup(l.Bias is null ? [l.Weight] : [l.Weight, l.Bias], new Options { share = l.Share }))
            .ToList();
        return new ModularAdam(groups, lr, beta1, beta2, weight_decay, power_iterations, seed);
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double target = o.LearningRate!.Value * o.share!.Value, wd = o.weight_decay!.Value;
        foreach (var p in group.Parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            var s = StateOf(p);
            double t = s.step;
            using var r1 = Rate(Math.Pow(1 - o.beta1!.Value, t / (t + 1)), grad);
            using var r2 = Rate(Math.Pow(1 - o.beta2!.Value, t / (t + 1)), grad);
            s.exp_avg.lerp_(grad, r1);
            s.exp_avg_sq.lerp_(grad.square(), r2);
            s.step += 1;
            var u = (s.exp_avg / s.exp_avg_sq.sqrt()).nan_to_num_(0.0, double.PositiveInfinity, double.NegativeInfinity);
            double factor = p.dim() >= 2
                ? target * Math.Sqrt(p.shape[0] / (double)(p.numel() / p.shape[0])) / SpectralNormEstimate(u, s, o.power_iterations!.Value)
                : target * Math.Sqrt(p.numel()) / u.norm().item<float>();
            if (double.IsFinite(factor) && factor > 0)
            {
                using Scalar step = (-factor).ToScalar(); // lives through the native call (TorchScalars)
                p.add_(u, step);
            }
            if (wd != 0)
            {
                using Scalar keep = (1 - target * wd).ToScalar();
                p.mul_(keep);
            }
        }
    }, closure);

    // modula's Linear.normalize: v = U·u, v ← v/‖v‖, u ← Uᵀ·v, σ̂ = ‖u‖ (u persists across steps).
    private static double SpectralNormEstimate(Tensor update, State s, int iterations)
    {
        var m = update.reshape(update.shape[0], -1);
        double sigma = 0;
        for (int i = 0; i < iterations; ++i)
        {
            var v = m.mv(s.u!);
            var vn = v.norm().item<float>();
            if (!(vn > 0) || !float.IsFinite(vn)) return 0; // a zero or non-finite update: not taken, u kept
            using (var vnScalar = vn.ToScalar()) v.div_(vnScalar);
            var next = m.t().mv(v);
            s.u!.copy_(next);
            sigma = next.norm().item<float>();
        }
        return sigma;
    }

    private static Tensor Rate(double w, Tensor like) => torch.tensor(w, dtype: like.dtype, device: like.device);

    /// <inheritdoc />
    protected override void Complete(Options o, Options def)
    {
        o.beta1 ??= def.beta1;
        o.beta2 ??= def.beta2;
        o.weight_decay ??= def.weight_decay;
        o.share ??= def.share;
        o.power_iterations ??= def.power_iterations;
        o.seed ??= def.seed;
        if (!(o.beta1 >= 0 && o.beta1 < 1)) throw new ArgumentException($"beta1 {o.beta1} must be in [0, 1).", "beta1");
        if (!(o.beta2 >= 0 && o.beta2 < 1)) throw new ArgumentException($"beta2 {o.beta2} must be in [0, 1).", "beta2");
        if (!(o.weight_decay >= 0) || !double.IsFinite(o.weight_decay!.Value))
            throw new ArgumentException($"weight_decay {o.weight_decay} must be finite and >= 0.", "weight_decay");
        if (!(o.share > 0) || !double.IsFinite(o.share!.Value)) throw new ArgumentException($"share {o.share} must be finite and > 0.", "share");
        if (o.power_iterations is not (>= 1 and <= 1000))
            throw new ArgumentException($"power_iterations {o.power_iterations} must be in [1, 1000].", "power_iterations");
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options)
    {
        var s = new State(parameter);
        s.Initialize(options);
        if (parameter.dim() >= 2)
        {
            // modula: u = randn_like(weight[0]), one per layer; seeded by (seed, the parameter's place)
            var gen = new torch.Generator(options.seed!.Value * 1_000_003UL + (ulong)_state.Count);
            s.u = torch.randn(parameter.numel() / parameter.shape[0], generator: gen, dtype: parameter.dtype)
                .to(parameter.device).DetachFromDisposeScope();
            gen.Dispose();
        }
        return s;
    }

    /// <summary>Modular Adam's hyperparameters (per group: one group per layer).</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>First-moment rate base (0.9).</summary>
        public double? beta1;
        /// <summary>Second-moment rate base (0.99).</summary>
        public double? beta2;
        /// <summary>Weight decay, w ← w·(1 − lr·share·wd) (0).</summary>
        public double? weight_decay;
        /// <summary>The layer's share sₖ of the modular norm (1 for a one-layer network).</summary>
        public double? share;
        /// <summary>Power-iteration steps per update for σ̂ (1, modula's).</summary>
        public int? power_iterations;
        /// <summary>Seed of the power iteration's start vectors. Structural: used when states are created, not saved.</summary>
        public ulong? seed;

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            var s = (Options)source;
            (beta1, beta2, weight_decay, share, power_iterations, seed) = (s.beta1, s.beta2, s.weight_decay, s.share, s.power_iterations, s.seed);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            beta1 = reader.ReadDouble();
            beta2 = reader.ReadDouble();
            weight_decay = reader.ReadDouble();
            double saved = reader.ReadDouble();
            if (share is { } own && own != saved)
                throw new InvalidDataException($"saved modular-adam state has layer share {saved}, this network's is {own}: a different network.");
            share = saved;
            power_iterations = reader.ReadInt32();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(beta1!.Value);
            writer.Write(beta2!.Value);
            writer.Write(weight_decay!.Value);
            writer.Write(share!.Value);
            writer.Write(power_iterations!.Value);
        }
    }

    /// <summary>Per-parameter state: step, the two moments, and (weights) the power iteration's vector.</summary>
    public sealed class State(Parameter parameter) : OptimizerState(parameter), IDisposable
    {
        /// <summary>Steps taken.</summary>
        public long step;
        /// <summary>First moment m.</summary>
        public Tensor exp_avg = null!;
        /// <summary>Second moment v.</summary>
        public Tensor exp_avg_sq = null!;
        /// <summary>The power iteration's vector (fan_in entries; null for a bias).</summary>
        public Tensor? u;

        /// <inheritdoc />
        public override void Initialize(OptimizerOptions options)
        {
            step = 0;
            exp_avg = torch.zeros_like(_parameter).DetachFromDisposeScope();
            exp_avg_sq = torch.zeros_like(_parameter).DetachFromDisposeScope();
        }

        /// <inheritdoc />
        public void Dispose()
        {
            exp_avg?.Dispose();
            exp_avg_sq?.Dispose();
            u?.Dispose();
        }

        /// <inheritdoc />
        public override void to(Device device)
        {
            exp_avg = exp_avg.to(device);
            exp_avg_sq = exp_avg_sq.to(device);
            u = u?.to(device);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            step = reader.ReadInt64();
            exp_avg.Load(reader);
            exp_avg_sq.Load(reader);
            bool hasU = reader.ReadBoolean();
            if (hasU != u is not null)
                throw new InvalidDataException($"saved modular-adam state {(hasU ? "has" : "lacks")} a power-iteration vector; this parameter's {(u is null ? "does not" : "does")}.");
            u?.Load(reader);
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(step);
            exp_avg.Save(writer);
            exp_avg_sq.Save(writer);
            writer.Write(u is not null);
            u?.Save(writer);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            var s = (State)source;
            Dispose();
            (step, exp_avg, exp_avg_sq, u) = (s.step, s.exp_avg, s.exp_avg_sq, s.u);
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.step == step && s.exp_avg.allclose(exp_avg) && s.exp_avg_sq.allclose(exp_avg_sq) &&
            (u is null ? s.u is null : s.u is not null && s.u.allclose(u));
    }

    /// <summary>A parameter group (one layer) with its own options.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group.</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options (null values take the optimiser's defaults).</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }
}

/// <summary>
/// The modular structure of an MLP for <see cref="ModularAdam"/>: its linear layers in order, each with its share
/// of the modular norm (see <see cref="ModularAdam"/>'s remarks).
/// </summary>
public static class ModularMlp
{
    /// <summary>One linear layer: its weight [fan_out, fan_in], bias, and share sₖ = (1/L) / Π sensitivities after it.</summary>
    public sealed record Layer(string Name, Parameter Weight, Parameter? Bias, double Share);

    /// <summary>The sensitivity of a parameter-free module (a bond), or null when modular Adam does not know it.</summary>
    public static double? Sensitivity(nn.Module module) => module switch
    {
        ReLU or GELU => 1 / Math.Sqrt(2),
        ReluSqrt2 or Tanh or Flatten or Identity => 1.0,
        _ => null,
    };

    /// <summary>The layers of a <c>Sequential</c> MLP (flatten, linear layers and the activations above).</summary>
    /// <exception cref="ArgumentException">Another module kind, a residual model, or a parameter outside a linear layer.</exception>
    public static IReadOnlyList<Layer> Layers(nn.Module model)
    {
        if (model is not Sequential)
            throw new ArgumentException(
                $"modular-adam normalises MLPs (a Sequential of linear layers and activations); got a {model.GetType().Name}.", "model");
        var chain = new List<(string Name, Linear? Linear, double Sensitivity)>();
        foreach (var (name, child) in model.named_children())
        {
            if (child is Linear linear) chain.Add((name, linear, 1.0));
            else if (Sensitivity(child) is { } sens)
            {
                if (child.parameters().Any()) throw new ArgumentException($"modular-adam: module '{name}' has parameters but is not a linear layer.", "model");
                chain.Add((name, null, sens));
            }
            else
                throw new ArgumentException(
                    $"modular-adam: module '{name}' ({child.GetType().Name}) is not a linear layer or a known activation " +
                    "(relu, gelu, relu-sqrt2, tanh, flatten).", "model");
        }
        int count = chain.Count(c => c.Linear is not null);
        if (count == 0) throw new ArgumentException("modular-adam: the model has no linear layer.", "model");
        var layers = new List<Layer>();
        double after = 1.0; // product of sensitivities of everything after the current module
        for (int i = chain.Count - 1; i >= 0; --i)
        {
            var (name, linear, sens) = chain[i];
            if (linear is not null) layers.Add(new Layer(name, linear.weight!, linear.bias, 1.0 / count / after));
            after *= sens;
        }
        layers.Reverse();
        return layers;
    }
}
