using System.Globalization;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy;

namespace Hybrid.Training.Lns;

/// <summary>How the GEMMs of a layer are simulated.</summary>
public enum GemmMode
{
    /// <summary>Operands on their grids, multiplied in float32 (TorchSharp; what QPyTorch-style simulators do).</summary>
    Fast = 0,
    /// <summary>The LNS datapath: exponent adds, remainder buckets, fixed-width accumulators (the synapse backend's exact GEMM).</summary>
    Exact = 1,
}

/// <summary>How a quantiser picks its per-tensor scale (the grid's largest value).</summary>
public enum ScaleMode
{
    /// <summary>The tensor's own max |x| (per batch): nothing saturates.</summary>
    MaxAbs = 0,
    /// <summary>A running maximum: 0.9·s + 0.1·max|x| after each training step, the value before the step used
    /// (the first batch uses its own); values above it saturate (counted).</summary>
    Running = 1,
}

/// <summary>The tensors of a layer's step that can be quantised.</summary>
public enum TensorRole
{
    /// <summary>The weights, from their storage format to the GEMM format (scale: the stored w_max, or max |w| for float storage).</summary>
    Weights = 0,
    /// <summary>The layer's input.</summary>
    Activations = 1,
    /// <summary>The gradient flowing back into the layer (at its output).</summary>
    Errors = 2,
    /// <summary>The weight gradient handed to the optimiser.</summary>
    Gradients = 3,
}

/// <summary>One quantiser: a format (LNS, FP8 or INT8), its rounding and its scale rule.</summary>
/// <param name="Format">The target format.</param>
/// <param name="Rounding">Nearest or stochastic (stochastic: LNS only, from the Philox stream).</param>
/// <param name="Scale">How the per-tensor scale is chosen.</param>
public sealed record QuantizerSpec(NumberFormat Format, RoundingMode Rounding = RoundingMode.Nearest, ScaleMode Scale = ScaleMode.MaxAbs)
{
    /// <summary>Parses "off", "lns8", "lns8/8", "lns8/8:stochastic:running", "fp8-e4m3", "fp8-e5m2", "int8" (null for off).</summary>
    /// <exception cref="ArgumentException">The text names no format or an option twice; the message says what is valid.</exception>
    public static QuantizerSpec? Parse(string text, string what)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        if (parts[0] is "off" or "fp32" or "none") return parts.Length == 1 ? null : throw Bad(text, what, "off takes no options");
        NumberFormat format;
        if (parts[0].StartsWith("lns", StringComparison.Ordinal))
        {
            var bg = parts[0][3..].Split('/');
            if (!int.TryParse(bg[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int bits) || bg.Length > 2)
                throw Bad(text, what, "write lns<B> or lns<B>/<γ>, e.g. lns8/8");
            float gamma = bits is >= LnsFormat.MinBits and <= LnsFormat.MaxBits ? LnsModels.DefaultGamma(bits) : 1f; // Validate names a bad B
            if (bg.Length == 2 && !float.TryParse(bg[1], NumberStyles.Float, CultureInfo.InvariantCulture, out gamma))
                throw Bad(text, what, $"γ '{bg[1]}' is not a number");
            format = NumberFormat.Lns(bits, gamma);
        }
        else format = parts[0] switch
        {
            "fp8-e4m3" or "fp8" => NumberFormat.Fp8E4M3,
            "fp8-e5m2" => NumberFormat.Fp8E5M2,
            "int8" => NumberFormat.Int8,
            _ => throw Bad(text, what, "formats: off, lns<B>[/<γ>], fp8-e4m3, fp8-e5m2, int8"),
        };
        var rounding = RoundingMode.Nearest;
        var scale = ScaleMode.MaxAbs;
        foreach (var option in parts.Skip(1))
            switch (option)
            {
                case "nearest": rounding = RoundingMode.Nearest; break;
                case "stochastic": rounding = RoundingMode.Stochastic; break;
                case "max-abs": scale = ScaleMode.MaxAbs; break;
                case "running": scale = ScaleMode.Running; break;
                default: throw Bad(text, what, $"option '{option}' is unknown; options: nearest, stochastic, max-abs, running");
            }
        return new QuantizerSpec(format, rounding, scale);
    }

    private static ArgumentException Bad(string text, string what, string why) =>
        new($"{what} '{text}': {why}.", what);

