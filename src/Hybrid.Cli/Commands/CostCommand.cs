using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Cost;
using Hybrid.Synapse.Energy;
using Hybrid.Synapse.Energy.Architectures;
using Hybrid.Synapse.Energy.Dataflow;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid cost</c>: the full-step energy of a standard architecture (ResNet-18/50, BERT-base, GPT-2 small at their
/// real input sizes) for every row format, without training it; a report, CSV/JSON and plots.
/// </summary>
public static class CostCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = new CostSettings();
        var model = new Option<string>("--model") { Description = $"Network: {string.Join(", ", StandardNetworks.Names)}.", DefaultValueFactory = _ => d.Model };
        var batch = new Option<long>("--batch") { Description = "Examples per step.", DefaultValueFactory = _ => d.Batch };
        var sram = new Option<int>("--sram-kib") { Description = "On-chip SRAM (global buffer), KiB (0: all DRAM); priced by the table's sram<KiB>KiB64 event.", DefaultValueFactory = _ => d.SramKib };
        var energy = new Option<string?>("--energy-table") { Description = "JSON file of per-event energies in pJ (default: Horowitz 45 nm with the LNS-Madam PE ratios)." };
        var moment = new Option<string>("--moment") { Description = "Madam and LNS rows' second moment: per-synapse, per-neuron, per-tensor or none.", DefaultValueFactory = _ => d.Moment };
        var momentFormat = new Option<string>("--moment-format") { Description = $"Every row's optimiser-state precision: {string.Join(", ", StateFormats.Names)}.", DefaultValueFactory = _ => d.MomentFormat };
        var lnsBits = new Option<string>("--lns-bits") { Description = "LNS-Madam row: B_f/B_u (GEMM bits / storage and update bits).", DefaultValueFactory = _ => d.LnsBits };
        var weightsBits = new Option<int>("--weights-only-bits") { Description = "Weights-only LNS row: storage bits.", DefaultValueFactory = _ => d.WeightsOnlyBits };
        var memoryModel = new Option<string>("--memory-model") { Description = "compulsory (each tensor a pass uses moved once) or dataflow (GEMMs through register files, a PE array, the SRAM and DRAM).", DefaultValueFactory = _ => d.MemoryModel };
        var dataflow = new Option<string>("--dataflow") { Description = $"The dataflow model's mapping: {string.Join(", ", DataflowSpec.KindNames)}.", DefaultValueFactory = _ => d.Dataflow };
        var fuse = new Option<bool>("--fuse-gradient") { Description = "Hardware option: the weight gradient goes straight into the update unit (never stored)." };
        var unfused = new Option<bool>("--unfused-attention") { Description = "Write attention's scores and probabilities to memory instead of recomputing them (FlashAttention)." };
        var noCurves = new Option<bool>("--no-curves") { Description = "Leave out the curves over SRAM size and moment precision." };
        var output = new Option<string?>("--out") { Description = "Folder for the report (default: runs/cost-<time>)." };
        var command = new Command("cost", "Price one training step of a standard network (resnet18, resnet50, bert-base, gpt2-small) for every row format — " +
            "fp32, bf16, FP8, INT8 Adam, LNS-Madam and weights-only LNS — without training it.");
        foreach (var o in new Option[] { model, batch, sram, energy, moment, momentFormat, lnsBits, weightsBits, memoryModel, dataflow, fuse, unfused, noCurves, output })
            command.Options.Add(o);
        Func<ParseResult, CostSettings> read = parse => new CostSettings(parse.GetValue(model)!, parse.GetValue(batch), parse.GetValue(sram),
            parse.GetValue(energy), parse.GetValue(moment)!, parse.GetValue(momentFormat)!, parse.GetValue(lnsBits)!, parse.GetValue(weightsBits),
            parse.GetValue(memoryModel)!, parse.GetValue(dataflow)!, parse.GetValue(fuse), parse.GetValue(unfused), !parse.GetValue(noCurves));
        command.SetAction(parse =>
        {
            try
            {
                return Run(read(parse), parse.GetValue(output));
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                return CliErrors.Report(e);
            }
        });
        Settings.Add(command, read);
        return command;
    }

    private static int Run(CostSettings settings, string? output)
    {
        settings.Validate();
        var folder = RunFolderOptions.Choose(output, null, "cost");
        using var held = RunFolderOptions.Lock(folder, "--out");
        Tables.Line($"[bold]hybrid cost[/] {Markup.Escape(settings.Model)}, batch {settings.Batch} → {Markup.Escape(folder.Path)}");
        var o = CostExperiment.Run(settings, folder);
        var inv = CultureInfo.InvariantCulture;
        double fp32 = o.Results[0].Priced.TotalPj, fp8 = o.Results.First(r => r.Row.Key == "fp8").Priced.TotalPj;
        Tables.Write(["row", "mJ/step*", "compute", "memory", "÷ fp32 Adam", "÷ FP8 Adam"],
            o.Results.Select(r => (IReadOnlyList<string>)[r.Row.Name, string.Create(inv, $"{r.Priced.TotalPj / 1e9:F2}"),
                string.Create(inv, $"{r.Priced.ComputePj / 1e9:F2}"), string.Create(inv, $"{r.Priced.MemoryPj / 1e9:F2}"),
                CostReport.Ratio(fp32, r.Priced.TotalPj), CostReport.Ratio(fp8, r.Priced.TotalPj)]),
            [false, true, true, true, true, true]);
        Tables.Line($"[grey]* {Markup.Escape(CompareReport.EnergyCaveat)} Memory model: {Markup.Escape(settings.MemoryModel)}.[/]");
        Tables.Line($"report: {Markup.Escape(folder.File("report.md"))}");
        return 0;
    }
}
