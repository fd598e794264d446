using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// LNS-Madam as a float simulation ("lns-madam-sim"): Madam (<see cref="Madam"/>) with every weight kept on a B-bit
/// logarithmic grid, as the low-precision experiments of Bernstein et al. (NeurIPS 2020,
/// jxbz/madam's integer Madam) and LNS-Madam (Zhao et al., "LNS-Madam: low-precision training
/// in logarithmic number system using multiplicative weight update", IEEE Trans. Computers
/// 2022, arXiv:2106.13914) did: the optimiser holds an integer magnitude index k per weight and
/// writes <c>w = sign · w_max · 2^(−k/γ)</c> back into the parameter after every step.
/// </summary>
/// <remarks>
/// The grid is Hybrid's LNS format (native/include/hybrid/lns.h): B bits = sign + (B−1)-bit k,
/// the all-ones k is exact zero. At the first step w_max = p_scale · RMS(w) and every weight is
/// rounded to its nearest level in the log domain. Each step then adds to k
/// <code>dk = round(γ · η · ĝ · sign(w) / ln 2)</code>
/// with ĝ Madam's normalised, clamped gradient, rounded stochastically (floor(dk + u), u from
/// the same Philox stream as the native synapse kernels, keyed by seed, step, the parameter's
/// index and the element — so nothing random needs saving) or to nearest, then clamps k to
/// [0, K−1]; zeros stay zero and signs never change. Tensor ops are float32 TorchSharp, so it runs
/// wherever TorchSharp does (CUDA tensors included), but it is a simulation of the synapse model,
/// not its bit-exact twin. How it differs from "lns-madam" (the synapse model: <c>Lns.LnsLinear</c> +
/// <see cref="LnsMadamOptimizer"/> on a synapse backend, which <c>hybrid compare</c> runs):
/// <list type="bullet">
/// <item>every parameter goes on the grid, biases included (the synapse model keeps biases float32
/// and trains them with float Madam);</item>
/// <item>its log2, exp2 and bias correction are TorchSharp's float32/double ops, not the exact
/// shared element maths, so a weight near a level boundary can land one level apart;</item>
/// <item>random sub-streams are numbered per parameter (biases included), the synapse model's per
/// LNS layer, so the same seed draws different uniforms for the same layer;</item>
/// <item>its second moment is always per weight (no moment modes, no device model).</item>
/// </list>
/// LogGridMadamTests checks these differences and that both learn.
/// </remarks>
public sealed class LogGridMadam : HybridOptimizer<LogGridMadam.Options, LogGridMadam.State>
{
    private uint _nextTensorId;

    /// <summary>Creates LNS-Madam over <paramref name="parameters"/>.</summary>
    public LogGridMadam(IEnumerable<Parameter> parameters, double lr = 0.01, int bits = 8, double gamma = 8,
        double p_scale = 3.0, double g_bound = 10.0, double beta2 = 0.999, bool stochastic = true, ulong seed = 0)
        : this([new ParamGroup(parameters)], lr, bits, gamma, p_scale, g_bound, beta2, stochastic, seed) { }

