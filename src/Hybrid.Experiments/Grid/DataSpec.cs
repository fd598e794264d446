using Hybrid.Experiments.Train;
using Hybrid.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Grid;

/// <summary>
/// Which data a grid point trains on: a data set by name or folder (<c>--data</c>, as for
/// <c>hybrid train</c>), an optional training subset (<c>--train-size</c>) and test subset
/// (<c>--test-size</c>), chosen by <paramref name="DataSeed"/> alone, and the input normalisation.
/// Part of every point's config, so a point stays a pure function of its settings.
/// </summary>
/// <param name="Data">null (Fashion-MNIST, else the teacher task), a name, or an MNIST-format folder.</param>
/// <param name="TrainSize">Training examples kept (a seeded random subset), or null for all.</param>
/// <param name="TestSize">Test examples kept (the first ones), or null for all.</param>
/// <param name="DataSeed">Seed of the training subset (fixed across the seeds of the runs, so they differ only in initialisation and batch order).</param>
/// <param name="Normalize">none, standard (one mean and deviation, the authors' MNIST transform) or sphere.</param>
public sealed record DataSpec(string? Data = null, int? TrainSize = null, int? TestSize = null, long DataSeed = 0,
    string Normalize = "standard")
{
    /// <summary>Checks what can be checked without loading: sizes ≥ 1 and a known normalisation.</summary>
    public void Validate()
    {
        if (TrainSize is < 1) throw new ArgumentException($"--train-size {TrainSize} must be >= 1.", "train-size");
        if (TestSize is < 1) throw new ArgumentException($"--test-size {TestSize} must be >= 1.", "test-size");
        TrainSettings.ParseNormalize(Normalize);
    }

    /// <summary>Loads the data set with its subsets (the caller owns the result) and a sentence saying what it is.</summary>
    /// <exception cref="ArgumentException">Unknown data, or a subset larger than the data set.</exception>
    public (DataSet Data, string Note) Load()
    {
        Validate();
        var resolved = DataChoice.Load(Data, flatten: false, DataSeed);
        var data = resolved.Data;
        try
        {
            if (TrainSize is int n && n > data.TrainCount)
                throw new ArgumentException($"--train-size {n} is larger than {data.Name}'s {data.TrainCount} training examples.", "train-size");
            if (TestSize is int m && m > data.TestCount)
                throw new ArgumentException($"--test-size {m} is larger than {data.Name}'s {data.TestCount} test examples.", "test-size");
            if (TrainSize is null && TestSize is null) return (data, resolved.Note);
            return (Subset(data), resolved.Note);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    // The training subset is the first n of a Philox permutation keyed by DataSeed (Batches.Order,
    // identical on every machine); the test subset is the first m test examples.
    private DataSet Subset(DataSet data)
    {
        Tensor trainX = data.TrainX, trainY = data.TrainY, testX = data.TestX, testY = data.TestY;
        string source = data.Source;
        long trainCount = data.TrainCount, testCount = data.TestCount;
        if (TrainSize is int n && n < trainCount)
        {
            using var index = torch.tensor(Batches.Order(trainCount, DataSeed, 0)[..n]);
            trainX = data.TrainX.index_select(0, index);
            trainY = data.TrainY.index_select(0, index);
            data.TrainX.Dispose();
            data.TrainY.Dispose();
            source += $"; {n} of its {trainCount} training examples (random, seed {DataSeed})";
        }
        if (TestSize is int m && m < testCount)
        {
            testX = data.TestX.narrow(0, 0, m).clone();
            testY = data.TestY.narrow(0, 0, m).clone();
            data.TestX.Dispose();
            data.TestY.Dispose();
            source += $"; its first {m} test examples";
        }
        return data with { TrainX = trainX, TrainY = trainY, TestX = testX, TestY = testY, Source = source };
    }
}

/// <summary>
/// Loaded data sets and their normalisations by <see cref="DataSpec"/>, so a grid of many points
/// on the same data loads it once. Owns what it loaded.
/// </summary>
public sealed class DataCache : IDisposable
{
    private readonly Dictionary<DataSpec, (DataSet Data, InputNormalization Norm, string Note)> _loaded = [];

    /// <summary>The data set, its fitted normalisation and its note for <paramref name="spec"/>.</summary>
    public (DataSet Data, InputNormalization Normalization, string Note) Get(DataSpec spec)
    {
        if (_loaded.TryGetValue(spec, out var hit)) return hit;
        var (data, note) = spec.Load();
        var norm = InputNormalization.Fit(TrainSettings.ParseNormalize(spec.Normalize), data.TrainX);
        _loaded[spec] = (data, norm, note);
        return (data, norm, note);
    }

    /// <summary>Frees every loaded data set.</summary>
    public void Dispose()
    {
        foreach (var (data, norm, _) in _loaded.Values)
        {
            data.Dispose();
            norm.Dispose();
        }
        _loaded.Clear();
    }
}
