using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>
/// Fixed-seed subsets of n training examples (<c>--train-size n</c>): the first n of a seeded
/// uniform random permutation of the training set — not class-balanced — with the test set
/// left whole.
/// </summary>
/// <remarks>
/// This is jxbz/bpm's and alexfarhang/margin's protocol (<c>np.random.permutation(N)[:n]</c> on
/// the full training set, the whole 10 000-image test set). Two departures, both on purpose:
/// the permutation comes from Hybrid's Philox stream (<see cref="CounterRandom"/>, stream
/// <see cref="CounterRandom.StreamTrainSubset"/>) instead of NumPy's global generator, so a
/// subset is the same on every machine; and it is drawn by a partial Fisher–Yates shuffle whose
/// i-th draw depends only on (seed, N, i), so for one seed the subsets are nested — the n = 50
/// examples are the first 50 of the n = 1000 ones — where the authors draw a fresh permutation
/// for every n. A subset never depends on the labels, so it is the same under every task.
/// </remarks>
public static class TrainingSubset
{
    /// <summary>Checks that <paramref name="n"/> examples can be drawn from <paramref name="available"/>.</summary>
    /// <param name="n">The requested training size.</param>
    /// <param name="available">Training examples in the data set.</param>
    /// <param name="dataName">The data set's name, for the message.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1 or larger than <paramref name="available"/>.</exception>
    public static void Validate(long n, long available, string dataName)
    {
        if (n < 1) throw new ArgumentOutOfRangeException("train-size", $"--train-size {n} must be >= 1 (the whole training set: 0 on the command line, null in a config or sweep file).");
        if (n > available)
            throw new ArgumentOutOfRangeException("train-size",
                $"--train-size {n} is larger than {dataName}'s {available} training examples.");
    }

    /// <summary>
    /// The indices of the subset: the first <paramref name="n"/> positions of a permutation of
    /// 0..<paramref name="available"/>−1 drawn from <paramref name="seed"/> (in drawn order).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As <see cref="Validate"/>.</exception>
    public static long[] Indices(long available, long n, long seed)
    {
        Validate(n, available, "the data set");
        if (available > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(available), "more than 2^32 examples.");
        var random = new CounterRandom(unchecked((ulong)seed), CounterRandom.StreamTrainSubset);
        var order = new long[available];
        for (long i = 0; i < available; ++i) order[i] = i;
        // Partial Fisher–Yates from the front: position i takes a uniform pick of the rest.
        for (long i = 0; i < n; ++i)
        {
            long j = i + random.NextBelow((uint)(available - i));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order[..(int)n];
    }

    /// <summary>
    /// The data set with only the <paramref name="n"/> training examples of
    /// <see cref="Indices"/>; the test set is unchanged. On success the result owns
    /// <paramref name="data"/>'s test tensors and <paramref name="data"/>'s training tensors are
    /// disposed: use only the result. On failure <paramref name="data"/> is untouched.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> &lt; 1 or more than the training examples.</exception>
    public static DataSet Take(DataSet data, long n, long seed)
    {
        Validate(n, data.TrainCount, data.Name);
        using var index = torch.tensor(Indices(data.TrainCount, n, seed), ScalarType.Int64);
        Tensor? trainX = null;
        try
        {
            trainX = data.TrainX.index_select(0, index);
            var trainY = data.TrainY.index_select(0, index);
            var result = data with
            {
                TrainX = trainX, TrainY = trainY,
                Source = $"{data.Source}; {n} of its {data.TrainCount} training examples (random, seed {seed})",
            };
            data.TrainX.Dispose();
            data.TrainY.Dispose();
            return result;
        }
        catch
        {
            trainX?.Dispose();
            throw;
        }
    }
}