    /// <summary>Throws naming the problem unless the quantiser can run.</summary>
    public void Validate(string what)
    {
        switch (Format.Kind)
        {
            case NumberKind.Lns:
                if (Format.Bits is < LnsFormat.MinBits or > LnsFormat.MaxBits)
                    throw new ArgumentException($"{what}: LNS bits {Format.Bits} are outside [{LnsFormat.MinBits}, {LnsFormat.MaxBits}].", what);
                if (!float.IsFinite(Format.Gamma) || !(Format.Gamma > 0) || Format.Gamma > LnsFormat.MaxGamma)
                    throw new ArgumentException($"{what}: LNS γ = {Format.Gamma} must be finite and in (0, {LnsFormat.MaxGamma}].", what);
                // the grid must stay within float's normal range for some scale <= 1
                double octaves = (Math.Max(((1 << (Format.Bits - 1)) - 2), 0)) / (double)Format.Gamma;
                if (octaves > 100)
                    throw new ArgumentException($"{what}: lns{Format.Bits}/{Format.Gamma} spans {octaves:F0} octaves; more than 100 " +
                                                "leave float's range. Raise γ.", what);
                break;
            case NumberKind.Fp8E4M3 or NumberKind.Fp8E5M2 or NumberKind.Int8:
                if (Rounding == RoundingMode.Stochastic)
                    throw new ArgumentException($"{what}: stochastic rounding is implemented for LNS quantisers only.", what);
                break;
            default:
                throw new ArgumentException($"{what}: {Format} is not a quantiser target.", what);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Format}{(Rounding == RoundingMode.Stochastic ? ":stochastic" : "")}{(Scale == ScaleMode.Running ? ":running" : "")}";
}

/// <summary>
/// The arithmetic of a layer's training step beyond its weight storage: a quantiser (or none) for each
/// tensor role and the GEMM mode, with the exact datapath's accumulator. <see cref="Off"/> is plain
/// float32 GEMMs on the (decoded) weights: today's weights-only LNS.
/// </summary>
public sealed record StepArithmetic(QuantizerSpec? Weights = null, QuantizerSpec? Activations = null,
    QuantizerSpec? Errors = null, QuantizerSpec? Gradients = null, GemmMode Gemm = GemmMode.Fast,
    int AccumulatorBits = 32, int FractionBits = 24)
{
    /// <summary>No quantiser, float32 GEMMs.</summary>
    public static readonly StepArithmetic Off = new();

    /// <summary>Valid tensor names, as options spell them.</summary>
    public static readonly IReadOnlyList<string> RoleNames = ["weights", "activations", "errors", "gradients"];

    /// <summary>Whether any quantiser is on.</summary>
    public bool Any => Weights is not null || Activations is not null || Errors is not null || Gradients is not null;

    /// <summary>The quantiser of <paramref name="role"/>.</summary>
    public QuantizerSpec? Of(TensorRole role) => role switch
    {
        TensorRole.Weights => Weights,
        TensorRole.Activations => Activations,
        TensorRole.Errors => Errors,
        _ => Gradients,
    };

    /// <summary>A copy with one tensor's quantiser set from "tensor=spec" text (e.g. activations=lns8/8).</summary>
    /// <exception cref="ArgumentException">An unknown tensor name or a bad spec.</exception>
    public StepArithmetic With(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--quantize '{assignment}' must be TENSOR=FORMAT, e.g. activations=lns8/8.", "quantize");
        string name = assignment[..eq].Trim().ToLowerInvariant();
        int role = RoleNames.ToList().IndexOf(name);
        if (role < 0)
            throw new ArgumentException($"--quantize: unknown tensor '{assignment[..eq]}'; tensors: {string.Join(", ", RoleNames)}.", "quantize");
        var spec = QuantizerSpec.Parse(assignment[(eq + 1)..], $"--quantize {name}");
        return (TensorRole)role switch
        {
            TensorRole.Weights => this with { Weights = spec },
            TensorRole.Activations => this with { Activations = spec },
            TensorRole.Errors => this with { Errors = spec },
            _ => this with { Gradients = spec },
        };
    }

    /// <summary>Throws naming the first problem: a bad quantiser, an exact GEMM without LNS operands of one γ (a power
    /// of two), or an accumulator too narrow for one product.</summary>
    public void Validate()
    {
        foreach (TensorRole r in Enum.GetValues<TensorRole>()) Of(r)?.Validate($"{RoleNames[(int)r]} quantiser");
        if (Gemm is not (GemmMode.Fast or GemmMode.Exact)) throw new ArgumentException($"GEMM mode {(int)Gemm} is unknown.", "gemm");
        if (Gemm != GemmMode.Exact) return;
        foreach (var role in new[] { TensorRole.Weights, TensorRole.Activations, TensorRole.Errors })
            if (Of(role) is not { Format.Kind: NumberKind.Lns })
                throw new ArgumentException($"--gemm exact needs LNS weights, activations and errors (the datapath multiplies LNS codes); " +
                                            $"{RoleNames[(int)role]} is {Of(role)?.Format.ToString() ?? "off (float32)"}.", "gemm");
        float gamma = Weights!.Format.Gamma;
        if (Activations!.Format.Gamma != gamma || Errors!.Format.Gamma != gamma)
            throw new ArgumentException($"--gemm exact needs one γ for weights, activations and errors (exponents add); " +
                                        $"got {gamma}, {Activations.Format.Gamma}, {Errors!.Format.Gamma}.", "gemm");
        LnsGemmSettings.CheckGamma(gamma, "the GEMM format");
        LnsGemmSettings.CheckAccumulator(AccumulatorBits, FractionBits);
    }

    /// <summary>The ledger's view of a layer with this arithmetic over weights stored in <paramref name="storage"/>.</summary>
    public LayerCostSpec CostSpec(string name, long inFeatures, long outFeatures, bool bias, NumberFormat storage)
    {
        static TensorCost Cost(QuantizerSpec? q) =>
            q is null ? TensorCost.Float : new TensorCost(q.Format, true, q.Rounding == RoundingMode.Stochastic);
        return new LayerCostSpec(name, inFeatures, outFeatures, bias, storage, Cost(Weights), Cost(Activations), Cost(Errors), Cost(Gradients));
    }

    /// <inheritdoc />
    public override string ToString() => Any
        ? string.Join(", ", Enum.GetValues<TensorRole>().Where(r => Of(r) is not null).Select(r => $"{RoleNames[(int)r]} {Of(r)}")) +
          $"; GEMM {Gemm.ToString().ToLowerInvariant()}" + (Gemm == GemmMode.Exact ? $" (accumulator {AccumulatorBits} bits, {FractionBits} fraction)" : "")
        : "no quantisers (float32 GEMMs)";
}
