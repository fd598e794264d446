using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// One quantiser of one layer. LNS targets run the synapse backend's quantise kernel (bit-identical on
/// every backend; stochastic rounding from the Philox stream with the quantiser purpose, keyed by
/// (seed, step, tensor id)); FP8 and INT8 targets are fake-quantised with tensor ops (round to nearest,
/// ties to even; the FP8 exponent comes from a float log2, so a value within an ulp of a binade edge may
/// take the neighbouring binade's step — a baseline, not a bit-exact FP8 unit). The scale is the largest
/// value of the grid: max |x| of the tensor, a running maximum, or a fixed value (the stored w_max of
/// LNS weights). In evaluation every quantiser rounds to nearest, running scales stay put and nothing
/// is counted. CPU float32 tensors.
/// </summary>
public sealed class TensorQuantizer
{
    private readonly ISynapseBackend _backend;
    private readonly ulong _seed;

    /// <summary>A quantiser of <paramref name="role"/> in layer <paramref name="layer"/>; its random
    /// sub-stream is tensor id 4·layer + role.</summary>
    public TensorQuantizer(QuantizerSpec spec, TensorRole role, int layer, ulong seed, ISynapseBackend backend)
    {
        spec.Validate($"{StepArithmetic.RoleNames[(int)role]} quantiser");
        Spec = spec;
        Role = role;
        TensorId = (uint)(4 * layer + (int)role);
        _seed = seed;
        _backend = backend;
    }

    /// <summary>Format, rounding and scale rule.</summary>
    public QuantizerSpec Spec { get; }
    /// <summary>Which tensor of the layer.</summary>
    public TensorRole Role { get; }
    /// <summary>The random sub-stream.</summary>
    public uint TensorId { get; }
    /// <summary>The LNS grid of the last call (the exact GEMM encodes the quantised values with it).</summary>
    public LnsFormat LastFormat { get; private set; }

    /// <summary>
    /// The grid values of <paramref name="x"/> in a new tensor, what the call counted, and max |x|. The scale is
    /// <paramref name="fixedScale"/> if given, else the running maximum <paramref name="runningScale"/> (when the rule
    /// is <see cref="ScaleMode.Running"/> and it is not NaN, i.e. set), else max |x|.
    /// </summary>
    public (Tensor Y, QuantizeStats Stats, float MaxAbs) Apply(Tensor x, long step, bool training, float? fixedScale,
        float runningScale)
    {
        var y = x.detach().contiguous().clone();
        float maxAbs = y.numel() == 0 ? 0f : y.abs().max().item<float>();
        if (!float.IsFinite(maxAbs)) return (y, new QuantizeStats(y.numel(), 0, 0, 0), maxAbs); // diverging: the trainer stops on the loss
        float scale = fixedScale ?? (Spec.Scale == ScaleMode.Running && !float.IsNaN(runningScale) ? runningScale : maxAbs);
        var stats = Spec.Format.Kind == NumberKind.Lns ? Lns(y, scale, step, training) : Float8Or8Bit(y, scale);
        return (y, stats, maxAbs);
    }

    /// <summary>The running maximum after a step whose tensor had <paramref name="maxAbs"/>: 0.9·s + 0.1·max|x| (the first step's own max).</summary>
    public static float NextRunningScale(float running, float maxAbs) =>
        float.IsNaN(running) ? maxAbs : 0.9f * running + 0.1f * maxAbs;

    /// <summary>The smallest scale that keeps every level of the format a normal float.</summary>
    public static float MinScale(NumberFormat f)
    {
        double octaves = Math.Max((1 << (f.Bits - 1)) - 2, 0) / (double)f.Gamma;
        return (float)Math.Pow(2, -126 + Math.Ceiling(octaves) + 1);
    }

    private QuantizeStats Lns(Tensor y, float scale, long step, bool training)
    {
        var f = new LnsFormat(Spec.Format.Bits, Spec.Format.Gamma, Math.Max(scale, MinScale(Spec.Format)));
        LastFormat = f;
        if (scale == 0f) return new QuantizeStats(y.numel(), 0, 0, 0); // all zeros: already on the grid
        var s = new LnsQuantizeSettings(f, training ? Spec.Rounding : Hybrid.Synapse.RoundingMode.Nearest, _seed, step, TensorId, NonFinitePolicy.Skip);
        var span = TensorMemory.Float32(y, $"{StepArithmetic.RoleNames[(int)Role]} tensor");
        return _backend.LnsQuantize(s, span, span);
    }

    private QuantizeStats Float8Or8Bit(Tensor y, float scale)
    {
        long n = y.numel();
        if (scale == 0f) return new QuantizeStats(n, 0, 0, 0);
        using var scope = torch.NewDisposeScope();
        // every Scalar a using local: TorchSharp does not keep one made by an implicit conversion alive (TorchScalars)
        using Scalar sScale = scale.ToScalar();
        var nonzero = y.ne(TorchScalars.Zero);
        long saturated = y.abs().gt(sScale).sum().item<long>();
        Tensor q;
        if (Spec.Format.Kind == NumberKind.Int8)
        {
            using Scalar unit = (scale / 127f).ToScalar(), lo = (-127).ToScalar(), hi = 127.ToScalar();
            q = y.div(unit).round_().clamp_(lo, hi).mul_(unit);
        }
        else
        {
            bool e4m3 = Spec.Format.Kind == NumberKind.Fp8E4M3;
            float max = e4m3 ? 448f : 57344f;
            int mantissa = e4m3 ? 3 : 2, minExp = e4m3 ? -6 : -14;
            using Scalar up = (max / scale).ToScalar(), down = (scale / max).ToScalar(), floor = MathF.Pow(2, minExp).ToScalar(),
                bits = mantissa.ToScalar(), lo = (-max).ToScalar(), hi = max.ToScalar();
            var v = y.mul(up);
            var e = v.abs().clamp_min(floor).log2_().floor_();
            var unit = e.sub_(bits).exp2_();
            q = v.div(unit).round_().mul_(unit).clamp_(lo, hi).mul_(down);
        }
        long underflowed = q.eq(TorchScalars.Zero).logical_and_(nonzero).sum().item<long>();
        y.copy_(q);
        return new QuantizeStats(n, saturated, underflowed, 0);
    }
}
