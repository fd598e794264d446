using System.Globalization;
using Hybrid.Native.Interop;
using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy;

/// <summary>One tensor role of a layer: its format in the step, whether a quantiser makes it so, and whether that
/// quantiser rounds stochastically (and so draws random bits).</summary>
public readonly record struct TensorCost(NumberFormat Format, bool Quantized = false, bool Stochastic = false)
{
    /// <summary>float32, no quantiser.</summary>
    public static readonly TensorCost Float = new(NumberFormat.Fp32);
}

/// <summary>
/// The formats of a row's step: the GEMM layers' <see cref="Layers"/> formats (a layer's own
/// <see cref="LayerSpec.Formats"/> wins), and <see cref="FloatTensors"/>, the format of every tensor only float
/// operations read (normalisation and residual streams, scores, pre-activations; float32 or 16-bit) — the
/// arithmetic of float operations is float32 in every row.
/// </summary>
public sealed record StepFormats(TensorFormats Layers, NumberFormat FloatTensors)
{
    /// <summary>float32 everywhere.</summary>
    public static readonly StepFormats Float32 = new(TensorFormats.Float32, NumberFormat.Fp32);
}

/// <summary>The precision an optimiser's state (moments) is stored in.</summary>
public enum StateFormat
{
    /// <summary>float32 (4 bytes a value).</summary>
    Fp32 = 0,
    /// <summary>bfloat16 (2 bytes): float32 with the low 16 mantissa bits rounded off (nearest, ties to even).</summary>
    Bf16 = 1,
    /// <summary>FP8 with a float32 scale per block of <see cref="StateFormats.Fp8Block"/> values (first moment E4M3,
    /// second moment E5M2): 1 byte a value plus 4 bytes a block.</summary>
    Fp8 = 2,
}

/// <summary>Names, sizes and events of <see cref="StateFormat"/>.</summary>
public static class StateFormats
{
    /// <summary>Values that share one FP8 block scale (the block-wise scaling of 8-bit optimisers, e.g. Dettmers et al.,
    /// ICLR 2022, uses blocks of 2048; DeepSeek-V3's FP8 recipe tiles of 128: we take 128).</summary>
    public const int Fp8Block = 128;

    /// <summary>Valid names, as options spell them.</summary>
    public static readonly IReadOnlyList<string> Names = ["fp32", "bf16", "fp8"];

    /// <summary>Parses "fp32", "bf16" or "fp8".</summary>
    /// <exception cref="ArgumentException">Any other text; the message lists the valid names.</exception>
    public static StateFormat Parse(string text, string option = "moment-format") => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => StateFormat.Fp32,
        "bf16" or "bfloat16" => StateFormat.Bf16,
        "fp8" => StateFormat.Fp8,
        _ => throw new ArgumentException($"--{option} '{text}' is unknown; valid: {string.Join(", ", Names)}.", option),
    };

    /// <summary>The option spelling.</summary>
    public static string Name(StateFormat f) => Names[(int)f];

    /// <summary>Bytes <paramref name="values"/> state values occupy, block scales included.</summary>
    public static double Bytes(StateFormat f, double values) => f switch
    {
        StateFormat.Bf16 => 2 * values,
        StateFormat.Fp8 => values + 4 * Math.Ceiling(values / Fp8Block),
        _ => 4 * values,
    };

    /// <summary>
    /// The conversion events of one read-modify-write of <paramref name="values"/> state values (what a float32
    /// update unit pays to hold its state narrower): bf16 decode is free (a shift), encode an integer add
    /// (round to nearest even: add 0x7FFF + lsb); FP8 decode is one float multiply (the block scale), encode one
    /// quantizeFp8 (which includes the scale), and per block one float multiply for the new scale (max |v| is free,
    /// comparisons cost nothing by the ledger's convention).
    /// </summary>
    public static IEnumerable<(string Event, double Count)> ConversionEvents(StateFormat f, double values)
    {
        switch (f)
        {
            case StateFormat.Bf16:
                yield return (Events.Int32Add, values);
                break;
            case StateFormat.Fp8:
                yield return (Events.Fp32Mult, values + Math.Ceiling(values / Fp8Block));
                yield return (Events.Quantize(NumberKind.Fp8E4M3), values);
                break;
        }
    }
}

/// <summary>The optimiser rules the ledger knows.</summary>
public enum UpdateRule
{
    /// <summary>Adam (biases too).</summary>
    Adam = 0,
    /// <summary>float32 Madam (biases too).</summary>
    Madam = 1,
    /// <summary>The LNS synapse step on the weights; float32 Madam on the biases.</summary>
    LnsMadam = 2,
}

/// <summary>How the optimiser step is costed.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Moment">Madam and LNS: where the second moment lives (per synapse, per neuron, per tensor, none).</param>
/// <param name="Rounding">LNS: rounding of the code step (stochastic draws random bits).</param>
/// <param name="ChangedFraction">LNS: the fraction of codes written per step (measured; 1 is the upper bound).</param>
/// <param name="RoundedGradient">LNS: ĝ rounded to an integer first (one more float operation per synapse).</param>
/// <param name="RandomBits">LNS: random bits per stochastic rounding of a code step (<see cref="LnsMadamSettings.RandomBits"/>).</param>
/// <param name="MomentFormat">The precision the moments are stored in (every rule; biases and norms too).</param>
/// <param name="FuseGradient">Hardware option: the weight gradient goes from the backward-weight GEMM straight into the
/// update unit and never leaves the chip (no gradient tensor is written or read).</param>
public sealed record UpdateCostSpec(UpdateRule Rule, MomentMode Moment = MomentMode.PerSynapse,
    RoundingMode Rounding = RoundingMode.Stochastic, double ChangedFraction = 1, bool RoundedGradient = false,
    int RandomBits = HybridConstants.HYB_RANDOM_BITS_DEFAULT, StateFormat MomentFormat = StateFormat.Fp32, bool FuseGradient = false)
{
    /// <summary>"adam", "madam (per-neuron)", "lns-madam, bf16 moments", …: for tables.</summary>
    public override string ToString()
    {
        string rule = Rule switch { UpdateRule.Adam => "adam", UpdateRule.Madam => "madam", _ => "lns-madam" };
        var parts = new List<string> { rule };
        if (Rule != UpdateRule.Adam && Moment != MomentMode.PerSynapse) parts.Add(Moment.ToString().ToLowerInvariant());
        if (MomentFormat != StateFormat.Fp32) parts.Add(StateFormats.Name(MomentFormat) + " moments");
        if (FuseGradient) parts.Add("fused gradient");
        return string.Join(", ", parts);
    }
}

/// <summary>A linear layer in the form <see cref="StepCosts.Count(IReadOnlyList{LayerCostSpec}, long, UpdateCostSpec)"/>
/// takes for a stack of them (the MLPs of <c>hybrid compare</c>): shape, weight storage, and its GEMM formats.</summary>
public sealed record LayerCostSpec(string Name, long In, long Out, bool Bias, NumberFormat WeightStorage,
    TensorCost WeightsGemm, TensorCost Activations, TensorCost Errors, TensorCost Gradients)
{
    /// <summary>This layer's formats.</summary>
    public TensorFormats Formats => new(WeightStorage, WeightsGemm, Activations, Errors, Gradients);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} {In}→{Out}");
}
