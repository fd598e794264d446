using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Cli.Commands;

/// <summary>What each <c>hybrid sweep</c> subcommand does and prints. Exit codes (<see cref="ExitCodes"/>): 0 done, 2 bad input, 3 not (all) finished, 4 (run) finished but something diverged.</summary>
public static class SweepConsole
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary><c>sweep plan</c>.</summary>
    public static int Plan(SweepPlanRequest r)
    {
        var plan = SweepPlan.Load(r.File, r.Out);
        if (r.Shards is < 1) throw new ArgumentException($"--shards {r.Shards} must be ≥ 1.", "shards");
        var d = plan.Definition;
        var states = plan.Runs.Select(run => SweepRunFiles.State(plan, run).State).ToList();
        string[] header = [.. new[] { "#", "id" }.Concat(r.Shards is null ? [] : ["shard"]).Concat(["run", "cost (MAC)", "state"])];
        Tables.Write(header, plan.Runs.Select(run => (IReadOnlyList<string>)[(run.Index + 1).ToString(Inv), run.Id,
                .. r.Shards is int n ? [(run.Index % n).ToString(Inv)] : Array.Empty<string>(), run.Label, Si(run.Cost), StateName(states[run.Index])]),
            [true, false, .. r.Shards is null ? Array.Empty<bool>() : [true], false, true, false]);

        double total = plan.Runs.Sum(x => x.Cost), left = plan.Runs.Where((x, i) => !Finished(states[i])).Sum(x => x.Cost);
        Console.WriteLine($"sweep {d.Name}: {plan.Runs.Count} runs of {d.Experiment.Name} ({d.Experiment.Description}); folder {plan.Root}");
        Console.WriteLine($"estimated cost: {Si(total)}MAC of model arithmetic (multiply-adds) in all, {Si(left)}MAC not yet finished.");
        var measured = plan.Runs.Where((x, i) => states[i] == RunState.Done)
            .Select(x => (x.Cost, SweepRunFiles.ReadResult(plan, x)!.Seconds)).Where(x => x.Cost > 0).ToList();
        if (left == 0)
            Console.WriteLine("every run is finished.");
        else if (measured.Count > 0)
        {
            double secondsPerMac = measured.Sum(x => x.Seconds) / measured.Sum(x => x.Cost);
            double seconds = left * secondsPerMac;
            Console.WriteLine($"at the speed of its {measured.Count} finished runs that is about {Duration(seconds)} of one process" +
                                  (r.Shards is int n && n > 1 ? $", about {Duration(seconds / n)} over {n} shards." : " (divide by the shards)."));
        }
        else Console.WriteLine("no run has finished yet, so there is no measured speed to turn the cost into time.");
        return 0;
    }

    /// <summary><c>sweep run</c>.</summary>
    public static int Run(SweepRunRequest r)
    {
        var plan = SweepPlan.Load(r.File, r.Out);
        var shard = ShardSpec.Resolve(r.Shard, r.Shards, Environment.GetEnvironmentVariable);
        ThreadScope.Validate(r.Threads ?? 0);
        var share = plan.ShareOf(shard).Count();
        Console.WriteLine($"sweep {plan.Definition.Name}: shard {shard} ({shard.Source}): {share} of {plan.Runs.Count} runs → {plan.Root}");
        using var cts = CliCancel.OnCtrlC();
        var hooks = new SweepRunnerHooks
        {
            Log = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}"),
            Progress = ConsoleProgressDisplay.Instance,
            Steal = r.Steal,
            // one meaning with the experiments' --threads: the host sets them around each run and restores them
            Threads = r.Threads,
        };
        var report = SweepRunner.Run(plan, shard, hooks, cts.Token);
        Console.WriteLine($"shard {shard}: ran {report.Ran} (completed {report.Completed}, diverged {report.Diverged}, failed {report.Failed}); " +
                          $"skipped {report.AlreadyFinished} already finished, {report.HeldElsewhere} held by another process" +
                          (r.Steal ? $"; {report.Stolen} of the runs were other shards'" : "") +
                          (report.Cancelled ? "; stopped on request" : "") + ".");
        return report.ExitCode;
    }

    /// <summary><c>sweep status</c>.</summary>
    public static int Status(SweepStatusRequest r)
    {
        var plan = SweepPlan.Load(r.File, r.Out);
        var rows = plan.Runs.Select(run => (run, s: SweepRunFiles.State(plan, run))).ToList();
        var shown = rows.Where(x => r.AllRuns || !Finished(x.s.State)).ToList();
        if (shown.Count > 0)
        {
            Tables.Write(["#", "id", "run", "state", "detail"],
                shown.Select(x => (IReadOnlyList<string>)[(x.run.Index + 1).ToString(Inv), x.run.Id, x.run.Label, StateName(x.s.State), Detail(x.s)]),
                [true, false, false, false, false]);
        }
        var order = new[] { RunState.Done, RunState.Diverged, RunState.Running, RunState.Interrupted, RunState.Failed, RunState.Missing };
        var counts = order.Select(st => (st, n: rows.Count(x => x.s.State == st))).ToList();
        Console.WriteLine($"sweep {plan.Definition.Name}: {plan.Runs.Count} runs: " +
                          string.Join(", ", counts.Select(c => $"{StateName(c.st)} {c.n}")) + $" ({plan.Root})");
        return rows.All(x => Finished(x.s.State)) ? 0 : 3;
    }

    /// <summary><c>sweep merge</c>.</summary>
    public static int Merge(SweepMergeRequest r)
    {
        var plan = SweepPlan.Load(r.File, r.Out);
        var merge = SweepMerge.Collect(plan);
        var folder = SweepReport.Write(merge);
        if (merge.Headline.Count > 0 && merge.Groups.Count > 0)
        {
            var axes = plan.Definition.Axes.Where(a => !a.IsSeed).Select(a => a.Path).ToList();
            string[] header = [.. axes.Concat(merge.Headline.Select(h => h.Name)).Append("seeds")];
            Tables.Write(header, merge.Groups.Select(g => (IReadOnlyList<string>)[.. g.Point.Select(p => p.Label),
                    .. merge.Headline.Select(h => g.Metrics.TryGetValue(h.Name, out var s) && s.Count > 0 ? s.Format("G4") : "—"),
                    $"{g.Completed}/{g.Planned}"]),
                [.. axes.Select(_ => false), .. merge.Headline.Select(_ => true), true]);
        }
        Console.WriteLine($"merged {merge.Finished.Count} of {plan.Runs.Count} runs into {folder.File("report.md")}" +
                          (merge.Unfinished.Count > 0 ? $"; {merge.Unfinished.Count} not finished: " +
                              string.Join(", ", merge.Unfinished.Take(10).Select(u => $"{u.Run.Id} ({StateName(u.State)})")) +
                              (merge.Unfinished.Count > 10 ? ", …" : "") : "."));
        return 0;
    }

    /// <summary><c>sweep slurm</c>.</summary>
    public static int Slurm(SweepSlurmRequest r)
    {
        var plan = SweepPlan.Load(r.File, r.Out);
        r.Options.Validate();
        if (r.Options.Array > plan.Runs.Count)
            Console.Error.WriteLine($"warning: {r.Options.Array} array tasks for {plan.Runs.Count} runs: {r.Options.Array - plan.Runs.Count} tasks will have nothing to do.");
        plan.WriteManifest();
        var script = SlurmScript.Write(plan, r.Options, r.Script);
        Console.WriteLine($"wrote {script}: {r.Options.Array} array tasks for {plan.Runs.Count} runs; logs in {plan.LogsPath}");
        if (!r.Submit)
        {
            Console.WriteLine($"submit it with: sbatch {SlurmScript.Quote(script)}");
            return 0;
        }
        var job = SlurmScript.Submit(script);
        Console.WriteLine($"submitted job {job}");
        Console.WriteLine($"follow it with: squeue -j {job}; hybrid sweep status {SlurmScript.Quote(plan.Definition.SourcePath)} --out {SlurmScript.Quote(plan.Root)}");
        return 0;
    }

    private static string Duration(double seconds) =>
        seconds < 120 ? $"{seconds:F0} s" : seconds < 7200 ? $"{seconds / 60:F0} min" : $"{seconds / 3600:F1} h";

    /// <summary>"3.2 G", "450 M", "12 k" (with a trailing space, for units).</summary>
    private static string Si(double x)
    {
        if (!double.IsFinite(x)) return "? ";
        string[] prefixes = ["", "k", "M", "G", "T", "P", "E"];
        int p = 0;
        while (Math.Abs(x) >= 1000 && p < prefixes.Length - 1) { x /= 1000; ++p; }
        return x.ToString(x < 10 ? "0.0" : "0", Inv) + " " + prefixes[p];
    }

    private static bool Finished(RunState s) => s is RunState.Done or RunState.Diverged;

    private static string StateName(RunState s) => s switch
    {
        RunState.Done => "done",
        RunState.Diverged => "diverged",
        RunState.Running => "running",
        RunState.Interrupted => "interrupted",
        RunState.Failed => "failed",
        _ => "missing",
    };

    private static string Detail((RunState State, RunResult? Result, Hybrid.Experiments.Runs.LockOwner? Holder) s) => s.State switch
    {
        RunState.Running => s.Holder?.ToString() ?? "holder not recorded yet",
        RunState.Failed => s.Result?.Message ?? "",
        RunState.Interrupted => "resumes on the next sweep run",
        RunState.Done or RunState.Diverged => $"{s.Result!.Seconds:F1} s on {s.Result.Host} (shard {s.Result.Shard}, {s.Result.Attempts} attempt{(s.Result.Attempts == 1 ? "" : "s")})",
        _ => "",
    };
}
