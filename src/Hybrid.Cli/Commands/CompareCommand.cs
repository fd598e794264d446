using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid compare</c>: the same model, data and epochs as float32 Adam and Madam, FP8/INT8-style
/// baselines, weights-only LNS and full-LNS rows, over one or more seeds; a report with tables and plots.
/// A preset fills the study; every option given on the command line replaces the preset's value.
/// </summary>
public static class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = new CompareSettings(CompareSettings.DefaultBits);
        var preset = new Option<string>("--preset") { Description = $"Study to run: {string.Join(", ", CompareSettings.Presets)} " +
            "(weights-only: float rows and LNS weights at 16…4 bits; lns-madam: baselines and full LNS, GEMMs in lns8/8, updates at 16, 14, 12, 10 bits).",
            DefaultValueFactory = _ => CompareSettings.WeightsOnly };
        var bits = new Option<string?>("--bits") { Description = "Weights-only LNS rows: bit widths, comma-separated (preset: weights-only 16,12,10,8,6,5,4; lns-madam none)." };
        var updateBits = new Option<string?>("--update-bits") { Description = "Full-LNS rows: update/storage widths B_u, comma-separated (lns-madam: 16,14,12,10)." };
        var forwardBits = new Option<int>("--forward-bits") { Description = "Full-LNS rows: bits of the GEMM format B_f.", DefaultValueFactory = _ => d.ForwardBits };
        var forwardGamma = new Option<float>("--forward-gamma") { Description = "Full-LNS rows: γ_f of the GEMM format.", DefaultValueFactory = _ => d.ForwardGamma };
        var variants = new Option<string?>("--variants") { Description = "Full-LNS update rules: authors (deterministic rounding), stochastic (ours); comma-separated." };
        var fullLr = new Option<double>("--full-lr") { Description = "Full-LNS rows' learning rate (default ln 2 / 128: the authors' 1/128 in log2 units).", DefaultValueFactory = _ => d.FullLr };
        var quantize = new Option<string[]>("--quantize") { Description = "Full-LNS rows: TENSOR=FORMAT for weights, activations, errors or gradients; " +
            "FORMAT is off, lns<B>[/<γ>], fp8-e4m3, fp8-e5m2 or int8, then :nearest|:stochastic and :max-abs|:running. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var gemm = new Option<string>("--gemm") { Description = "Full-LNS GEMMs: fast (grid values multiplied in float32) or exact (the LNS datapath).", DefaultValueFactory = _ => d.Gemm };
        var accBits = new Option<int>("--accumulator-bits") { Description = "Exact GEMM: bucket accumulator width W (2–32).", DefaultValueFactory = _ => d.AccumulatorBits };
        var fracBits = new Option<int>("--fraction-bits") { Description = "Exact GEMM: fraction bits F of the accumulator (0 … W−2).", DefaultValueFactory = _ => d.FractionBits };
        var baselines = new Option<string?>("--baselines") { Description = "Cheap baselines: fp8, int8; comma-separated (lns-madam: both)." };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per row (--seed, --seed + 1, …): accuracy as mean ± 95 % interval.", DefaultValueFactory = _ => d.Seeds };
        var memoryModel = new Option<string?>("--memory-model") { Description = "compulsory (each tensor a pass uses moved once; the default) or dataflow (GEMM operands through register files, a PE array, the SRAM and DRAM)." };
        var sram = new Option<int>("--sram-kib") { Description = "On-chip SRAM of the memory model, KiB (0: all DRAM); priced by the table's sram<KiB>KiB64 event.", DefaultValueFactory = _ => d.SramKib };
        var quick = new Option<bool>("--quick") { Description = "A fast look: 2 epochs unless --epochs is given." };
        var epochs = new Option<int?>("--epochs") { Description = $"Epochs per row (default {d.Epochs}; 2 with --quick)." };
        var model = new Option<string>("--model") { Description = "mlp or cnn (quantised rows need mlp).", DefaultValueFactory = _ => d.Model };
        var depth = new Option<int>("--depth") { Description = "Hidden layers.", DefaultValueFactory = _ => d.Depth };
        var width = new Option<int>("--width") { Description = "Units per hidden layer.", DefaultValueFactory = _ => d.Width };
        var batch = new Option<int>("--batch-size") { Description = "Examples per batch.", DefaultValueFactory = _ => d.BatchSize };
        var seed = new Option<long>("--seed") { Description = "First seed of weights, batch order and rounding.", DefaultValueFactory = _ => d.Seed };
        var data = new Option<string?>("--data") { Description = DataSelectionOptions.DataDescription };
        var task = DataSelectionOptions.Task();
        var trainSize = DataSelectionOptions.TrainSize();
        var normalize = new Option<string>("--normalize") { Description = "none, standard or sphere.", DefaultValueFactory = _ => d.Normalize };
        var lr = new Option<double>("--lr") { Description = "Weights-only LNS rows' learning rate.", DefaultValueFactory = _ => d.LnsLr };
        var adamLr = new Option<double>("--adam-lr") { Description = "Adam rows' learning rate (float32 and baselines).", DefaultValueFactory = _ => d.AdamLr };
        var madamLr = new Option<double>("--madam-lr") { Description = "Madam row's learning rate.", DefaultValueFactory = _ => d.MadamLr };
        var gamma = new Option<float?>("--gamma") { Description = "γ for every weights-only LNS row (default: per bit width, 16 octaves of range)." };
        var moment = new Option<string>("--moment") { Description = "Second moment: per-synapse, per-neuron, per-tensor or none.", DefaultValueFactory = _ => d.Moment };
        var nearest = new Option<bool>("--nearest-rounding") { Description = "Weights-only rows: round code steps to nearest instead of stochastically." };
        var noise = new Option<float?>("--device-noise") { Description = "Shorthand: cycle-to-cycle noise and device-to-device gain spread both set to this sd." };
        var c2c = new Option<float>("--c2c-noise") { Description = "Cycle-to-cycle relative step noise (sd), 0–10." };
        var d2d = new Option<float>("--d2d-gain-sd") { Description = "Device-to-device step-gain spread (sd), 0–10." };
        var asym = new Option<float>("--asymmetry") { Description = "Up/down asymmetry, in (-1, 1)." };
        var stuck = new Option<float>("--stuck-fraction") { Description = "Fraction of synapses that never move, 0–1." };
        var backend = new Option<string>("--backend") { Description = $"Synapse backend of the LNS rows: {BackendNames.List}.", DefaultValueFactory = _ => d.Backend };
        var energy = new Option<string?>("--energy-table") { Description = "JSON file of per-event energies in pJ (default: Horowitz 45 nm with the LNS-Madam PE ratios)." };
        var noAdam = new Option<bool>("--no-adam") { Description = "Leave out the float32 Adam row." };
        var noMadam = new Option<bool>("--no-madam") { Description = "Leave out the float32 Madam row." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/compare-<time>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the comparison in this folder (same settings)." };

        var command = new Command("compare", "Train the same model as float32 Adam and Madam, FP8/INT8 baselines and LNS synapses (weights only, " +
            "or every tensor of the step); report accuracy over seeds, memory, full-step energy and time.");
        foreach (var o in new Option[] { preset, bits, updateBits, forwardBits, forwardGamma, variants, fullLr, quantize, gemm, accBits, fracBits,
                     baselines, seeds, sram, memoryModel, quick, epochs, model, depth, width, batch, seed, data, task, trainSize, normalize, lr, adamLr,
                     madamLr, gamma, moment, nearest, noise, c2c, d2d, asym, stuck, backend, energy, noAdam, noMadam, output, resume })
            command.Options.Add(o);
        Func<ParseResult, CompareSettings> read = parse =>
        {
            var p = CompareSettings.ForPreset(parse.GetValue(preset)!);
            float? level = parse.GetValue(noise);
            return p with
            {
                Bits = parse.GetValue(bits) is { } b ? ParseInts(b, "--bits") : p.Bits,
                UpdateBits = parse.GetValue(updateBits) is { } u ? ParseInts(u, "--update-bits") : p.UpdateBits,
                Variants = parse.GetValue(variants) is { } v ? ParseNames(v) : p.Variants,
                Baselines = parse.GetValue(baselines) is { } bl ? ParseNames(bl) : p.Baselines,
                ForwardBits = parse.GetValue(forwardBits), ForwardGamma = parse.GetValue(forwardGamma), FullLr = parse.GetValue(fullLr),
                Quantize = parse.GetValue(quantize) is { Length: > 0 } q ? q : null,
                Gemm = parse.GetValue(gemm)!, AccumulatorBits = parse.GetValue(accBits), FractionBits = parse.GetValue(fracBits),
                Seeds = parse.GetValue(seeds), SramKib = parse.GetValue(sram), MemoryModel = parse.GetValue(memoryModel),
                Model = parse.GetValue(model)!, Depth = parse.GetValue(depth), Width = parse.GetValue(width),
                Epochs = parse.GetValue(epochs) ?? (parse.GetValue(quick) ? 2 : p.Epochs), BatchSize = parse.GetValue(batch),
                Seed = parse.GetValue(seed), Data = parse.GetValue(data), Normalize = parse.GetValue(normalize)!,
                AdamLr = parse.GetValue(adamLr), MadamLr = parse.GetValue(madamLr), LnsLr = parse.GetValue(lr), Gamma = parse.GetValue(gamma),
                Moment = parse.GetValue(moment)!, NearestRounding = parse.GetValue(nearest),
                C2cNoise = level ?? parse.GetValue(c2c), D2dGainSd = level ?? parse.GetValue(d2d),
                Asymmetry = parse.GetValue(asym), StuckFraction = parse.GetValue(stuck), Backend = parse.GetValue(backend)!,
                EnergyTable = parse.GetValue(energy), IncludeAdam = !parse.GetValue(noAdam), IncludeMadam = !parse.GetValue(noMadam),
                Task = parse.GetValue(task), TrainSize = parse.GetValue(trainSize),
            };
        };
        command.SetAction(parse =>
        {
            try
            {
                return Run(read(parse), parse.GetValue(output), parse.GetValue(resume));
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                return CliErrors.Report(e);
            }
        });
        Settings.Add(command, read);
        return command;
    }

    private static int[] ParseInts(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries)
                .Select(t => int.Parse(t, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"{option} '{text}' must be comma-separated integers, e.g. 16,8,4.", option.TrimStart('-'));
        }
    }

    private static string[] ParseNames(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).ToArray();

    private static int Run(CompareSettings settings, string? output, string? resume)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable();
        var folder = RunFolderOptions.Choose(output, resume, "compare");
        // one process per comparison: a second one is refused, naming the holder
        using var held = RunFolderOptions.Lock(folder, resume is null ? "--out" : "--resume");
        Tables.Line($"[bold]hybrid compare[/] → {Markup.Escape(folder.Path)}");
        using var cts = CliCancel.OnCtrlC();
        var rows = CompareExperiment.Run(settings, folder, resume is not null, body => ConsoleProgress.Run(body), cts.Token);
        var summaries = CompareSummary.Of(rows);
        WriteTable(summaries);
        Tables.Line($"[grey]* {Markup.Escape(CompareReport.EnergyCaveat)}[/]");
        Tables.Line($"report: {Markup.Escape(folder.File("report.md"))}");
        return rows.All(r => r.Status == "completed") ? 0 : 3;
    }

    // a Spectre table on a terminal, a markdown table when piped (Tables)
    private static void WriteTable(IReadOnlyList<CompareSummary> rows)
    {
        var reference = CompareReport.Reference(rows);
        var inv = CultureInfo.InvariantCulture;
        Tables.Write(["row", "bits", "GEMM", "test acc (%)", $"vs {reference?.Name}", "µJ/step*", "compute", "memory", "mJ/epoch*", "weights KiB", "s/epoch"],
            rows.Select(r => (IReadOnlyList<string>)[r.Name, r.BitsPerSynapse.ToString(inv), r.GemmFormat,
                r.TestAccuracy.Format("F2", 100), reference is null ? "—" : CompareReport.Difference(r, reference),
                string.Create(inv, $"{r.EnergyPerStepPj.Mean / 1e6:F1}"), string.Create(inv, $"{r.ComputePerStepPj / 1e6:F1}"),
                string.Create(inv, $"{r.MemoryPerStepPj / 1e6:F1}"), string.Create(inv, $"{r.EnergyPerEpochPj / 1e9:F2}"),
                string.Create(inv, $"{r.WeightBytes / 1024.0:F1}"), string.Create(inv, $"{r.EpochSeconds:F2}")]),
            [false, true, false, true, true, true, true, true, true, true, true]);
    }
}
