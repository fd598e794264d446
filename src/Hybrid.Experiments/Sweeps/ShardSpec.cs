using System.Globalization;

using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Sweeps;

/// <summary>
/// Which share of a sweep one process runs: shard <see cref="Index"/> of <see cref="Count"/>,
/// numbered from 0 like Slurm array tasks and Kubernetes completion indexes. Run k belongs to
/// shard k mod n.
/// </summary>
/// <param name="Index">0 ≤ Index &lt; Count.</param>
/// <param name="Count">Shards in all (≥ 1).</param>
/// <param name="Source">Where it came from: "--shard", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", or "whole sweep".</param>
public sealed record ShardSpec(int Index, int Count, string Source)
{
    /// <summary>The whole sweep in one process.</summary>
    public static readonly ShardSpec Whole = new(0, 1, "whole sweep");

    /// <summary>Parses "i/n".</summary>
    /// <exception cref="ArgumentException">Not two integers, n &lt; 1, or i outside 0…n−1.</exception>
    public static ShardSpec Parse(string text, string source = "--shard")
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                              || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new ArgumentException($"{source} '{text}' must be i/n, e.g. 0/4 (shard i of n, counting from 0).", "shard");
        return Make(i, n, source, text);
    }

    private static ShardSpec Make(int i, int n, string source, string text)
    {
        if (n < 1) throw new ArgumentException($"{source} '{text}': the shard count must be ≥ 1.", "shard");
        if (i < 0 || i >= n)
            throw new ArgumentException($"{source} '{text}': shard {i} does not exist; with {n} shards they are 0…{n - 1} (counting from 0, like Slurm array tasks).", "shard");
        return new ShardSpec(i, n, source);
    }

    /// <summary>
    /// The shard a process should run: <paramref name="shard"/> if given; else the Slurm job array's
    /// <c>SLURM_ARRAY_TASK_ID</c> (less <c>SLURM_ARRAY_TASK_MIN</c>) of <c>SLURM_ARRAY_TASK_COUNT</c>; else a
    /// Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c> of <paramref name="shards"/> or <c>HYBRID_SHARD_COUNT</c>;
    /// else the whole sweep.
    /// </summary>
    /// <param name="shard">The <c>--shard i/n</c> option, or null.</param>
    /// <param name="shards">The <c>--shards n</c> option (the count for JOB_COMPLETION_INDEX), or null.</param>
    /// <param name="env">Reads an environment variable (tests pass their own).</param>
    public static ShardSpec Resolve(string? shard, int? shards, Func<string, string?> env)
    {
        if (shard is not null)
        {
            if (shards is not null) throw new ArgumentException("give --shard i/n or --shards n, not both.", "shards");
            return Parse(shard);
        }
        if (env("SLURM_ARRAY_TASK_ID") is { } task)
        {
            int id = Int(task, "SLURM_ARRAY_TASK_ID");
            int min = env("SLURM_ARRAY_TASK_MIN") is { } m ? Int(m, "SLURM_ARRAY_TASK_MIN") : 0;
            int count = env("SLURM_ARRAY_TASK_COUNT") is { } c ? Int(c, "SLURM_ARRAY_TASK_COUNT")
                : env("SLURM_ARRAY_TASK_MAX") is { } max ? Int(max, "SLURM_ARRAY_TASK_MAX") - min + 1
                : throw new ArgumentException("SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is; pass --shard i/n.", "shard");
            if (env("SLURM_ARRAY_TASK_STEP") is { } step && step.Trim() != "1")
                throw new ArgumentException($"the job array has step {step}; shards need consecutive task ids (--array=0-N), or pass --shard i/n.", "shard");
            return Make(id - min, count, "SLURM_ARRAY_TASK_ID", $"{id - min}/{count}");
        }
        if (env("JOB_COMPLETION_INDEX") is { } index)
        {
            int n = shards ?? (env("HYBRID_SHARD_COUNT") is { } h ? Int(h, "HYBRID_SHARD_COUNT")
                : throw new ArgumentException("JOB_COMPLETION_INDEX is set but the shard count is not: pass --shards N or set HYBRID_SHARD_COUNT " +
                                              "(the Job's completions).", "shards"));
            int i = Int(index, "JOB_COMPLETION_INDEX");
            return Make(i, n, "JOB_COMPLETION_INDEX", $"{i}/{n}");
        }
        if (shards is not null)
            throw new ArgumentException("--shards n needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); elsewhere pass --shard i/n.", "shards");
        return Whole;
    }

    private static int Int(string text, string name) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v : throw new ArgumentException($"{name}='{text}' is not an integer.", "shard");

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