    /// <summary>Creates LNS-Madam over parameter groups.</summary>
    public LogGridMadam(IEnumerable<ParamGroup> parameters, double lr = 0.01, int bits = 8, double gamma = 8,
        double p_scale = 3.0, double g_bound = 10.0, double beta2 = 0.999, bool stochastic = true, ulong seed = 0)
        : base(parameters, new Options
        {
            LearningRate = lr, InitialLearningRate = lr, bits = bits, gamma = gamma, p_scale = p_scale,
            g_bound = g_bound, beta2 = beta2, stochastic = stochastic, seed = seed,
        })
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        int bits = o.bits!.Value;
        double gamma = o.gamma!.Value, lr = o.LearningRate!.Value, beta2 = o.beta2!.Value, gBound = o.g_bound!.Value;
        int kmax = (1 << (bits - 1)) - 1;
        foreach (var p in group.Parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            var s = StateOf(p);
            if (s.step == 0) s.Encode(p, o.p_scale!.Value, bits, gamma);
            s.step += 1;
            double bc = 1 - Math.Pow(beta2, s.step);
            // every Scalar lives to the end of the block (TorchScalars: implicit ones can be freed mid-call)
            using Scalar b2 = beta2.ToScalar(), a2 = (1 - beta2).ToScalar(), bcS = bc.ToScalar(),
                lo = (-gBound).ToScalar(), hi = gBound.ToScalar(), scale = (gamma * lr / Math.Log(2)).ToScalar(),
                half = 0.5.ToScalar(), dkLo = (-65536).ToScalar(), dkHi = 65536.ToScalar(),
                kLo = 0.ToScalar(), kHi = (kmax - 1).ToScalar();
            s.exp_avg_sq.mul_(b2).addcmul_(grad, grad, a2);
            var gh = grad / (s.exp_avg_sq / bcS).sqrt();
            gh.nan_to_num_(0.0, double.PositiveInfinity, double.NegativeInfinity);
            gh.clamp_(lo, hi);
            var dk = gh.mul_(s.sign).mul_(scale);
            var u = o.stochastic!.Value ? Uniforms(o.seed!.Value, s.step, s.tensor_id, p) : torch.full_like(dk, half);
            var r = dk.AddInPlace(u).floor_().clamp_(dkLo, dkHi).to(ScalarType.Int32);
            s.k.AddInPlace(r).clamp_(kLo, kHi);
            s.Decode(p, bits, gamma);
        }
    }, closure);

    /// <summary>Where the rounding stream is drawn: the default backend (every backend gives the same numbers).</summary>
    private static readonly Lazy<ISynapseBackend> StreamBackend = new(() => SynapseBackends.Get(SynapseBackends.Default));

    /// <summary>The Philox uniforms of the rounding stream for one parameter at one step.</summary>
    private static Tensor Uniforms(ulong seed, long step, uint tensorId, Tensor like)
    {
        var u = new float[like.numel()];
        StreamBackend.Value.RandomUniform(new RandomStream(seed, step, tensorId, 0), 0, u);
        return torch.tensor(u, like.shape).to(like.device);
    }

    /// <inheritdoc />
    protected override void Complete(Options o, Options def)
    {
        o.bits ??= def.bits;
        o.gamma ??= def.gamma;
        o.p_scale ??= def.p_scale;
        o.g_bound ??= def.g_bound;
        o.beta2 ??= def.beta2;
        o.stochastic ??= def.stochastic;
        o.seed ??= def.seed;
        OptimizerChecks.Madam(o.LearningRate!.Value, o.p_scale!.Value, o.g_bound!.Value, o.beta2!.Value);
        // the synapse format's limits (the simulation also allows grids whose smallest levels underflow to 0 in float)
        if (o.bits is < LnsFormat.MinBits or > LnsFormat.MaxBits)
            throw new ArgumentException($"--bits {o.bits} is outside [{LnsFormat.MinBits}, {LnsFormat.MaxBits}].", "bits");
        if (!(o.gamma > 0 && o.gamma <= LnsFormat.MaxGamma))
            throw new ArgumentException($"--gamma {o.gamma} is outside (0, {LnsFormat.MaxGamma}].", "gamma");
    }

    /// <inheritdoc />
    protected override State CreateState(Parameter parameter, Options options)
    {
        var s = new State(parameter) { tensor_id = _nextTensorId++ };
        s.Initialize(options);
        return s;
    }

    /// <summary>LNS-Madam's hyperparameters.</summary>
    public sealed class Options : OptimizerOptions
    {
        /// <summary>B, bits per weight (2…16).</summary>
        public int? bits;
        /// <summary>γ, levels per octave.</summary>
        public double? gamma;
        /// <summary>w_max = p_scale · RMS(w at the first step).</summary>
        public double? p_scale;
        /// <summary>Bound on the normalised gradient.</summary>
        public double? g_bound;
        /// <summary>Second-moment decay.</summary>
        public double? beta2;
        /// <summary>Stochastic (true) or nearest rounding.</summary>
        public bool? stochastic;
        /// <summary>Key of the rounding stream.</summary>
        public ulong? seed;

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            var o = (Options)source;
            (bits, gamma, p_scale, g_bound, beta2, stochastic, seed) = (o.bits, o.gamma, o.p_scale, o.g_bound, o.beta2, o.stochastic, o.seed);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            bits = reader.ReadInt32();
            gamma = reader.ReadDouble();
            p_scale = reader.ReadDouble();
            g_bound = reader.ReadDouble();
            beta2 = reader.ReadDouble();
            stochastic = reader.ReadBoolean();
            seed = reader.ReadUInt64();
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(bits!.Value);
            writer.Write(gamma!.Value);
            writer.Write(p_scale!.Value);
            writer.Write(g_bound!.Value);
            writer.Write(beta2!.Value);
            writer.Write(stochastic!.Value);
            writer.Write(seed!.Value);
        }
    }

    /// <summary>Per-parameter state: step, second moment, the grid (w_max, k, sign).</summary>
    public sealed class State(Parameter parameter) : OptimizerState(parameter), IDisposable
    {
        /// <summary>Steps taken.</summary>
        public long step;
        /// <summary>Which parameter of the optimiser (its random sub-stream).</summary>
        public uint tensor_id;
        /// <summary>Second moment v.</summary>
        public Tensor exp_avg_sq = null!;
        /// <summary>Magnitude index k per weight (int32).</summary>
        public Tensor k = null!;
        /// <summary>sign(w) per weight: −1, 0 (exact zero, never moves) or +1.</summary>
        public Tensor sign = null!;
        /// <summary>The grid's largest magnitude.</summary>
        public double w_max;

        /// <inheritdoc />
        public override void Initialize(OptimizerOptions options)
        {
            step = 0;
            w_max = 0;
            exp_avg_sq = torch.zeros_like(_parameter).DetachFromDisposeScope();
            k = torch.zeros(_parameter.shape, ScalarType.Int32, _parameter.device).DetachFromDisposeScope();
            sign = torch.zeros_like(_parameter).DetachFromDisposeScope();
        }

        /// <summary>Puts the parameter on the grid: w_max from its RMS, k by nearest level in log2.</summary>
        internal void Encode(Tensor p, double pScale, int bits, double gamma)
        {
            int kmax = (1 << (bits - 1)) - 1;
            w_max = pScale * p.square().mean().sqrt().item<float>();
            if (!(w_max > 0)) throw new InvalidOperationException("LNS-Madam: a parameter is all zeros; its grid has no scale.");
            sign.copy_(p.sign());
            using Scalar top = Math.Log2(w_max).ToScalar(), g = gamma.ToScalar(), half = 0.5.ToScalar(),
                kLo = 0.ToScalar(), kHi = (kmax - 1).ToScalar();
            var kreal = top.Minus(p.abs().log2()).mul_(g);
            k.copy_(kreal.nan_to_num_(0, kmax - 1, 0).add_(half, TorchScalars.One).floor_().clamp_(kLo, kHi).to(ScalarType.Int32));
            Decode(p, bits, gamma);
        }

        /// <summary>Writes sign · w_max · 2^(−k/γ) into the parameter.</summary>
        internal void Decode(Tensor p, int bits, double gamma)
        {
            using Scalar g = (-gamma).ToScalar(), top = w_max.ToScalar();
            p.copy_(k.to(ScalarType.Float32).div_(g).exp2_().mul_(top).mul_(sign));
        }

        /// <inheritdoc />
        public void Dispose()
        {
            exp_avg_sq?.Dispose();
            k?.Dispose();
            sign?.Dispose();
        }

        /// <inheritdoc />
        public override void to(Device device)
        {
            exp_avg_sq = exp_avg_sq.to(device);
            k = k.to(device);
            sign = sign.to(device);
        }

        /// <inheritdoc />
        public override void LoadStateDict(BinaryReader reader)
        {
            step = reader.ReadInt64();
            tensor_id = reader.ReadUInt32();
            w_max = reader.ReadDouble();
            exp_avg_sq.Load(reader);
            k.Load(reader);
            sign.Load(reader);
        }

        /// <inheritdoc />
        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(step);
            writer.Write(tensor_id);
            writer.Write(w_max);
            exp_avg_sq.Save(writer);
            k.Save(writer);
            sign.Save(writer);
        }

        /// <inheritdoc />
        public override void LoadStateDict(OptimizerState source)
        {
            var s = (State)source;
            Dispose();
            (step, tensor_id, w_max, exp_avg_sq, k, sign) = (s.step, s.tensor_id, s.w_max, s.exp_avg_sq, s.k, s.sign);
        }

        /// <inheritdoc />
        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.step == step && s.w_max == w_max && s.k.eq(k).all().item<bool>() && s.sign.eq(sign).all().item<bool>() &&
            s.exp_avg_sq.allclose(exp_avg_sq);
    }

    /// <summary>A parameter group with its own LNS-Madam options.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        /// <summary>An empty group.</summary>
        public ParamGroup() { }
        /// <summary>A group with explicit options (null values take the optimiser's defaults).</summary>
        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }
}
