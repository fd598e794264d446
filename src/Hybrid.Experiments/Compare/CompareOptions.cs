using Hybrid.Experiments.Options;
using Hybrid.Synapse.Backends;

namespace Hybrid.Experiments.Compare;

/// <summary><c>hybrid compare</c>'s options. <c>--preset</c> chooses the settings the others change (<see cref="CompareExperiment"/>).</summary>
public static class CompareOptions
{
    private const string FullRows = "Full-LNS rows: ";

    /// <summary>Every option of the command.</summary>
    public static IEnumerable<SettingOption<CompareSettings>> Of(OptionBuilder<CompareSettings> o) =>
    [
        o.Text("--preset", $"Study to run: {string.Join(", ", CompareSettings.Presets)} (weights-only: float rows and LNS weights at 16…4 bits; " +
                           "lns-madam: baselines and full LNS, GEMMs in lns8/8, updates at 16, 14, 12, 10 bits).", null, s => s.Preset),
        o.Ints("--bits", "Weights-only LNS rows: bit widths, comma-separated (lns-madam: none).", (s, v) => s with { Bits = v }, s => s.Bits),
        o.Ints("--update-bits", FullRows + "update/storage widths B_u, comma-separated (lns-madam: 16,14,12,10).", (s, v) => s with { UpdateBits = v }, s => s.UpdateBits),
        o.Int("--forward-bits", FullRows + "bits of the GEMM format B_f.", (s, v) => s with { ForwardBits = v }, s => s.ForwardBits),
        o.Single("--forward-gamma", FullRows + "γ_f of the GEMM format.", (s, v) => s with { ForwardGamma = v }, s => s.ForwardGamma),
        o.Names("--variants", "Full-LNS update rules: authors (deterministic rounding), stochastic (ours); comma-separated (lns-madam: both).",
            (s, v) => s with { Variants = v }, s => s.Variants),
        o.Number("--full-lr", "Full-LNS rows' learning rate (ln 2 / 128: the authors' 1/128 in log2 units).", (s, v) => s with { FullLr = v }, s => s.FullLr),
        o.Repeated("--quantize", FullRows + "TENSOR=FORMAT for weights, activations, errors or gradients; FORMAT is off, lns<B>[/<γ>], fp8-e4m3, " +
                                 "fp8-e5m2 or int8, then :nearest|:stochastic and :max-abs|:running. Repeatable.", (s, v) => s with { Quantize = v.Length > 0 ? v : null }),
        o.Text("--gemm", "Full-LNS GEMMs: fast (grid values multiplied in float32) or exact (the LNS datapath).", (s, v) => s with { Gemm = v }, s => s.Gemm),
        o.Int("--accumulator-bits", "Exact GEMM: bucket accumulator width W (2–32).", (s, v) => s with { AccumulatorBits = v }, s => s.AccumulatorBits),
        o.Int("--fraction-bits", "Exact GEMM: fraction bits F of the accumulator (0 … W−2).", (s, v) => s with { FractionBits = v }, s => s.FractionBits),
        o.Names("--baselines", "Cheap baselines: fp8, int8; comma-separated (lns-madam: both).", (s, v) => s with { Baselines = v }, s => s.Baselines),
        o.Int("--seeds", "Seeds per row (--seed, --seed + 1, …): accuracy as mean ± 95 % interval.", (s, v) => s with { Seeds = v }, s => s.Seeds),
        o.Int("--sram-kib", "On-chip SRAM of the memory model, KiB (0: all DRAM); priced by the table's sram<KiB>KiB64 event.",
            (s, v) => s with { SramKib = v }, s => s.SramKib),
        o.Text("--memory-model", "compulsory (each tensor a pass uses moved once) or dataflow (GEMM operands through register files, a PE array, the SRAM and DRAM).",
            (s, v) => s with { MemoryModel = v }, s => s.MemoryModel ?? "compulsory"),
        o.Epochs(s => s.Epochs, (s, v) => s with { Epochs = v }, "Epochs per row."),
        o.Model(s => s.Model, (s, v) => s with { Model = v }, ModelOptionTexts.ModelKinds),
        o.Depth(s => s.Depth, (s, v) => s with { Depth = v }, ModelOptionTexts.DepthMeaning),
        o.Width(s => s.Width, (s, v) => s with { Width = v }, ModelOptionTexts.WidthMeaning),
        o.BatchSize(s => s.BatchSize, (s, v) => s with { BatchSize = v }),
        o.Seed(s => s.Seed, (s, v) => s with { Seed = v }),
        o.Data(s => s.Data, (s, v) => s with { Data = v }),
        o.Task(s => s.Task, (s, v) => s with { Task = v }),
        o.TrainSize(s => s.TrainSize, (s, v) => s with { TrainSize = v },
            "Train on n examples: the first n of a random permutation of the training set drawn from --seed (not class-balanced; the test set stays whole)."),
        o.Normalize(s => s.Normalize, (s, v) => s with { Normalize = v }),
        o.Text("--lr-schedule", "Every row's learning rate over the epochs: constant or cosine (annealed towards 0; settles batch-norm " +
            "statistics, which a constant rate leaves lagging the weights at a short horizon).", (s, v) => s with { LrSchedule = v.Trim().Equals("constant", StringComparison.OrdinalIgnoreCase) ? null : v },
            s => s.LrSchedule ?? "constant"),
        o.Number("--lr", "Weights-only LNS rows' learning rate.", (s, v) => s with { LnsLr = v }, s => s.LnsLr),
        o.Number("--adam-lr", "Adam rows' learning rate (float32 and baselines).", (s, v) => s with { AdamLr = v }, s => s.AdamLr),
        o.Number("--madam-lr", "Madam row's learning rate.", (s, v) => s with { MadamLr = v }, s => s.MadamLr),
        o.Single("--gamma", "γ for every weights-only LNS row.", (s, v) => s with { Gamma = v }, s => s.Gamma?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "per bit width, 16 octaves of range"),
        o.Text("--moment", "Second moment: per-synapse, per-neuron, per-tensor or none.", (s, v) => s with { Moment = v }, s => s.Moment),
        o.Flag("--nearest-rounding", "Weights-only rows: round code steps to nearest instead of stochastically.", (s, v) => s with { NearestRounding = v || s.NearestRounding }),
        o.Single("--c2c-noise", "Cycle-to-cycle relative step noise (sd), 0–10.", (s, v) => s with { C2cNoise = v }, s => s.C2cNoise),
        o.Single("--d2d-gain-sd", "Device-to-device step-gain spread (sd), 0–10.", (s, v) => s with { D2dGainSd = v }, s => s.D2dGainSd),
        // after the two it sets, so that it wins over them
        o.Single("--device-noise", "Shorthand: cycle-to-cycle noise and device-to-device gain spread both set to this sd.",
            (s, v) => s with { C2cNoise = v, D2dGainSd = v }),
        o.Single("--asymmetry", "Up/down asymmetry, in (-1, 1).", (s, v) => s with { Asymmetry = v }, s => s.Asymmetry),
        o.Single("--stuck-fraction", "Fraction of synapses that never move, 0–1.", (s, v) => s with { StuckFraction = v }, s => s.StuckFraction),
        o.Text("--backend", $"Synapse backend of the LNS rows and quantisers: {string.Join(", ", SynapseBackends.Names)}.", (s, v) => s with { Backend = v },
            s => s.Backend ?? "native-cpu where libhybrid loads, else managed-simd"),
        o.Text("--energy-table", "JSON file of per-event energies in pJ.", (s, v) => s with { EnergyTable = v },
            s => s.EnergyTable ?? "Horowitz 45 nm with the LNS-Madam PE ratios"),
        o.Flag("--no-adam", "Leave out the float32 Adam row.", (s, v) => v ? s with { IncludeAdam = false } : s),
        o.Flag("--no-madam", "Leave out the float32 Madam row.", (s, v) => v ? s with { IncludeMadam = false } : s),
    ];
}
