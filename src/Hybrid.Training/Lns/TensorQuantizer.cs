using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
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
        float runningScale) => Apply(x, step, training, fixedScale, runningScale, null);

    /// <summary>
    /// <see cref="Apply(Tensor, long, bool, float?, float)"/> that also writes the grid values' LNS codes (in
    /// <see cref="LastFormat"/>) into <paramref name="codes"/> — a contiguous CPU uint8 tensor of one byte per element
    /// (uint8 codes, B ≤ 8) or two (uint16 codes; <see cref="CodeTensors"/>) — in the same pass: an exact GEMM's
    /// operand. Returns whether the
    /// codes were written (not when max |x| is not finite: then the tensor is returned unquantised, as by Apply).
    /// </summary>
    /// <exception cref="NotSupportedException">The quantiser's format is not LNS, or the codes tensor does not fit.</exception>
    public (Tensor Y, QuantizeStats Stats, float MaxAbs, bool Encoded) ApplyAndEncode(Tensor x, long step, bool training,
        float? fixedScale, float runningScale, Tensor codes)
    {
        if (Spec.Format.Kind != NumberKind.Lns) throw new NotSupportedException($"{Spec.Format} has no LNS codes to write.");
        var (y, stats, maxAbs) = Apply(x, step, training, fixedScale, runningScale, codes);
        return (y, stats, maxAbs, float.IsFinite(maxAbs));
    }

    private (Tensor Y, QuantizeStats Stats, float MaxAbs) Apply(Tensor x, long step, bool training, float? fixedScale,
        float runningScale, Tensor? codes)
    {
        var src = x.detach().contiguous();
        // max |x| in one vectorised pass over the tensor's own memory (NaN if any element is NaN)
        float maxAbs = src.numel() == 0 ? 0f : MathF.Abs(TensorPrimitives.MaxMagnitude(TensorMemory.Float32(src, "quantiser input")));
        if (!float.IsFinite(maxAbs)) return (src.clone(), new QuantizeStats(src.numel(), 0, 0, 0), maxAbs); // diverging: the trainer stops on the loss
        float scale = fixedScale ?? (Spec.Scale == ScaleMode.Running && !float.IsNaN(runningScale) ? runningScale : maxAbs);
        if (Spec.Format.Kind != NumberKind.Lns)
        {
            var yf = src.clone();
            return (yf, Float8Or8Bit(yf, scale), maxAbs);
        }
        var y = torch.empty_like(src);
        return (y, Lns(src, y, scale, step, training, codes), maxAbs);
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

    /// <summary>x onto the grid into y (a new tensor), and, when given, the codes: one backend call.</summary>
    private QuantizeStats Lns(Tensor x, Tensor y, float scale, long step, bool training, Tensor? codes)
    {
        var f = new LnsFormat(Spec.Format.Bits, Spec.Format.Gamma, Math.Max(scale, MinScale(Spec.Format)));
        LastFormat = f;
        string what = $"{StepArithmetic.RoleNames[(int)Role]} tensor";
        var xs = TensorMemory.Float32(x, what);
        var ys = TensorMemory.Float32(y, what);
        bool wide = codes is not null && CodeTensors.IsWide(codes, x.numel());
        if (scale == 0f) // all zeros: already on the grid
        {
            xs.CopyTo(ys);
            if (codes is not null) Encode(f, ys, codes);
            return new QuantizeStats(x.numel(), 0, 0, 0);
        }
        var s = new LnsQuantizeSettings(f, training ? Spec.Rounding : Hybrid.Synapse.RoundingMode.Nearest, _seed, step, TensorId,
            NonFinitePolicy.Skip);
        if (codes is null) return _backend.LnsQuantize(s, xs, ys);
        return wide ? _backend.LnsQuantizeEncode(s, xs, ys, CodeTensors.Words(codes))
            : _backend.LnsQuantizeEncode(s, xs, ys, CodeTensors.Bytes(codes));
    }

    private void Encode(LnsFormat f, ReadOnlySpan<float> y, Tensor codes)
    {
        if (CodeTensors.IsWide(codes, y.Length)) _backend.LnsEncode(f, y, CodeTensors.Words(codes));
        else _backend.LnsEncode(f, y, CodeTensors.Bytes(codes));
    }

    // FP8 or INT8 in one vectorised pass over the tensor's memory, in place (FloatGrids: the grids, ties to even, counts)
    private QuantizeStats Float8Or8Bit(Tensor y, float scale)
    {
        long n = y.numel();
        if (scale == 0f) return new QuantizeStats(n, 0, 0, 0);
        var span = TensorMemory.Float32(y, $"{StepArithmetic.RoleNames[(int)Role]} tensor");
        return Spec.Format.Kind switch
        {
            NumberKind.Int8 => FloatGrids.Int8(span, span, scale),
            NumberKind.Fp8E4M3 => FloatGrids.Fp8(span, span, scale, e4m3: true),
            _ => FloatGrids.Fp8(span, span, scale, e4m3: false),
        };
    }
}
