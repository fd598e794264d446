using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Compare;

/// <summary>
/// One row of a comparison before it runs: what it trains and how its step is costed.
/// </summary>
/// <param name="Key">Folder name under rows/ ("adam", "fp8", "lns-08", "lnsfull-12-authors").</param>
/// <param name="Name">What the report calls it.</param>
/// <param name="Kind">"adam", "madam", "fp8", "int8", "lns" (weights-only) or "lns-full".</param>
/// <param name="StorageBits">Bits a weight is stored in (32 for float).</param>
/// <param name="Gamma">The storage γ of an LNS row (0 otherwise).</param>
/// <param name="Optimizer">The optimiser (lns-madam for LNS rows).</param>
/// <param name="Arithmetic">Quantisers and GEMM mode (off for float32 and weights-only rows).</param>
/// <param name="Rule">How the ledger costs the update.</param>
public sealed record RowPlan(string Key, string Name, string Kind, int StorageBits, float Gamma, OptimizerSpec Optimizer,
    StepArithmetic Arithmetic, UpdateRule Rule)
{
    /// <summary>Whether the weights are LNS synapse codes.</summary>
    public bool IsLns => Kind is "lns" or "lns-full";

    /// <summary>The weights' storage format.</summary>
    public NumberFormat Storage => IsLns ? NumberFormat.Lns(StorageBits, Gamma) : NumberFormat.Fp32;

    /// <summary>The GEMM operands' format, for tables: "fp32", "lns8(γ=8)", "fp8-e4m3/e5m2", "int8".</summary>
    public string GemmFormat => Kind switch
    {
        "fp8" => "fp8-e4m3/e5m2",
        "int8" => "int8",
        "lns-full" => Arithmetic.Activations?.Format.ToString() ?? "fp32",
        _ => "fp32",
    };

    /// <summary>The model this row trains, built from the comparison's float model (same initial weights for every row).</summary>
    public nn.Module<Tensor, Tensor> BuildModel(ModelSpec spec, long seed, Device device, string backend)
    {
        var model = ModelFactory.Build(spec, seed, device);
        return Kind switch
        {
            // any model: LnsConverter walks the tree (LnsModels.Quantized would take only a Sequential)
            "fp8" or "int8" => LnsConverter.Convert(model, new LnsConversionSettings(SynapseBackends.Get(backend))
                { Storage = WeightStorage.Float, Arithmetic = Arithmetic, Seed = (ulong)seed }).Model,
            "lns" => OptimizerCatalog.PrepareModel(Optimizer, model),
            "lns-full" => LnsModels.WithArithmetic(OptimizerCatalog.PrepareModel(Optimizer, model), Arithmetic, (ulong)seed),
            _ => model,
        };
    }
}

/// <summary>The rows a comparison runs, in report order.</summary>
public static class ComparePlan
{
    /// <summary>FP8 training as usually done: E4M3 forward (weights, activations), E5M2 backward (errors, gradients), max-abs scales.</summary>
    public static readonly StepArithmetic Fp8 = new(
        new QuantizerSpec(NumberFormat.Fp8E4M3), new QuantizerSpec(NumberFormat.Fp8E4M3),
        new QuantizerSpec(NumberFormat.Fp8E5M2), new QuantizerSpec(NumberFormat.Fp8E5M2));

    /// <summary>INT8 everywhere, symmetric with a max-abs scale per tensor.</summary>
    public static readonly StepArithmetic Int8 = new(
        new QuantizerSpec(NumberFormat.Int8), new QuantizerSpec(NumberFormat.Int8),
        new QuantizerSpec(NumberFormat.Int8), new QuantizerSpec(NumberFormat.Int8));

    /// <summary>Every row of <paramref name="s"/>.</summary>
    public static IReadOnlyList<RowPlan> Rows(CompareSettings s)
    {
        var rows = new List<RowPlan>();
        var adam = new OptimizerSpec("adam", s.AdamLr);
        if (s.IncludeAdam) rows.Add(new("adam", "float32 Adam", "adam", 32, 0, adam, StepArithmetic.Off, UpdateRule.Adam));
        if (s.IncludeMadam)
            rows.Add(new("madam", "float32 Madam", "madam", 32, 0, new OptimizerSpec("madam", s.MadamLr), StepArithmetic.Off, UpdateRule.Madam));
        foreach (var b in s.Baselines ?? [])
            rows.Add(b == "fp8"
                ? new("fp8", "FP8 (E4M3/E5M2) Adam", "fp8", 32, 0, adam, Fp8, UpdateRule.Adam)
                : new("int8", "INT8 Adam", "int8", 32, 0, adam, Int8, UpdateRule.Adam));
        foreach (int bits in s.Bits)
            rows.Add(new($"lns-{bits:D2}", $"LNS {bits}-bit weights", "lns", bits, s.GammaFor(bits), s.LnsSpec(bits),
                StepArithmetic.Off, UpdateRule.LnsMadam));
        if ((s.UpdateBits ?? []).Length > 0)
        {
            var arithmetic = s.FullArithmetic();
            foreach (var variant in s.Variants ?? [])
                foreach (int bits in s.UpdateBits!)
                    rows.Add(new($"lnsfull-{bits:D2}-{variant}", $"LNS-Madam {s.ForwardBits}/{bits}-bit ({variant})", "lns-full",
                        bits, LnsModels.DefaultGamma(bits), s.FullSpec(bits, variant), arithmetic, UpdateRule.LnsMadam));
        }
        return rows;
    }
}
