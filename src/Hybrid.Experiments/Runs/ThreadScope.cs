using TorchSharp;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// libtorch's intra-op thread count for the length of a run, then restored (the setting is
/// process-wide). One meaning everywhere (<c>--threads</c> of the experiments and of
/// <c>sweep run</c>): N ≥ 1 threads, or 0 for libtorch's own default (every core). The grids and
/// Part I's full-batch fits are many small steps; on our shared 2-core machine one thread per run
/// was measured 3–5× cheaper in CPU time than two threads waiting for each other (docs/part1.md), so
/// the experiments default to 1. It is an execution choice, not part of a run's config.
/// </summary>
public static class ThreadScope
{
    /// <summary>Checks a <c>--threads</c> value.</summary>
    /// <exception cref="ArgumentException">It is negative.</exception>
    public static void Validate(int threads)
    {
        if (threads < 0) throw new ArgumentException($"--threads {threads} must be >= 0 (0: libtorch's default, every core).", "threads");
    }

    /// <summary>Uses <paramref name="threads"/> (unless 0 or null: libtorch's own) until the result is disposed.</summary>
    public static IDisposable Use(int? threads)
    {
        if (threads is not int n || n == 0) return new Restore(null);
        Validate(n);
        int previous = torch.get_num_threads();
        torch.set_num_threads(n);
        return new Restore(previous);
    }

    private sealed class Restore(int? previous) : IDisposable
    {
        public void Dispose()
        {
            if (previous is int p) torch.set_num_threads(p);
        }
    }
}
