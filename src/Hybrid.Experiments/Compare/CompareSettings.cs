using System.Text.Json.Serialization;
using Hybrid.Experiments.Train;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;
using Hybrid.Experiments.Options;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Compare;

/// <summary>
/// Everything <c>hybrid compare</c> needs to be repeated (config.json): one model, data set and schedule,
/// trained over <see cref="Seeds"/> seeds as float32 Adam and Madam, cheap FP8/INT8-style baselines,
/// weights-only LNS synapse models (<see cref="Bits"/>) and full-LNS models (<see cref="UpdateBits"/>:
/// every GEMM tensor in the <see cref="ForwardBits"/>/<see cref="ForwardGamma"/> LNS format, weights
/// stored and updated at B_u). Presets (<see cref="ForPreset"/>) fill in the studies; every value is
/// checked by <see cref="Validate"/> before any work starts — the energy table included, against every
/// event the rows' ledgers will need.
/// </summary>
public sealed record CompareSettings(
    int[] Bits, string Model = "mlp", int Depth = 2, int Width = 256, int Epochs = 10, int BatchSize = 128,
    long Seed = 0, string? Data = null, string Normalize = "standard", double AdamLr = 1e-3, double MadamLr = 0.01,
    double LnsLr = 0.01, float? Gamma = null, string Moment = "per-synapse", bool NearestRounding = false,
    float C2cNoise = 0, float D2dGainSd = 0, float Asymmetry = 0, float StuckFraction = 0,
    string? Backend = null, string? EnergyTable = null, bool IncludeAdam = true, bool IncludeMadam = true,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Task = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TrainSize = null,
    string Preset = CompareSettings.WeightsOnly, int Seeds = 1, int[]? UpdateBits = null, int ForwardBits = 8,
    float ForwardGamma = 8, string[]? Quantize = null, string Gemm = "fast", int AccumulatorBits = 32, int FractionBits = 24,
    string[]? Variants = null, double FullLr = CompareSettings.LogTwoOver128, string[]? Baselines = null, int SramKib = 1024,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MemoryModel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LrSchedule = null)
{
    /// <summary>Every row's learning-rate schedule over the epochs (<c>--lr-schedule</c>; null: constant).</summary>
    [JsonIgnore]
    public Func<int, double>? LearningRateFactor => LearningRateSchedules.Parse(LrSchedule ?? "constant", Epochs);

    /// <summary>The default comparison (the preset's name is older than its full-LNS row): float rows, weights-only LNS rows
    /// at <see cref="DefaultBits"/> and one full-LNS row, LNS-Madam 8/<see cref="DefaultUpdateBits"/> with stochastic rounding
    /// (issue 21: fast mode within 1.5× of a float32 step, so the main job shows the whole step in LNS too).</summary>
    public const string WeightsOnly = "weights-only";
    /// <summary>The LNS-Madam study: baselines and full-LNS rows over update widths.</summary>
    public const string LnsMadam = "lns-madam";
    /// <summary>The presets.</summary>
    public static readonly IReadOnlyList<string> Presets = [WeightsOnly, LnsMadam];
    /// <summary>The authors' learning rate, 1/128 in log2 units, as Madam's natural-log rate: ln 2 / 128.</summary>
    public const double LogTwoOver128 = 0.0054152123481245725;
    /// <summary>Full-LNS update rules: the authors' (deterministic rounding) and ours (stochastic rounding).</summary>
    public static readonly IReadOnlyList<string> VariantNames = ["authors", "stochastic"];
    /// <summary>Baseline names.</summary>
    public static readonly IReadOnlyList<string> BaselineNames = ["fp8", "int8"];

    /// <summary>The default bit widths of the weights-only LNS rows.</summary>
    public static readonly int[] DefaultBits = [16, 12, 10, 8, 6, 5, 4];

    /// <summary>The default full-LNS row's update width B_u (with the <c>stochastic</c> variant; <c>--update-bits none</c> drops it).</summary>
    public static readonly int[] DefaultUpdateBits = [12];

    /// <summary>The settings a preset starts from (options given on the command line replace them).</summary>
    public static CompareSettings ForPreset(string preset) => preset.Trim().ToLowerInvariant() switch
    {
        WeightsOnly => new CompareSettings(DefaultBits, UpdateBits: DefaultUpdateBits, Variants: [VariantNames[1]]),
        LnsMadam => new CompareSettings([], Preset: LnsMadam, UpdateBits: [16, 14, 12, 10], Variants: ["authors", "stochastic"],
            Baselines: ["fp8", "int8"]),
        _ => throw new ArgumentException($"--preset '{preset}' is unknown; presets: {string.Join(", ", Presets)}.", "preset"),
    };

    /// <summary>The synapse backend of the LNS rows and quantisers: <see cref="Backend"/>, or the default rule's (<see cref="SynapseBackends.Resolve"/>).</summary>
    public string EffectiveBackend => SynapseBackends.Resolve(Backend);

    /// <summary>The moment mode.</summary>
    [JsonIgnore]
    public MomentMode MomentMode => Moments.Parse(Moment);

    /// <summary>The device model of the LNS rows.</summary>
    [JsonIgnore]
    public DeviceModel Device => new(C2cNoise, D2dGainSd, Asymmetry, StuckFraction);

    /// <summary>The seeds of every row: Seed, Seed + 1, …</summary>
    [JsonIgnore]
    public IReadOnlyList<long> SeedList => Enumerable.Range(0, Seeds).Select(i => Seed + i).ToList();

    /// <summary>The memory the ledger places tensors in.</summary>
    [JsonIgnore]
    public MemoryHierarchy Memory => new(1024L * SramKib, MemoryHierarchy.ParseModel(MemoryModel ?? "compulsory"));

    /// <summary>γ for a bit width: <see cref="Gamma"/> if set, else <see cref="LnsModels.DefaultGamma"/>.</summary>
    public float GammaFor(int bits) => Gamma ?? LnsModels.DefaultGamma(bits);

    /// <summary>The energy table: the file if given, else Horowitz 45 nm with the LNS PE figures.</summary>
    public EnergyTable LoadEnergyTable() => EnergyTable is null ? Synapse.Energy.EnergyTable.Horowitz45nm : Synapse.Energy.EnergyTable.Load(EnergyTable);

    /// <summary>The optimiser of the weights-only LNS row at <paramref name="bits"/>.</summary>
    public OptimizerSpec LnsSpec(int bits) => new("lns-madam", LnsLr, Bits: bits, Gamma: GammaFor(bits),
        Rounding: NearestRounding ? "nearest" : "stochastic", Moment: Moment, C2cNoise: C2cNoise, D2dGainSd: D2dGainSd,
        Asymmetry: Asymmetry, StuckFraction: StuckFraction, Backend: Backend);

    /// <summary>The optimiser of a full-LNS row: update width <paramref name="bits"/> (its default γ), the full rows'
    /// learning rate, and the variant's rule (authors, as their reference optimiser: ĝ rounded to an integer and the code
    /// step rounded to nearest; stochastic, ours: ĝ as it is and the code step rounded stochastically).</summary>
    public OptimizerSpec FullSpec(int bits, string variant) => new("lns-madam", FullLr, Bits: bits, Gamma: LnsModels.DefaultGamma(bits),
        Rounding: variant == "authors" ? "nearest" : "stochastic", Moment: Moment, C2cNoise: C2cNoise, D2dGainSd: D2dGainSd,
        Asymmetry: Asymmetry, StuckFraction: StuckFraction, Backend: Backend, RoundGradient: variant == "authors" ? true : null);

    /// <summary>
    /// The arithmetic of the full-LNS rows: weights (from their update format) and activations to lns B_f/γ_f with
    /// nearest rounding, errors and weight gradients to lns B_f/γ_f with stochastic rounding (unbiased: small errors
    /// survive in expectation), max-abs scales; then <see cref="Quantize"/>'s overrides; the GEMM mode.
    /// </summary>
    public StepArithmetic FullArithmetic()
    {
        var f = new QuantizerSpec(Synapse.Arithmetic.NumberFormat.Lns(ForwardBits, ForwardGamma));
        var s = f with { Rounding = RoundingMode.Stochastic };
        var a = new StepArithmetic(f, f, s, s, ParseGemm(Gemm), AccumulatorBits, FractionBits);
        foreach (var q in Quantize ?? []) a = a.With(q);
        return a;
    }

    /// <summary>The GEMM mode from its option text.</summary>
    public static GemmMode ParseGemm(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fast" => GemmMode.Fast,
        "exact" => GemmMode.Exact,
        _ => throw new ArgumentException($"--gemm '{text}' is unknown; valid: fast, exact.", "gemm"),
    };

    /// <summary>The training settings shared by every row (optimiser filled in per row).</summary>
    public TrainSettings TrainBase => new(Model, Depth, Width, Epochs: Epochs, BatchSize: BatchSize, Seed: Seed, Data: Data,
        Normalize: Normalize, Task: Task, TrainSize: TrainSize, LrSchedule: LrSchedule ?? "constant");

    /// <summary>Checks every value; the message names the option and the valid range. Each row's optimiser is
    /// checked by the optimiser catalog (the same rules as <c>hybrid train</c>), each row's arithmetic by its own
    /// rules, and the energy table against every event the rows' ledgers need.</summary>
    public void Validate()
    {
        if (!Presets.Contains(Preset)) throw new ArgumentException($"--preset '{Preset}' is unknown; presets: {string.Join(", ", Presets)}.", "preset");
        if (Seeds is < 1 or > 100) throw new ArgumentException($"--seeds {Seeds} must be in [1, 100].", "seeds");
        if (Bits.Distinct().Count() != Bits.Length) throw new ArgumentException($"--bits lists a width twice: {string.Join(",", Bits)}.", "bits");
        var update = UpdateBits ?? [];
        if (update.Distinct().Count() != update.Length) throw new ArgumentException($"--update-bits lists a width twice: {string.Join(",", update)}.", "update-bits");
        foreach (var v in Variants ?? [])
            if (!VariantNames.Contains(v)) throw new ArgumentException($"--variants: '{v}' is unknown; valid: {string.Join(", ", VariantNames)}.", "variants");
        foreach (var b in Baselines ?? [])
            if (!BaselineNames.Contains(b)) throw new ArgumentException($"--baselines: '{b}' is unknown; valid: {string.Join(", ", BaselineNames)}.", "baselines");
        if (update.Length > 0 && (Variants ?? []).Length == 0)
            throw new ArgumentException("--update-bits needs at least one of --variants authors,stochastic.", "variants");
        // every option is checked whether or not a row uses it (issue 22): the LNS rows' through a representative row when none runs
        foreach (int b in Bits.Length > 0 ? Bits : [8]) OptimizerCatalog.Validate(LnsSpec(b));
        FullArithmetic().Validate();
        foreach (int b in update.Length > 0 ? update : [16])
            foreach (var v in (Variants ?? []).Length > 0 ? Variants! : [VariantNames[1]])
                Row("lr", () => OptimizerCatalog.Validate(FullSpec(b, v)), "full-lr");
        RefuseWhatDoesNotApply(update.Length > 0);
        Row("adam-lr", () => OptimizerCatalog.Validate(new OptimizerSpec("adam", AdamLr)), "adam-lr");
        Row("madam-lr", () => OptimizerCatalog.Validate(new OptimizerSpec("madam", MadamLr)), "madam-lr");
        TrainBase.Validate();
        Memory.Validate(); // the model's name is checked by ParseModel (the message names --memory-model)
        var plan = ComparePlan.Rows(this);
        if (plan.Count == 0) throw new ArgumentException("nothing to compare: no rows.", "bits");
        // a FIFO would block the read; a missing file is the table reader's own error
        if (EnergyTable is not null && File.Exists(EnergyTable)) Hybrid.Synapse.Files.RegularFile.Require(EnergyTable, "an energy table (JSON)");
        // another model's ledger is its traced network, known once the data is loaded: CompareExperiment.Run checks it
        // before anything is written
        if (ModelSpec.ParseKind(Model) == ModelKind.Mlp) CompareEnergy.RequireEvents(this, plan, LoadEnergyTable());
        else if (EnergyTable is not null) LoadEnergyTable();
    }

    /// <summary>The full-LNS options when no full-LNS row runs, and the exact GEMM's accumulator with the fast GEMM, may only keep their
    /// defaults: a value given for them would be stored and never used.</summary>
    private void RefuseWhatDoesNotApply(bool fullRows)
    {
        var d = new CompareSettings(DefaultBits);
        bool fast = ParseGemm(Gemm) == GemmMode.Fast;
        (string Option, bool Given, string Why)[] checks =
        [
            ("forward-bits", ForwardBits != d.ForwardBits, "full-LNS rows (--update-bits)"),
            ("forward-gamma", ForwardGamma != d.ForwardGamma, "full-LNS rows (--update-bits)"),
            ("full-lr", FullLr != d.FullLr, "full-LNS rows (--update-bits)"),
            ("quantize", (Quantize ?? []).Length > 0, "full-LNS rows (--update-bits)"),
            ("gemm", !fast, "full-LNS rows (--update-bits)"),
            ("accumulator-bits", AccumulatorBits != d.AccumulatorBits, fullRows ? "--gemm exact" : "full-LNS rows (--update-bits) with --gemm exact"),
            ("fraction-bits", FractionBits != d.FractionBits, fullRows ? "--gemm exact" : "full-LNS rows (--update-bits) with --gemm exact"),
        ];
        foreach (var (option, given, why) in checks)
        {
            bool applies = option is "accumulator-bits" or "fraction-bits" ? fullRows && !fast : fullRows;
            if (given && !applies)
                throw new ArgumentException($"--{option} does not apply here: it sets {why}, and {(fullRows ? "--gemm is fast" : "no full-LNS row runs")}.", option);
        }
    }

    // a row's learning rate is --adam-lr, --madam-lr or --full-lr here, not --lr
    private static void Row(string option, Action validate, string rename)
    {
        try { validate(); }
        catch (ArgumentException e) when (e.ParamName == "lr")
        {
            throw new ArgumentException(e.Message.Replace("--lr", "--" + rename), rename);
        }
    }
}
