using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Sweeps;

/// <summary>What <c>sweep slurm</c> asks Slurm for.</summary>
/// <param name="Array">Array tasks = shards (≥ 1).</param>
/// <param name="Partition">Partition, or null for the cluster's default.</param>
/// <param name="Time">Time limit per task (Slurm's formats: "30", "2:00:00", "1-00:00:00"), or null.</param>
/// <param name="Cpus">CPUs per task (also the run's torch threads).</param>
/// <param name="Gpus">GPUs per task (as <c>--gres=gpu:G</c>), 0 for none.</param>
/// <param name="Memory">Memory per task ("4G"), or null for the cluster's default.</param>
/// <param name="Hybrid">The command that starts hybrid on the nodes (shell words).</param>
/// <param name="Steal">Tasks help with other shards' runs after their own (<c>sweep run --steal</c>).</param>
public sealed record SlurmOptions(int Array, string? Partition = null, string? Time = null, int Cpus = 1, int Gpus = 0,
    string? Memory = null, string? Hybrid = null, bool Steal = false)
{
    private static readonly Regex TimePattern = new(@"^(\d+-)?\d+(:\d+){0,2}$", RegexOptions.Compiled);
    private static readonly Regex Word = new(@"^[A-Za-z0-9._,:+-]+$", RegexOptions.Compiled);

    /// <summary>Checks every value before anything is written.</summary>
    public void Validate()
    {
        if (Array < 1) throw new ArgumentException($"--array {Array} must be ≥ 1 (array tasks, one shard each).", "array");
        if (Array > 100_000) throw new ArgumentException($"--array {Array} is more tasks than any Slurm allows by default (MaxArraySize).", "array");
        if (Cpus < 1) throw new ArgumentException($"--cpus {Cpus} must be ≥ 1.", "cpus");
        if (Gpus < 0) throw new ArgumentException($"--gpus {Gpus} must be ≥ 0.", "gpus");
        if (Time is not null && !TimePattern.IsMatch(Time))
            throw new ArgumentException($"--time '{Time}' is not a Slurm time: minutes, [H:]M:S, or D-H[:M[:S]] (e.g. 2:00:00).", "time");
        if (Partition is not null && !Word.IsMatch(Partition)) throw new ArgumentException($"--partition '{Partition}' is not a partition name.", "partition");
        if (Memory is not null && !Regex.IsMatch(Memory, "^[0-9]+[KMGT]?$")) throw new ArgumentException($"--mem '{Memory}' must be like 4G or 4000M.", "mem");
    }
}

/// <summary>
/// The sbatch script of a sweep: a job array of N tasks, each running <c>hybrid sweep run</c> on
/// the same sweep file and folder. Shards come from Slurm's own variables (task k of N is shard k
/// of N), every task logs to <c>logs/&lt;job&gt;_&lt;task&gt;.log</c> in the sweep folder
/// (appended to when requeued), and a task that is killed or requeued resumes where it stopped.
/// </summary>
public static class SlurmScript
{
    /// <summary>Where the script is written: the sweep folder's <c>&lt;name&gt;.sbatch</c>.</summary>
    public static string PathFor(SweepPlan plan) => System.IO.Path.Combine(plan.Root, plan.Definition.Name + ".sbatch");

