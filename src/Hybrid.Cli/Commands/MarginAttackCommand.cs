using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.MarginAttack;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>hybrid margin-attack</c>: "where margin fails" (issue 23 item 1; docs/part1.md) — a network fitted to clean plus
/// randomly labelled points against its clean twin, test accuracy over α with intervals over seeds. No resume: a run
/// is minutes at the quick size.
/// </summary>
public static class MarginAttackCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = MarginAttackSettings.Defaults;
        var q = MarginAttackSettings.Quick;
        var inv = CultureInfo.InvariantCulture;
        var alphas = new Option<string?>("--alphas") { Description = $"Normalised margins α, comma-separated (default {string.Join(",", d.Alphas.Select(a => a.ToString(inv)))}; --quick {string.Join(",", q.Alphas.Select(a => a.ToString(inv)))})." };
        var clean = new Option<int?>("--clean") { Description = $"Correctly labelled training points (default {d.Clean}; --quick {q.Clean})." };
        var random = new Option<int?>("--random") { Description = $"Training points with uniformly random labels (default {d.Random}; --quick {q.Random})." };
        var data = new Option<string?>("--data") { Description = $"mnist, fashion-mnist or an MNIST-format folder (default {d.Data})." };
        var testSize = new Option<int?>("--test-size") { Description = "Test points (default: the whole test set; --quick 2000)." };
        var depth = new Option<int?>("--depth") { Description = $"Layers (default {d.Depth}; --quick {q.Depth})." };
        var width = new Option<int?>("--width") { Description = $"Units per hidden layer (default {d.Width}; --quick {q.Width})." };
        var steps = new Option<int?>("--steps") { Description = $"Full-batch Nero steps (default {d.Steps}; --quick {q.Steps})." };
        var lr = new Option<double?>("--lr") { Description = $"Nero's initial learning rate (default {d.Lr.ToString(inv)})." };
        var seeds = new Option<int?>("--seeds") { Description = $"Seeds (default {d.Seeds})." };
        var seed = new Option<long?>("--seed") { Description = "First seed (default 0)." };
        var quick = new Option<bool>("--quick") { Description = "A quick look: 100 clean + 300 random points, width 64, depth 2, 200 steps." };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/margin-attack-<time>)." };
        var command = new Command("margin-attack",
            "Part I, where margin fails: a network fitted to clean plus randomly labelled points against its clean twin, " +
            "test accuracy over the normalised margin α with intervals over seeds.");
        foreach (var o in new Option[] { alphas, clean, random, data, testSize, depth, width, steps, lr, seeds, seed, quick, output })
            command.Options.Add(o);
        ExperimentCommand.SetAction(command, parse =>
        {
            var b = parse.GetValue(quick) ? q : d;
            var s = b with
            {
                Alphas = parse.GetValue(alphas) is { } a ? PartOneOptions.Doubles(a, "alphas") : b.Alphas,
                Clean = parse.GetValue(clean) ?? b.Clean, Random = parse.GetValue(random) ?? b.Random, Data = parse.GetValue(data) ?? b.Data,
                TestSize = parse.GetValue(testSize) ?? b.TestSize, Depth = parse.GetValue(depth) ?? b.Depth, Width = parse.GetValue(width) ?? b.Width,
                Steps = parse.GetValue(steps) ?? b.Steps, Lr = parse.GetValue(lr) ?? b.Lr, Seeds = parse.GetValue(seeds) ?? b.Seeds,
                Seed = parse.GetValue(seed) ?? b.Seed,
            };
            s.Validate();
            var (folder, held) = ExperimentCommand.Open("margin-attack", parse.GetValue(output), null);
            using (held)
            {
                if (folder.Has("config.json"))
                    throw new ArgumentException($"{folder.Path} already holds a run; choose another --out (margin-attack does not resume).", "out");
                var r = MarginAttackRun.Execute(s, folder.Path, new Progress<string>(line => Tables.Line(Markup.Escape(line))));
                string Cell(Hybrid.Experiments.Statistics.SeedSummary m) => string.Create(inv, $"{100 * m.Mean:F2} ± {100 * m.HalfWidth:F2}");
                Tables.Write(["α", "attacked test %", "clean twin test %", "disjoint"],
                    r.Summary.Select(x => (IReadOnlyList<string>)[x.Alpha.ToString("G3", inv), Cell(x.Attacked), Cell(x.Clean), x.Disjoint ? "yes" : "no"]),
                    [true, true, true, false]);
                Tables.Line($"report: {Markup.Escape(folder.File("report.md"))}");
            }
            return 0;
        });
        return command;
    }
}
