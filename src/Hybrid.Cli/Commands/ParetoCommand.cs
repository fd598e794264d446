using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Pareto;
using Hybrid.Experiments.Sweeps;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid pareto SWEEP_FILE --baseline LABEL</c>: the accuracy–energy frontier over a sweep's finished runs (issue 24
/// item 3; docs/pareto.md) — works on Slurm-sharded sweeps, since it reads what <c>sweep merge</c> reads; <c>--run</c> runs the
/// sweep's unfinished runs first, so a recorded study reruns from its sweep file and one command.
/// </summary>
public static class ParetoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = new Argument<string>("sweep-file") { Description = "The sweep file whose runs to read (as sweep merge reads them)." };
        var baseline = new Option<string>("--baseline") { Description = "A substring of exactly one configuration's label (axis=value, …), e.g. optimizer=madam.", Required = true };
        var accuracy = new Option<string>("--accuracy-metric") { Description = "Higher-is-better metric.", DefaultValueFactory = _ => "test_accuracy" };
        var energy = new Option<string>("--energy-metric") { Description = "Lower-is-better metric: energy_per_step_pj is the full step's estimate that train runs record (Adam, Madam, LNS-Madam); update_energy_per_step_pj the synapse update's alone.", DefaultValueFactory = _ => "energy_per_step_pj" };
        var margins = new Option<string?>("--margins") { Description = "The table's accuracy margins in points, comma-separated (default 0.5,1,2)." };
        var sweepOut = new Option<string?>("--sweep-out") { Description = "The sweep's folder, when it was run with --out." };
        var output = new Option<string?>("--out") { Description = "Folder for report.md, frontier.csv and frontier.png (default: <sweep folder>/pareto); refused if it exists." };
        var run = new Option<bool>("--run") { Description = "Run the sweep's unfinished runs first, in this process (as sweep run does: finished runs are skipped, " +
            "interrupted ones resumed), so one command reproduces a recorded study." };
        var threads = new Option<int?>("--threads") { Description = "With --run: libtorch threads (as sweep run --threads; 1 is fastest for small models)." };
        var command = new Command("pareto", "The accuracy–energy frontier of a sweep: per configuration mean ± 95 % interval over seeds, frontier, dominated " +
            "and undecided points, and the cheapest configuration within 0.5 / 1 / 2 points of a baseline.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { baseline, accuracy, energy, margins, sweepOut, output, run, threads }) command.Options.Add(o);
        command.SetAction(parse => CliErrors.Guarded(() =>
        {
            var settings = new ParetoSettings(parse.GetValue(baseline)!, parse.GetValue(accuracy)!, parse.GetValue(energy)!,
                Margins: parse.GetValue(margins) is { } m ? Values.Numbers(m, "margins") : null);
            var plan = SweepPlan.Load(parse.GetValue(file)!, parse.GetValue(sweepOut));
            var folder = parse.GetValue(output) ?? Path.Combine(plan.Root, "pareto");
            // checked before any run: an hour of training is not lost to a folder that exists
            if (Directory.Exists(folder) || File.Exists(folder))
                throw new ArgumentException($"--out {folder} exists; choose another folder (a frontier is never written over).", "out");
            if (parse.GetValue(threads) is not null && !parse.GetValue(run)) throw new ArgumentException("--threads applies only with --run.", "threads");
            if (parse.GetValue(run))
            {
                int code = SweepConsole.Run(new SweepRunRequest(parse.GetValue(file)!, parse.GetValue(sweepOut), "0/1", null, parse.GetValue(threads), false));
                // a diverged run is a finished point of the study (merge leaves it out); a failed or stopped one is not
                if (code is not (0 or 4)) return code;
            }
            var study = ParetoStudy.FromMerged(SweepMerge.Collect(plan), settings);
            ParetoReport.Write(study, folder);
            var inv = CultureInfo.InvariantCulture;
            Tables.Write(["configuration", "accuracy", "energy", "standing"],
                study.Points.Select((p, i) => (IReadOnlyList<string>)[p.Label, string.Create(inv, $"{p.Accuracy.Mean:G4} ± {p.Accuracy.HalfWidth:G2}"),
                    string.Create(inv, $"{p.Energy.Mean:G4} ± {p.Energy.HalfWidth:G2}"), study.Standings[i].ToString().ToLowerInvariant()]));
            Tables.Line($"report: {Markup.Escape(Path.Combine(folder, "report.md"))}");
            return 0;
        }));
        return command;
    }
}
