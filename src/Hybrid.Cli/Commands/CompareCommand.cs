using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Trainer;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid compare</c>: the same model, data, seed and epochs as float32 Adam, float32 Madam and
/// LNS synapses at several bit widths; a report with the table and plots.
/// </summary>
public static class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = new CompareSettings(CompareSettings.DefaultBits);
        var bits = new Option<string>("--bits") { Description = "LNS bit widths, comma-separated.", DefaultValueFactory = _ => string.Join(",", CompareSettings.DefaultBits) };
        var quick = new Option<bool>("--quick") { Description = "A fast look (about a minute on 2 cores): 2 epochs unless --epochs is given." };
        var epochs = new Option<int?>("--epochs") { Description = $"Epochs per row (default {d.Epochs}; 2 with --quick)." };
        var model = new Option<string>("--model") { Description = "mlp or cnn.", DefaultValueFactory = _ => d.Model };
        var depth = new Option<int>("--depth") { Description = "Hidden layers.", DefaultValueFactory = _ => d.Depth };
        var width = new Option<int>("--width") { Description = "Units per hidden layer.", DefaultValueFactory = _ => d.Width };
        var batch = new Option<int>("--batch-size") { Description = "Examples per batch.", DefaultValueFactory = _ => d.BatchSize };
        var seed = new Option<long>("--seed") { Description = "Seed of weights, batch order and rounding.", DefaultValueFactory = _ => d.Seed };
        var data = new Option<string?>("--data") { Description = DataSelectionOptions.DataDescription };
        var task = DataSelectionOptions.Task();
        var trainSize = DataSelectionOptions.TrainSize();
        var normalize = new Option<string>("--normalize") { Description = "none, standard or sphere.", DefaultValueFactory = _ => d.Normalize };
        var lr = new Option<double>("--lr") { Description = "LNS rows' learning rate.", DefaultValueFactory = _ => d.LnsLr };
        var adamLr = new Option<double>("--adam-lr") { Description = "Adam row's learning rate.", DefaultValueFactory = _ => d.AdamLr };
        var madamLr = new Option<double>("--madam-lr") { Description = "Madam row's learning rate.", DefaultValueFactory = _ => d.MadamLr };
        var gamma = new Option<float?>("--gamma") { Description = "γ for every LNS row (default: per bit width, 8 octaves of range)." };
        var moment = new Option<string>("--moment") { Description = "Second moment: per-synapse, per-neuron, per-tensor or none.", DefaultValueFactory = _ => d.Moment };
        var nearest = new Option<bool>("--nearest-rounding") { Description = "Round code steps to nearest (the anchors' choice) instead of stochastically." };
        var noise = new Option<float?>("--device-noise") { Description = "Shorthand: cycle-to-cycle noise and device-to-device gain spread both set to this sd." };
        var c2c = new Option<float>("--c2c-noise") { Description = "Cycle-to-cycle relative step noise (sd), 0–10." };
        var d2d = new Option<float>("--d2d-gain-sd") { Description = "Device-to-device step-gain spread (sd), 0–10." };
        var asym = new Option<float>("--asymmetry") { Description = "Up/down asymmetry, in (-1, 1)." };
        var stuck = new Option<float>("--stuck-fraction") { Description = "Fraction of synapses that never move, 0–1." };
        var backend = new Option<string>("--backend") { Description = $"Synapse backend of the LNS rows: {BackendNames.List}.", DefaultValueFactory = _ => d.Backend };
        var energy = new Option<string?>("--energy-table") { Description = "JSON file of per-event energies in pJ (default: Horowitz 45 nm)." };
        var noAdam = new Option<bool>("--no-adam") { Description = "Leave out the float32 Adam row." };
        var noMadam = new Option<bool>("--no-madam") { Description = "Leave out the float32 Madam row." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/compare-<time>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the comparison in this folder (same settings)." };

        var command = new Command("compare", "Train the same model as float32 Adam, float32 Madam and LNS synapses at several bit widths; report accuracy, memory, energy and time.");
        foreach (var o in new Option[] { bits, quick, epochs, model, depth, width, batch, seed, data, task, trainSize, normalize, lr, adamLr, madamLr,
                     gamma, moment, nearest, noise, c2c, d2d, asym, stuck, backend, energy, noAdam, noMadam, output, resume })
            command.Options.Add(o);
        Func<ParseResult, CompareSettings> read = parse =>
        {
            float? level = parse.GetValue(noise);
            return new CompareSettings(ParseBits(parse.GetValue(bits)!), parse.GetValue(model)!, parse.GetValue(depth),
                parse.GetValue(width), parse.GetValue(epochs) ?? (parse.GetValue(quick) ? 2 : d.Epochs), parse.GetValue(batch),
                parse.GetValue(seed), parse.GetValue(data), parse.GetValue(normalize)!, parse.GetValue(adamLr), parse.GetValue(madamLr),
                parse.GetValue(lr), parse.GetValue(gamma), parse.GetValue(moment)!, parse.GetValue(nearest),
                level ?? parse.GetValue(c2c), level ?? parse.GetValue(d2d),
                parse.GetValue(asym), parse.GetValue(stuck), parse.GetValue(backend)!, parse.GetValue(energy),
                !parse.GetValue(noAdam), !parse.GetValue(noMadam), parse.GetValue(task), parse.GetValue(trainSize));
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

    private static int[] ParseBits(string text)
    {
        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries)
                .Select(t => int.Parse(t, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"--bits '{text}' must be comma-separated integers, e.g. 16,8,4.", "bits");
        }
    }

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
        var inv = CultureInfo.InvariantCulture;
        Tables.Write(["row", "bits", "test acc", "train loss", "s/epoch", "weights KiB", "state KiB", "µJ/step*", "changed/step"],
            rows.Select(r => (IReadOnlyList<string>)[r.Name, r.BitsPerSynapse.ToString(inv), string.Create(inv, $"{100 * r.TestAccuracy:F2}%"),
                r.FinalTrainLoss.ToString("F4", inv), r.EpochSeconds.ToString("F2", inv), (r.WeightBytes / 1024.0).ToString("F1", inv),
                (r.StateBytes / 1024.0).ToString("F1", inv), (r.EnergyPerStepPj / 1e6).ToString("F3", inv), r.CodesChangedPerStep.ToString("F0", inv)]),
            [false, true, true, true, true, true, true, true, true]);
        Tables.Line($"[grey]* {Markup.Escape(CompareReport.EnergyCaveat)}[/]");
        Tables.Line($"report: {Markup.Escape(folder.File("report.md"))}");
        return rows.All(r => r.Status == "completed") ? 0 : 3;
    }
}
