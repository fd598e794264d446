using System.CommandLine;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Sweeps;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary><c>hybrid sweep plan FILE</c>: the runs and what they cost.</summary>
public sealed record SweepPlanRequest(string File, string? Out, int? Shards);

/// <summary><c>hybrid sweep run FILE</c>: one shard's runs.</summary>
public sealed record SweepRunRequest(string File, string? Out, string? Shard, int? Shards, int? Threads, bool Steal);

/// <summary><c>hybrid sweep status FILE</c>.</summary>
public sealed record SweepStatusRequest(string File, string? Out, bool AllRuns);

/// <summary><c>hybrid sweep merge FILE</c>.</summary>
public sealed record SweepMergeRequest(string File, string? Out);

/// <summary><c>hybrid sweep slurm FILE --array N</c>.</summary>
public sealed record SweepSlurmRequest(string File, string? Out, SlurmOptions Options, string? Script, bool Submit);

/// <summary>
/// <c>hybrid sweep</c>: a grid of runs of one experiment from a sweep file (docs/sweeps.md), run
/// in shards by an existing scheduler (Slurm job arrays, Kubernetes Indexed Jobs) or in one
/// process, then merged into one report with mean ± 95 % intervals over seeds.
/// </summary>
public static class SweepCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    public static Command Build()
    {
        var command = new Command("sweep", "Run a grid of experiments from a sweep file, sharded over Slurm job arrays or Kubernetes Indexed Jobs, and merge the results over seeds.");
        command.Subcommands.Add(Plan());
        command.Subcommands.Add(Run());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Merge());
        command.Subcommands.Add(Slurm());
        return command;
    }

    private static Argument<string> FileArgument() => new("file") { Description = "The sweep file (JSON; schema in docs/sweeps.md)." };

    private static Option<string?> OutOption() => new("--out") { Description = "The sweep folder (default: the file's \"out\", else runs/sweeps/<name>)." };

    private static Command Plan()
    {
        var file = FileArgument();
        var output = OutOption();
        var shards = new Option<int?>("--shards") { Description = "Show which of N shards runs each run." };
        var command = new Command("plan", "List the sweep's runs (id, axis values, shard), their estimated cost, and what is already done. Writes nothing.") { file, output, shards };
        Func<ParseResult, SweepPlanRequest> read = p => new(p.GetValue(file)!, p.GetValue(output), p.GetValue(shards));
        command.SetAction(p => CliErrors.Guarded(() => SweepConsole.Plan(read(p))));
        Settings.Add(command, read);
        return command;
    }

    private static Command Run()
    {
        var file = FileArgument();
        var output = OutOption();
        var shard = new Option<string?>("--shard") { Description = "Run shard i of n (i/n, from 0). Default: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, else JOB_COMPLETION_INDEX of --shards, else everything." };
        var shards = new Option<int?>("--shards") { Description = "Shard count for a Kubernetes Indexed Job (with JOB_COMPLETION_INDEX; or set HYBRID_SHARD_COUNT)." };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads for this process (default: every core; 1 is fastest for tiny models)." };
        var steal = new Option<bool>("--steal") { Description = "After this shard's own runs, help with other shards' runs that nobody has finished or holds." };
        var command = new Command("run", "Run this process's share of the sweep: skip finished runs, resume interrupted ones, leave runs another process holds to it.")
            { file, output, shard, shards, threads, steal };
        Func<ParseResult, SweepRunRequest> read = p => new(p.GetValue(file)!, p.GetValue(output), p.GetValue(shard), p.GetValue(shards),
            p.GetValue(threads), p.GetValue(steal));
        command.SetAction(p => CliErrors.Guarded(() => SweepConsole.Run(read(p))));
        Settings.Add(command, read);
        return command;
    }

    private static Command Status()
    {
        var file = FileArgument();
        var output = OutOption();
        var all = new Option<bool>("--runs") { Description = "List every run, not only those that are not done." };
        var command = new Command("status", "Count the sweep's runs done, diverged, running, interrupted, failed and missing. Exit 0 when all are finished, 3 otherwise.")
            { file, output, all };
        Func<ParseResult, SweepStatusRequest> read = p => new(p.GetValue(file)!, p.GetValue(output), p.GetValue(all));
        command.SetAction(p => CliErrors.Guarded(() => SweepConsole.Status(read(p))));
        Settings.Add(command, read);
        return command;
    }

    private static Command Merge()
    {
        var file = FileArgument();
        var output = OutOption();
        var command = new Command("merge", "Merge whatever is finished into merged/: report.md (mean ± 95 % interval over seeds), CSV, JSON and plots with error bars; list what is missing.")
            { file, output };
        Func<ParseResult, SweepMergeRequest> read = p => new(p.GetValue(file)!, p.GetValue(output));
        command.SetAction(p => CliErrors.Guarded(() => SweepConsole.Merge(read(p))));
        Settings.Add(command, read);
        return command;
    }

    private static Command Slurm()
    {
        var file = FileArgument();
        var output = OutOption();
        var array = new Option<int>("--array") { Description = "Array tasks (one shard each).", Required = true };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (default: the cluster's)." };
        var time = new Option<string?>("--time") { Description = "Time limit per task, e.g. 2:00:00 (default: the partition's)." };
        var cpus = new Option<int>("--cpus") { Description = "CPUs per task (and libtorch threads).", DefaultValueFactory = _ => 1 };
        var gpus = new Option<int>("--gpus") { Description = "GPUs per task (--gres=gpu:G).", DefaultValueFactory = _ => 0 };
        var mem = new Option<string?>("--mem") { Description = "Memory per task, e.g. 4G (default: the cluster's)." };
        var hybrid = new Option<string?>("--hybrid") { Description = "How the nodes start hybrid (default: this hybrid's own path)." };
        var script = new Option<string?>("--script") { Description = "Where to write the script (default: <sweep folder>/<name>.sbatch)." };
        var submit = new Option<bool>("--submit") { Description = "Submit it with sbatch and print the job id." };
        var steal = new Option<bool>("--steal") { Description = "Tasks help with other shards' runs after their own (sweep run --steal): late tasks find their runs done." };
        var command = new Command("slurm", "Write the sweep's sbatch script (a job array, one shard per task, a log per task) and, with --submit, submit it.")
            { file, output, array, partition, time, cpus, gpus, mem, hybrid, script, submit, steal };
        Func<ParseResult, SweepSlurmRequest> read = p => new(p.GetValue(file)!, p.GetValue(output),
            new SlurmOptions(p.GetValue(array), p.GetValue(partition), p.GetValue(time), p.GetValue(cpus), p.GetValue(gpus), p.GetValue(mem),
                p.GetValue(hybrid), p.GetValue(steal)),
            p.GetValue(script), p.GetValue(submit));
        command.SetAction(p => CliErrors.Guarded(() => SweepConsole.Slurm(read(p))));
        Settings.Add(command, read);
        return command;
    }
}
