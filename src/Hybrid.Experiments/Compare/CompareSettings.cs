using System.Text.Json.Serialization;
using Hybrid.Experiments.Train;
using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Models;
using Hybrid.Training.Lns;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Compare;

/// <summary>
/// Everything <c>hybrid compare</c> needs to be repeated (config.json): one model, data set, seed
/// and schedule, trained as float32 Adam, float32 Madam and as an LNS synapse model at each bit
/// width. Every value is checked by <see cref="Validate"/> before any work starts.
/// </summary>
public sealed record CompareSettings(
    int[] Bits, string Model = "mlp", int Depth = 2, int Width = 256, int Epochs = 10, int BatchSize = 128,
    long Seed = 0, string? Data = null, string Normalize = "standard", double AdamLr = 1e-3, double MadamLr = 0.01,
    double LnsLr = 0.01, float? Gamma = null, string Moment = "per-synapse", bool NearestRounding = false,
    float C2cNoise = 0, float D2dGainSd = 0, float Asymmetry = 0, float StuckFraction = 0,
    string Backend = "native-cpu", string? EnergyTable = null, bool IncludeAdam = true, bool IncludeMadam = true,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Task = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TrainSize = null)
{
    /// <summary>The default bit widths of the LNS rows.</summary>
    public static readonly int[] DefaultBits = [16, 12, 10, 8, 6, 5, 4];

    /// <summary>The moment mode.</summary>
    [JsonIgnore]
    public MomentMode MomentMode => Moments.Parse(Moment);

    /// <summary>The device model of the LNS rows.</summary>
    [JsonIgnore]
    public DeviceModel Device => new(C2cNoise, D2dGainSd, Asymmetry, StuckFraction);

    /// <summary>γ for a bit width: <see cref="Gamma"/> if set, else <see cref="LnsModels.DefaultGamma"/>.</summary>
    public float GammaFor(int bits) => Gamma ?? LnsModels.DefaultGamma(bits);

    /// <summary>The energy table: the file if given, else Horowitz 45 nm.</summary>
    public EnergyTable LoadEnergyTable() => EnergyTable is null ? Synapse.Energy.EnergyTable.Horowitz45nm : Synapse.Energy.EnergyTable.Load(EnergyTable);

    /// <summary>The optimiser of the LNS row at <paramref name="bits"/>: lns-madam with this comparison's synapse settings.</summary>
    public OptimizerSpec LnsSpec(int bits) => new("lns-madam", LnsLr, Bits: bits, Gamma: GammaFor(bits),
        Rounding: NearestRounding ? "nearest" : "stochastic", Moment: Moment, C2cNoise: C2cNoise, D2dGainSd: D2dGainSd,
        Asymmetry: Asymmetry, StuckFraction: StuckFraction, Backend: Backend);

    /// <summary>The training settings shared by every row (optimiser filled in per row).</summary>
    public TrainSettings TrainBase => new(Model, Depth, Width, Epochs: Epochs, BatchSize: BatchSize, Seed: Seed, Data: Data,
        Normalize: Normalize, Task: Task, TrainSize: TrainSize);

    /// <summary>Checks every value; the message names the option and the valid range. Each row's optimiser is
    /// checked by the optimiser catalog, the same rules as <c>hybrid train</c>.</summary>
    public void Validate()
    {
        if (Bits.Length == 0 && !IncludeAdam && !IncludeMadam) throw new ArgumentException("nothing to compare: no rows.", "bits");
        if (Bits.Distinct().Count() != Bits.Length) throw new ArgumentException($"--bits lists a width twice: {string.Join(",", Bits)}.", "bits");
        foreach (int b in Bits) OptimizerCatalog.Validate(LnsSpec(b));
        Row("adam-lr", () => OptimizerCatalog.Validate(new OptimizerSpec("adam", AdamLr)));
        Row("madam-lr", () => OptimizerCatalog.Validate(new OptimizerSpec("madam", MadamLr)));
        TrainBase.Validate();
        if (EnergyTable is not null)
        {
            // a FIFO would block the read; a missing file is the table reader's own error
            if (File.Exists(EnergyTable)) Hybrid.Training.Data.RegularFile.Require(EnergyTable, "an energy table (JSON)");
            LoadEnergyTable();
        }
    }

    // a float row's learning rate is --adam-lr or --madam-lr here, not --lr
    private static void Row(string option, Action validate)
    {
        try { validate(); }
        catch (ArgumentException e) when (e.ParamName == "lr")
        {
            throw new ArgumentException(e.Message.Replace("--lr", "--" + option), option);
        }
    }
}
