using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>One minibatch: its index within the epoch, its inputs and its labels. The caller owns and disposes the tensors.</summary>
/// <param name="Index">The batch's index within its epoch (0-based).</param>
/// <param name="X">Inputs [B, ...], normalised and on the target device.</param>
/// <param name="Y">Labels [B], on the target device.</param>
public readonly record struct Batch(long Index, Tensor X, Tensor Y) : IDisposable
{
    /// <summary>The number of examples in the batch.</summary>
    public long Size => Y.shape[0];

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}

/// <summary>
/// Minibatches over a (CPU) data split, shuffled per epoch. The order of epoch e is a pure
/// function of (seed, e) — a Philox stream keyed by the seed and countered by the epoch, then a
/// Fisher–Yates shuffle — so it needs no state carried between epochs, and a run resumed at
/// (epoch e, batch b) sees exactly the batches an uninterrupted run would have seen there.
/// </summary>
/// <remarks>
/// The batch tensors are gathered from the source tensors (which this class does not own),
/// normalised by the optional <see cref="InputNormalization"/> and moved to the optional device.
/// With <c>dropLast</c> false the last batch of an epoch holds the remainder.
/// </remarks>
public sealed class Batches
{
    private readonly Tensor _x, _y;
    private readonly InputNormalization _normalization;
    private readonly Device? _device;

    /// <summary>Batches of <paramref name="batchSize"/> examples over inputs <paramref name="x"/> and labels <paramref name="y"/>.</summary>
    /// <param name="x">Inputs [N, ...] (any device; CPU is usual).</param>
    /// <param name="y">Labels [N] (or [N, T]: a sequence model's targets).</param>
    /// <param name="batchSize">Examples per batch (≥ 1; N or more gives one full batch).</param>
    /// <param name="seed">The shuffling seed.</param>
    /// <param name="shuffle">False for the data's own order every epoch (evaluation).</param>
    /// <param name="dropLast">Drop a last batch smaller than <paramref name="batchSize"/>.</param>
    /// <param name="normalization">Applied to every batch's inputs; default none.</param>
    /// <param name="device">Where batches go; default the source tensors' device.</param>
    /// <exception cref="ArgumentException">Mismatched lengths, or a batch size below 1.</exception>
    public Batches(Tensor x, Tensor y, long batchSize, long seed, bool shuffle = true, bool dropLast = false,
        InputNormalization? normalization = null, Device? device = null)
    {
        if (x.dim() < 1 || y.dim() < 1 || x.shape[0] != y.shape[0])
            throw new ArgumentException(
                $"inputs [{string.Join(", ", x.shape)}] and labels [{string.Join(", ", y.shape)}] must share their first dimension.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be ≥ 1, got {batchSize}.");
        if (x.shape[0] > int.MaxValue) throw new ArgumentException($"at most {int.MaxValue} examples, got {x.shape[0]}.", nameof(x));
        _x = x;
        _y = y;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        _normalization = normalization ?? InputNormalization.None;
        _device = device;
        long n = x.shape[0];
        Count = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /// <summary>Examples in the split.</summary>
    public long ExampleCount => _x.shape[0];

    /// <summary>Examples per batch (the last batch may hold fewer unless <see cref="DropLast"/>).</summary>
    public long BatchSize { get; }

    /// <summary>Batches per epoch.</summary>
    public long Count { get; }

    /// <summary>The shuffling seed.</summary>
    public long Seed { get; }

    /// <summary>Whether epochs are shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a short last batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>
    /// The order in which epoch <paramref name="epoch"/> visits <paramref name="n"/> examples:
    /// a permutation of 0..n−1 that depends on nothing but (n, seed, epoch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n or epoch out of range (epoch must be 0 … 2³²−1).</exception>
    public static long[] Order(long n, long seed, long epoch)
    {
        if (n < 0 || n > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(n), $"n must be 0..{int.MaxValue}, got {n}.");
        if (epoch < 0 || epoch > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be 0..{uint.MaxValue}, got {epoch}.");
        var order = new long[n];
        for (long i = 0; i < n; ++i) order[i] = i;
        new CounterRandom(unchecked((ulong)seed), CounterRandom.StreamShuffle, (uint)epoch).Shuffle<long>(order);
        return order;
    }

    /// <summary>The example indices of batch <paramref name="batch"/> of epoch <paramref name="epoch"/>.</summary>
    public long[] Indices(long epoch, long batch)
    {
        if (batch < 0 || batch >= Count) throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be 0..{Count - 1}, got {batch}.");
        var order = EpochOrder(epoch);
        long start = batch * BatchSize, end = Math.Min(start + BatchSize, ExampleCount);
        return order[(int)start..(int)end];
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>, starting at batch <paramref name="startBatch"/>
    /// (for a resumed run; 0 for a whole epoch, <see cref="Count"/> for none). Each batch's tensors
    /// belong to the caller.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">startBatch outside 0..Count, or epoch out of range.</exception>
    public IEnumerable<Batch> Epoch(long epoch, long startBatch = 0)
    {
        if (startBatch < 0 || startBatch > Count)
            throw new ArgumentOutOfRangeException(nameof(startBatch), $"start batch must be 0..{Count}, got {startBatch}.");
        var order = EpochOrder(epoch); // validates epoch now, not at the first MoveNext
        return Iterate(order, startBatch);
    }

    private IEnumerable<Batch> Iterate(long[] order, long startBatch)
    {
        var sourceDevice = _x.device;
        using var all = torch.tensor(order, device: sourceDevice);
        for (long b = startBatch; b < Count; ++b)
        {
            long start = b * BatchSize, length = Math.Min(BatchSize, ExampleCount - start);
            yield return Gather(all, b, start, length);
        }
    }

    private Batch Gather(Tensor all, long b, long start, long length)
    {
        using var scope = torch.NewDisposeScope();
        var idx = all.narrow(0, start, length);
        var x = _normalization.Apply(_x.index_select(0, idx));
        var y = _y.index_select(0, idx);
        if (_device is not null)
        {
            x = x.to(_device);
            y = y.to(_device);
        }
        return new Batch(b, x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    private long[] EpochOrder(long epoch)
    {
        if (Shuffle) return Order(ExampleCount, Seed, epoch);
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch must be ≥ 0, got {epoch}.");
        var order = new long[ExampleCount];
        for (long i = 0; i < order.Length; ++i) order[i] = i;
        return order;
    }
}
