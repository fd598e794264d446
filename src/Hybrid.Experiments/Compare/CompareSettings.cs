using System.Text.Json.Serialization;
using Hybrid.Experiments.Train;
using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Models;
using Hybrid.Training.Lns;

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

    /// <summary>Valid <see cref="Moment"/> names.</summary>
    public static readonly IReadOnlyList<string> MomentNames = ["per-synapse", "per-neuron", "per-tensor", "none"];

    /// <summary>Valid <see cref="Backend"/> names.</summary>
    public static readonly IReadOnlyList<string> BackendNames = ["native-cpu", "managed"];

    /// <summary>The moment mode.</summary>
    [JsonIgnore]
    public MomentMode MomentMode => Moment.Trim().ToLowerInvariant() switch
    {
        "per-synapse" => MomentMode.PerSynapse,
        "per-neuron" => MomentMode.PerNeuron,
        "per-tensor" => MomentMode.PerTensor,
        "none" => MomentMode.None,
        _ => throw new ArgumentException($"--moment '{Moment}' is unknown; valid: {string.Join(", ", MomentNames)}.", "moment"),
    };

    /// <summary>The device model of the LNS rows.</summary>
    [JsonIgnore]
    public DeviceModel Device => new(C2cNoise, D2dGainSd, Asymmetry, StuckFraction);

    /// <summary>γ for a bit width: <see cref="Gamma"/> if set, else <see cref="LnsModels.DefaultGamma"/>.</summary>
    public float GammaFor(int bits) => Gamma ?? LnsModels.DefaultGamma(bits);

    /// <summary>The energy table: the file if given, else Horowitz 45 nm.</summary>
    public EnergyTable LoadEnergyTable() => EnergyTable is null ? Synapse.Energy.EnergyTable.Horowitz45nm : Synapse.Energy.EnergyTable.Load(EnergyTable);

    /// <summary>The training settings shared by every row (optimiser filled in per row).</summary>
    public TrainSettings TrainBase => new(Model, Depth, Width, Epochs: Epochs, BatchSize: BatchSize, Seed: Seed, Data: Data,
        Normalize: Normalize, Task: Task, TrainSize: TrainSize);

    /// <summary>Checks every value; the message names the option and the valid range.</summary>
    public void Validate()
    {
        if (Bits.Length == 0 && !IncludeAdam && !IncludeMadam) throw new ArgumentException("nothing to compare: no rows.", "bits");
        foreach (int b in Bits)
            if (b is < LnsFormat.MinBits or > LnsFormat.MaxBits)
                throw new ArgumentException($"--bits {b} is outside [{LnsFormat.MinBits}, {LnsFormat.MaxBits}].", "bits");
        if (Bits.Distinct().Count() != Bits.Length) throw new ArgumentException($"--bits lists a width twice: {string.Join(",", Bits)}.", "bits");
        if (Gamma is { } g && !(g > 0 && g <= LnsFormat.MaxGamma)) throw new ArgumentException($"--gamma {g} is outside (0, {LnsFormat.MaxGamma}].", "gamma");
        foreach (int b in Bits)
        {
            // the smallest level must be a normal float for any w_max down to 1e-3
            try { new LnsFormat(b, GammaFor(b), 1e-3f).Validate(b <= 8 ? 1 : 2); }
            catch (ArgumentException e) { throw new ArgumentException($"--gamma {GammaFor(b)} with {b} bits: {e.Message}", "gamma"); }
        }
        foreach (var (lr, name) in new[] { (AdamLr, "adam-lr"), (MadamLr, "madam-lr"), (LnsLr, "lr") })
            if (!(lr > 0) || !double.IsFinite(lr)) throw new ArgumentException($"--{name} {lr} must be finite and > 0.", name);
        _ = MomentMode;
        Device.Validate();
        if (!BackendNames.Contains(Backend)) throw new ArgumentException($"--backend '{Backend}' is unknown; valid: {string.Join(", ", BackendNames)}.", "backend");
        TrainBase.Validate();
        if (EnergyTable is not null) LoadEnergyTable();
    }
}
