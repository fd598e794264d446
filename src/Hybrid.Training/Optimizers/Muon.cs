using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Muon, "MomentUm Orthogonalized by Newton–Schulz" (Jordan, Jin, Boza, You, Cesista, Newhouse and Bernstein, 2024;
/// reference code KellerJordan/Muon <c>muon.py</c>, <c>SingleDeviceMuonWithAuxAdam</c>): orthogonalised momentum
/// for hidden weight matrices, AdamW for every other parameter, in one optimiser with two kinds of parameter group.
/// </summary>
/// <remarks>
/// Muon groups (<see cref="Options.use_muon"/> true), defaults lr 0.02, β = 0.95, Nesterov, 5 steps, no decay:
/// <code>
/// m ← β·m + (1−β)·g                         (the reference's momentum.lerp_(grad, 1 − β))
/// u = (1−β)·g + β·m  (Nesterov; else u = m)
/// O = NS5(u)  (≥3-D u is viewed as [rows, rest] first)
/// W ← W·(1 − lr·wd) − lr · sqrt(max(1, rows/cols)) · O
/// </code>
/// NS5 (<see cref="NewtonSchulz5"/>): on the transpose when rows &gt; cols, X ← u/(‖u‖_F + 1e-7), then five times
/// A = X·Xᵀ, X ← a·X + (b·A + c·A·A)·X with (a, b, c) = (3.4445, −4.7750, 2.0315), the reference's coefficients;
/// its singular values land near, not at, 1 (for σᵢ/‖u‖_F in [0.01, 0.99] they end in [0.68, 1.14]).
/// rows/cols are the gradient's last two dimensions, as the reference takes them (for a 4-D convolution filter that
/// is the kernel's height/width, so its scale is 1).
/// <para>AdamW groups (use_muon false), defaults lr 3e-4, (β1, β2) = (0.9, 0.95), ε = 1e-10, no decay (the
/// reference's <c>adam_update</c>): m ← lerp(m, g, 1−β1), v ← lerp(v, g², 1−β2),
/// W ← W·(1 − lr·wd) − lr · (m/(1−β1^t)) / (sqrt(v/(1−β2^t)) + ε).</para>
/// <para>Which parameters are Muon's: the README's "hidden weights", every ≥2-D parameter except the input layer
/// and the output layer (<see cref="HiddenMatrices"/>: the first and the last ≥2-D parameter in the model's order);
/// the rest (input layer, head, biases, gains) go to AdamW.</para>
/// <para>Where the choice is ours: the Newton–Schulz iteration runs in the parameter's dtype (float32 here; the
/// reference uses bfloat16 on GPUs); a parameter without a gradient is skipped (the reference substitutes zeros
/// to keep its distributed ranks in step, which for a single device changes only the momentum's decay); the
/// AdamW groups' default lr is tied to Muon's (<see cref="AuxLrRatio"/> · lr, so 3e-4 at the default 0.02) so that a
/// sweep over lr scales both kinds of group, as a schedule does; the weight decay default is the class default 0
/// (the README's example uses 0.01).</para>
/// </remarks>
public sealed class Muon : HybridOptimizer<Muon.Options, Muon.State>
{
    /// <summary>The reference's quintic coefficients (a, b, c).</summary>
    public const double A = 3.4445, B = -4.7750, C = 2.0315;

    /// <summary>The reference's ε in X ← u/(‖u‖_F + ε).</summary>
    public const double NormEps = 1e-7;

    /// <summary>AdamW's lr over Muon's at the defaults: 3e-4 / 0.02.</summary>
    public const double AuxLrRatio = 3e-4 / 0.02;

    // process-lifetime Scalars for the iteration (an implicit one per call could be freed mid-call: TorchScalars)
    private static readonly Scalar SA = A.ToScalar(), SB = B.ToScalar(), SC = C.ToScalar(), SEps = NormEps.ToScalar();

    /// <summary>Creates Muon over parameter groups (each says whether it is a Muon group; unset options take these defaults).</summary>
    public Muon(IEnumerable<ParamGroup> groups, double lr = 0.02, double momentum = 0.95, bool nesterov = true, int ns_steps = 5,
        double weight_decay = 0, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-10)
        : base(groups, new Options
        {
            LearningRate = lr, InitialLearningRate = lr, momentum = momentum, nesterov = nesterov, ns_steps = ns_steps,
            weight_decay = weight_decay, use_muon = true, beta1 = beta1, beta2 = beta2, eps = eps,
        })
    {
    }

    /// <summary>
    /// Muon over a model's parameters in their order: <see cref="HiddenMatrices"/> in a Muon group at
    /// <paramref name="lr"/>, the rest in an AdamW group at <paramref name="adam_lr"/> (default <see cref="AuxLrRatio"/> · lr).
    /// </summary>
    public static Muon ForModel(IEnumerable<Parameter> parameters, double lr = 0.02, double? adam_lr = null, double momentum = 0.95,
        bool nesterov = true, int ns_steps = 5, double weight_decay = 0, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-10)
    {
        var all = parameters.ToList();
        var hidden = HiddenMatrices(all);
        var rest = all.Where(p => !hidden.Contains(p)).ToList();
        var groups = new List<ParamGroup>();
        if (hidden.Count > 0) groups.Add(new ParamGroup(hidden, new Options { use_muon = true }));
        if (rest.Count > 0) groups.Add(new ParamGroup(rest, new Options { use_muon = false, LearningRate = adam_lr ?? AuxLrRatio * lr }));
        return new Muon(groups, lr, momentum, nesterov, ns_steps, weight_decay, beta1, beta2, eps);
    }

    /// <summary>
    /// The hidden weight matrices among a model's parameters in their order (layers registered input to output, as
    /// every model <c>ModelFactory</c> builds): every ≥2-D parameter but the first (input layer) and the last (head).
    /// </summary>
    public static HashSet<Parameter> HiddenMatrices(IReadOnlyList<Parameter> parameters)
    {
        var matrices = parameters.Where(p => p.dim() >= 2).ToList();
        return matrices.Count <= 2 ? [] : [.. matrices.Skip(1).Take(matrices.Count - 2)];
    }

    /// <summary>
    /// The reference's zeroth-power iteration on a 2-D tensor G: an approximately orthogonal matrix U·S'·Vᵀ of G = U·S·Vᵀ
    /// (S' near 1), computed as the class remarks say.
    /// </summary>
    public static Tensor NewtonSchulz5(Tensor g, int steps = 5)
    {
        if (g.dim() != 2) throw new ArgumentException($"Newton–Schulz needs a 2-D tensor, got {g.dim()}-D.", nameof(g));
        if (steps < 1) throw new ArgumentException($"ns_steps {steps} must be >= 1.", nameof(steps));
        using var scope = torch.NewDisposeScope();
        bool tall = g.shape[0] > g.shape[1];
        var x = tall ? g.t() : g;
        x = x / x.norm().add(SEps, TorchScalars.One);
        for (int i = 0; i < steps; ++i)
        {
            var a = x.matmul(x.t());
            var b = a.mul(SB).add_(a.matmul(a), SC);
            x = x.mul(SA).add_(b.matmul(x), TorchScalars.One);
        }
        return (tall ? x.t() : x).contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double lr = o.LearningRate!.Value, wd = o.weight_decay!.Value;
        using Scalar decay = (1 - lr * wd).ToScalar();
        foreach (var p in group.Parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            var s = StateOf(p);
            if (wd != 0) p.mul_(decay);
            if (o.use_muon!.Value) MuonStep(p, grad, s, o, lr);
            else AdamStep(p, grad, s, o, lr);
        }
    }, closure);

    private static void MuonStep(Parameter p, Tensor grad, State s, Options o, double lr)
    {
        double beta = o.momentum!.Value;
        using var rate = Weight(1 - beta, grad);
        using var b = Weight(beta, grad);
        s.momentum_buffer!.lerp_(grad, rate);
        var u = o.nesterov!.Value ? grad.lerp(s.momentum_buffer, b) : s.momentum_buffer;
        var matrix = u.dim() > 2 ? u.reshape(u.shape[0], -1) : u;
        using var orth = NewtonSchulz5(matrix, o.ns_steps!.Value);
        double scale = Math.Sqrt(Math.Max(1.0, grad.shape[^2] / (double)grad.shape[^1]));
        using Scalar step = (-lr * scale).ToScalar();
        p.add_(orth.reshape(p.shape), step);
    }

    private static void AdamStep(Parameter p, Tensor grad, State s, Options o, double lr)
    {
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value;
        s.step += 1;
        double bc1 = 1 - Math.Pow(beta1, s.step), bc2 = 1 - Math.Pow(beta2, s.step);
        using var r1 = Weight(1 - beta1, grad);
        using var r2 = Weight(1 - beta2, grad);
        // every Scalar lives to the end of the call (TorchScalars)
        using Scalar c1 = bc1.ToScalar(), c2 = bc2.ToScalar(), eps = o.eps!.Value.ToScalar(), step = (-lr).ToScalar();
        s.exp_avg!.lerp_(grad, r1);
        s.exp_avg_sq!.lerp_(grad.square(), r2);
        var update = (s.exp_avg / c1) / (s.exp_avg_sq / c2).sqrt().add_(eps, TorchScalars.One);
        p.add_(update, step);
    }

    // lerp's weight as a 0-dim tensor (TorchSharp's lerp takes no Scalar): the reference's lerp_ kernel, not an add
    private static Tensor Weight(double w, Tensor like) => torch.tensor(w, dtype: like.dtype, device: like.device);

    /// <inheritdoc />
    protected override void Complete(Options o, Options def)
    {
        o.momentum ??= def.momentum;
        o.nesterov ??= def.nesterov;
        o.ns_steps ??= def.ns_steps;
        o.weight_decay ??= def.weight_decay;
        o.use_muon ??= def.use_muon;
        o.beta1 ??= def.beta1;
        o.beta2 ??= def.beta2;
        o.eps ??= def.eps;
        Check(o);
    }

    private static void Check(Options o)
    {
        if (!(o.momentum >= 0 && o.momentum < 1)) throw new ArgumentException($"momentum {o.momentum} must be in [0, 1).", "momentum");
        if (o.ns_steps is not (>= 1 and <= 100)) throw new ArgumentException($"ns_steps {o.ns_steps} must be in [1, 100].", "ns_steps");
        if (!(o.weight_decay >= 0) || !double.IsFinite(o.weight_decay!.Value))
            throw new ArgumentException($"weight_decay {o.weight_decay} must be finite and >= 0.", "weight_decay");
        if (!(o.beta1 >= 0 && o.beta1 < 1)) throw new ArgumentException($"beta1 {o.beta1} must be in [0, 1).", "beta1");
        if (!(o.beta2 >= 0 && o.beta2 < 1)) throw new ArgumentException($"beta2 {o.beta2} must be in [0, 1).", "beta2");
        if (!(o.eps > 0) || !double.IsFinite(o.eps!.Value)) throw new ArgumentException($"eps {o.eps} must be finite and > 0.", "eps");
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options)
    {
        if (options.use_muon!.Value && parameter.dim() < 2)
            throw new ArgumentException(
                $"Muon orthogonalises matrices; a parameter of shape [{string.Join(", ", parameter.shape)}] belongs in an AdamW group (use_muon = false).",
                "parameters");
        var s = new State(parameter);
        s.Initialize(options);
        return s;
    }

    /// <summary>Muon's and its AdamW's hyperparameters (per group).</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>Muon: momentum β (0.95).</summary>
        public double? momentum;
        /// <summary>Muon: Nesterov momentum (true).</summary>
        public bool? nesterov;
        /// <summary>Muon: Newton–Schulz steps (5).</summary>
        public int? ns_steps;
        /// <summary>Decoupled weight decay, W ← W·(1 − lr·wd), both kinds (0).</summary>
        public double? weight_decay;
        /// <summary>Whether the group is Muon's (true) or AdamW's (false).</summary>
        public bool? use_muon;
        /// <summary>AdamW: β1 (0.9).</summary>
        public double? beta1;
        /// <summary>AdamW: β2 (0.95).</summary>
        public double? beta2;
        /// <summary>AdamW: ε (1e-10).</summary>
        public double? eps;

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            var s = (Options)source;
            (momentum, nesterov, ns_steps, weight_decay, use_muon, beta1, beta2, eps) =
                (s.momentum, s.nesterov, s.ns_steps, s.weight_decay, s.use_muon, s.beta1, s.beta2, s.eps);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            momentum = reader.ReadDouble();
            nesterov = reader.ReadBoolean();
            ns_steps = reader.ReadInt32();
            weight_decay = reader.ReadDouble();
            use_muon = reader.ReadBoolean();
            beta1 = reader.ReadDouble();
            beta2 = reader.ReadDouble();
            eps = reader.ReadDouble();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(momentum!.Value);
            writer.Write(nesterov!.Value);
            writer.Write(ns_steps!.Value);
            writer.Write(weight_decay!.Value);
            writer.Write(use_muon!.Value);
            writer.Write(beta1!.Value);
            writer.Write(beta2!.Value);
            writer.Write(eps!.Value);
        }
    }

    /// <summary>Per-parameter state: Muon's momentum buffer, or AdamW's step and moments.</summary>
    public sealed class State(Parameter parameter) : OptimizerState(parameter), IDisposable
    {
        /// <summary>AdamW: steps taken (0 for a Muon parameter).</summary>
        public long step;
        /// <summary>Muon: the momentum buffer m (null for an AdamW parameter).</summary>
        public Tensor? momentum_buffer;
        /// <summary>AdamW: first moment (null for a Muon parameter).</summary>
        public Tensor? exp_avg;
        /// <summary>AdamW: second moment (null for a Muon parameter).</summary>
        public Tensor? exp_avg_sq;

        private bool IsMuon => momentum_buffer is not null;

        /// <inheritdoc />
        public override void Initialize(OptimizerOptions options)
        {
            Dispose();
            step = 0;
            if (((Options)options).use_muon!.Value)
            {
                momentum_buffer = torch.zeros_like(_parameter).DetachFromDisposeScope();
                (exp_avg, exp_avg_sq) = (null, null);
            }
            else
            {
                momentum_buffer = null;
                exp_avg = torch.zeros_like(_parameter).DetachFromDisposeScope();
                exp_avg_sq = torch.zeros_like(_parameter).DetachFromDisposeScope();
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            momentum_buffer?.Dispose();
            exp_avg?.Dispose();
            exp_avg_sq?.Dispose();
        }

        /// <inheritdoc />
        public override void to(Device device)
        {
            momentum_buffer = momentum_buffer?.to(device);
            exp_avg = exp_avg?.to(device);
            exp_avg_sq = exp_avg_sq?.to(device);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            bool muon = reader.ReadBoolean();
            if (muon != IsMuon)
                throw new InvalidDataException($"saved Muon state is for {(muon ? "a Muon" : "an AdamW")} parameter, this one is {(IsMuon ? "Muon's" : "AdamW's")}.");
            step = reader.ReadInt64();
            if (muon) momentum_buffer!.Load(reader);
            else
            {
                exp_avg!.Load(reader);
                exp_avg_sq!.Load(reader);
            }
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(IsMuon);
            writer.Write(step);
            if (IsMuon) momentum_buffer!.Save(writer);
            else
            {
                exp_avg!.Save(writer);
                exp_avg_sq!.Save(writer);
            }
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            var s = (State)source;
            Dispose();
            (step, momentum_buffer, exp_avg, exp_avg_sq) = (s.step, s.momentum_buffer, s.exp_avg, s.exp_avg_sq);
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.step == step && Same(s.momentum_buffer, momentum_buffer) && Same(s.exp_avg, exp_avg) &&
            Same(s.exp_avg_sq, exp_avg_sq);

        private static bool Same(Tensor? a, Tensor? b) => a is null ? b is null : b is not null && a.allclose(b);
    }

    /// <summary>A parameter group with its own Muon or AdamW options.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group.</summary>
        public ParamGroup() { }

        /// <summary>A group with explicit options (null values take the optimiser's defaults).</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }
}