    /// <summary>The command that starts this very hybrid (the dotnet host and the CLI assembly, or its apphost).</summary>
    public static string CurrentHybrid()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return System.IO.Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 }
            ? $"{Quote(process)} {Quote(entry)}"
            : Quote(process);
    }

    /// <summary>The script's text.</summary>
    public static string Text(SweepPlan plan, SlurmOptions o)
    {
        o.Validate();
        var d = plan.Definition;
        if (plan.Root.Any(char.IsWhiteSpace))
            throw new ArgumentException($"the sweep folder {plan.Root} has white space in its path, which #SBATCH --output cannot hold; choose another --out.", "out");
        var sb = new StringBuilder();
        sb.AppendLine("#!/bin/bash");
        sb.AppendLine($"# Written by `hybrid sweep slurm` for sweep '{d.Name}' ({plan.Runs.Count} runs of {d.Experiment.Name}) from {d.SourcePath}.");
        sb.AppendLine("# One shard per array task: task k of N runs every N-th run from the k-th (SLURM_ARRAY_TASK_ID/COUNT).");
        sb.AppendLine("# Resubmitting, requeueing or rerunning a task is safe: finished runs are skipped, interrupted ones resume.");
        sb.AppendLine($"#SBATCH --job-name=hybrid-{d.Name}");
        sb.AppendLine($"#SBATCH --array=0-{o.Array - 1}");
        sb.AppendLine($"#SBATCH --output={System.IO.Path.Combine(plan.LogsPath, "%A_%a.log")}");
        sb.AppendLine("#SBATCH --open-mode=append");
        sb.AppendLine("#SBATCH --requeue");
        sb.AppendLine("#SBATCH --ntasks=1");
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={o.Cpus}"));
        if (o.Partition is not null) sb.AppendLine($"#SBATCH --partition={o.Partition}");
        if (o.Time is not null) sb.AppendLine($"#SBATCH --time={o.Time}");
        if (o.Gpus > 0) sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"#SBATCH --gres=gpu:{o.Gpus}"));
        if (o.Memory is not null) sb.AppendLine($"#SBATCH --mem={o.Memory}");
        sb.AppendLine("set -euo pipefail");
        sb.AppendLine("echo \"== hybrid sweep: task ${SLURM_ARRAY_TASK_ID} of ${SLURM_ARRAY_TASK_COUNT} (job ${SLURM_ARRAY_JOB_ID}) on $(hostname) at $(date -u +%FT%TZ), restart ${SLURM_RESTART_COUNT:-0}\"");
        sb.AppendLine($"exec {o.Hybrid ?? CurrentHybrid()} sweep run {Quote(d.SourcePath)} --out {Quote(plan.Root)} --threads \"${{SLURM_CPUS_PER_TASK:-{o.Cpus}}}\"" + (o.Steal ? " --steal" : ""));
        return sb.ToString();
    }

    /// <summary>Writes the script (atomically) and creates the log folder (Slurm does not); returns the script's path.</summary>
    public static string Write(SweepPlan plan, SlurmOptions o, string? path = null)
    {
        var text = Text(plan, o);
        path = System.IO.Path.GetFullPath(path ?? PathFor(plan));
        Directory.CreateDirectory(plan.LogsPath);
        var dir = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var tmp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(tmp, text);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); }
            catch (IOException) { } // the write's own error is the one to report
            if (RunFolder.NamedForTheUser(e, tmp, path) is { } named) throw named;
            throw;
        }
        return path;
    }

    /// <summary>Submits <paramref name="script"/> with <c>sbatch --parsable</c>; returns the job id.</summary>
    /// <exception cref="InvalidOperationException">sbatch is missing or refused the job (its message included).</exception>
    public static string Submit(string script, string sbatch = "sbatch")
    {
        var start = new ProcessStartInfo(sbatch) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--parsable");
        start.ArgumentList.Add(script);
        Process p;
        try
        {
            p = Process.Start(start) ?? throw new InvalidOperationException($"could not start {sbatch}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not run {sbatch} ({e.Message}): is Slurm installed here? The script is {script}; submit it with sbatch on a login node.");
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            var output = stdout.Result.Trim();
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"sbatch refused {script} (exit {p.ExitCode}): {stderr.Trim().ReplaceLineEndings(" ")}");
            var id = output.Split(';')[0].Trim();
            if (!Regex.IsMatch(id, "^[0-9]+$"))
                throw new InvalidOperationException($"sbatch printed '{output}', not a job id.");
            return id;
        }
    }

    /// <summary>Single-quotes a word for bash.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && Regex.IsMatch(word, @"^[A-Za-z0-9_./:=+-]+$") ? word : "'" + word.Replace("'", "'\\''") + "'";
}
