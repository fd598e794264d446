using System.Globalization;
using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy.Architectures;

/// <summary>One row of a cost study: a number format for the step and an optimiser, priced on the same network.</summary>
/// <param name="Key">Short name (CSV, options): fp32, bf16, fp8, int8, lns-madam-8-12, lns-weights-8, …</param>
/// <param name="Name">What tables call it.</param>
/// <param name="Formats">The step's formats.</param>
/// <param name="Update">The optimiser as the ledger prices it.</param>
public sealed record CostRow(string Key, string Name, StepFormats Formats, UpdateCostSpec Update);

/// <summary>Options of the standard rows.</summary>
/// <param name="ForwardBits">LNS-Madam's GEMM format bits B_f (γ_f: 16 octaves of range).</param>
/// <param name="UpdateBits">LNS-Madam's storage/update bits B_u.</param>
/// <param name="WeightsOnlyBits">Weights-only LNS: storage bits.</param>
/// <param name="Moment">Madam and LNS rows: where the second moment lives.</param>
/// <param name="MomentFormat">Every row's optimiser-state precision.</param>
/// <param name="FloatTensors">The reduced-precision rows' format for tensors only float operations read (16-bit as
/// mixed-precision training keeps them; the fp32 and weights-only rows always float32).</param>
public sealed record CostRowOptions(int ForwardBits = 8, int UpdateBits = 12, int WeightsOnlyBits = 8,
    MomentMode Moment = MomentMode.PerSynapse, StateFormat MomentFormat = StateFormat.Fp32, bool FuseGradient = false,
    NumberFormat? FloatTensors = null)
{
    /// <summary>Throws naming the first bad option.</summary>
    public void Validate()
    {
        foreach (var (bits, option) in new[] { (ForwardBits, "lns-bits"), (UpdateBits, "lns-bits"), (WeightsOnlyBits, "weights-only-bits") })
            if (bits is < LnsFormat.MinBits or > 16)
                throw new ArgumentException($"--{option}: {bits} bits is outside [{LnsFormat.MinBits}, 16].", option);
    }
}

/// <summary>The rows <c>hybrid cost</c> prices, and the fair baselines of the curves.</summary>
public static class CostRows
{
    /// <summary>A 16-bit float (fp16 or bf16: the ledger prices them alike).</summary>
    public static readonly NumberFormat Half = new(NumberKind.Fp16, 16);

    /// <summary>γ for B bits with 16 octaves of range (2^(B−1) levels of magnitude over 16 octaves), as compare's rows.</summary>
    public static float Gamma(int bits) => (float)Math.Pow(2, bits - 5);

    /// <summary>fp32 Adam, bf16 mixed precision, FP8 (E4M3/E5M2), INT8 (all Adam with float32 master weights), LNS-Madam
    /// B_f/B_u, weights-only LNS: the rows of issue 20 item 5.</summary>
    public static IReadOnlyList<CostRow> Standard(CostRowOptions? options = null)
    {
        var o = options ?? new CostRowOptions();
        o.Validate();
        var half = o.FloatTensors ?? Half;
        var adam = new UpdateCostSpec(UpdateRule.Adam, MomentFormat: o.MomentFormat, FuseGradient: o.FuseGradient);
        var lnsf = NumberFormat.Lns(o.ForwardBits, Gamma(o.ForwardBits));
        var lnsu = NumberFormat.Lns(o.UpdateBits, Gamma(o.UpdateBits));
        var lnsw = NumberFormat.Lns(o.WeightsOnlyBits, Gamma(o.WeightsOnlyBits));
        var lnsUpdate = new UpdateCostSpec(UpdateRule.LnsMadam, o.Moment, RoundingMode.Stochastic, MomentFormat: o.MomentFormat, FuseGradient: o.FuseGradient);
        string moment = o.Moment == MomentMode.PerSynapse ? "" : $", {o.Moment.ToString().ToLowerInvariant()} moment";
        return
        [
            new("fp32", "float32 Adam", StepFormats.Float32, adam),
            new("bf16", "bf16 mixed precision, Adam", new(StepCosts.Quantized(Half, NumberFormat.Fp32, false), half), adam),
            new("fp8", "FP8 (E4M3/E5M2) Adam", new(StepCosts.Quantized(NumberFormat.Fp8E4M3, NumberFormat.Fp8E4M3, NumberFormat.Fp8E5M2,
                NumberFormat.Fp8E5M2, NumberFormat.Fp32, false), half), adam),
            new("int8", "INT8 Adam", new(StepCosts.Quantized(NumberFormat.Int8, NumberFormat.Fp32, false), half), adam),
            new($"lns-madam-{o.ForwardBits}-{o.UpdateBits}", string.Create(CultureInfo.InvariantCulture, $"LNS-Madam {o.ForwardBits}/{o.UpdateBits}-bit{moment}"),
                new(StepCosts.Quantized(lnsf, lnsu), half), lnsUpdate),
            new($"lns-weights-{o.WeightsOnlyBits}", $"LNS {o.WeightsOnlyBits}-bit weights only{moment}",
                new(new TensorFormats(lnsw, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float), NumberFormat.Fp32), lnsUpdate),
        ];
    }

    /// <summary>
    /// The fair baselines (issue 25): Adam with bf16 and FP8 moments on the FP8 row, Madam with a per-neuron moment,
    /// and LNS-Madam with bf16 and FP8 moments and with a per-neuron moment — beside the standard rows, so that a ratio
    /// can be read against a baseline whose optimiser state is as narrow as the LNS row's.
    /// </summary>
    public static IReadOnlyList<CostRow> FairBaselines(CostRowOptions? options = null)
    {
        var o = options ?? new CostRowOptions();
        var rows = Standard(o with { MomentFormat = StateFormat.Fp32, Moment = MomentMode.PerSynapse });
        var fp8 = rows.Single(r => r.Key == "fp8");
        var lns = rows.Single(r => r.Key.StartsWith("lns-madam", StringComparison.Ordinal));
        var fp32 = rows.Single(r => r.Key == "fp32");
        return
        [
            fp32,
            fp8,
            fp8 with { Key = "fp8-bf16-moments", Name = "FP8 Adam, bf16 moments", Update = fp8.Update with { MomentFormat = StateFormat.Bf16 } },
            fp8 with { Key = "fp8-fp8-moments", Name = "FP8 Adam, FP8 moments", Update = fp8.Update with { MomentFormat = StateFormat.Fp8 } },
            fp32 with { Key = "madam", Name = "float32 Madam", Update = new UpdateCostSpec(UpdateRule.Madam) },
            fp32 with { Key = "madam-per-neuron", Name = "float32 Madam, per-neuron moment", Update = new UpdateCostSpec(UpdateRule.Madam, MomentMode.PerNeuron) },
            lns,
            lns with { Key = lns.Key + "-bf16-moments", Name = lns.Name + ", bf16 moments", Update = lns.Update with { MomentFormat = StateFormat.Bf16 } },
            lns with { Key = lns.Key + "-fp8-moments", Name = lns.Name + ", FP8 moments", Update = lns.Update with { MomentFormat = StateFormat.Fp8 } },
            lns with { Key = lns.Key + "-per-neuron", Name = lns.Name + ", per-neuron moment", Update = lns.Update with { Moment = MomentMode.PerNeuron } },
        ];
    }
}
