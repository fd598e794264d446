using TorchSharp;

namespace Hybrid.Experiments.Margin;

/// <summary>
/// TorchSharp's intra-op thread count for the length of a Part I run (then restored: the setting
/// is process-wide). Part I runs many small, full-batch steps; on our shared 2-core machine one
/// thread per run was measured 3–5× cheaper in CPU time than two threads waiting for each other
/// (docs/part1.md), so the experiments default to 1. It is an execution choice, not part of a
/// unit's config: the same unit computed with another thread count differs at most by float
/// rounding in reductions.
/// </summary>
public static class TorchThreads
{
    /// <summary>Checks a <c>--threads</c> value (0 = TorchSharp's own default).</summary>
    public static void Validate(int threads)
    {
        if (threads < 0) throw new ArgumentException($"--threads {threads} must be >= 0 (0: TorchSharp's default).", "threads");
    }

    /// <summary>Sets <paramref name="threads"/> (unless 0) until the result is disposed.</summary>
    public static IDisposable Use(int threads)
    {
        int previous = torch.get_num_threads();
        if (threads > 0) torch.set_num_threads(threads);
        return new Restore(previous);
    }

    private sealed class Restore(int previous) : IDisposable
    {
        public void Dispose() => torch.set_num_threads(previous);
    }
}
