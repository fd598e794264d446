using Hybrid.Experiments.Train;
using Hybrid.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Grid;

/// <summary>
/// Which data a grid point trains on: a data set by name or folder (<c>--data</c>, as for
/// <c>hybrid train</c>; the Part II commands default to MNIST, the authors' data), an optional
/// training subset (<c>--train-size</c>: the project's fixed-seed subset,
/// <see cref="TrainingSubset"/>) and test subset (<c>--test-size</c>: the first examples), both
/// chosen by <paramref name="DataSeed"/> alone, and the input normalisation. Part of every
/// point's config, so a point stays a pure function of its settings.
/// </summary>
/// <param name="Data">A name (mnist, fashion-mnist, teacher, mixture), an MNIST-format folder, or null for the project default (Fashion-MNIST, else the teacher task).</param>
/// <param name="TrainSize">Training examples kept (a seeded random subset), or null for all.</param>
/// <param name="TestSize">Test examples kept (the first ones), or null for all.</param>
/// <param name="DataSeed">Seed of the training subset (fixed across the seeds of the runs, so they differ only in initialisation and batch order).</param>
/// <param name="Normalize">none, standard (one mean and deviation, the authors' MNIST transform) or sphere.</param>
public sealed record DataSpec(string? Data = "mnist", int? TrainSize = null, int? TestSize = null, long DataSeed = 0,
    string Normalize = "standard")
{
    private DataSelection Selection => new(Task: null, TrainSize);

    /// <summary>Checks what can be checked without loading: sizes ≥ 1, a known normalisation, and that MNIST is installed when named.</summary>
    public void Validate()
    {
        if (TestSize is < 1) throw new ArgumentException($"--test-size {TestSize} must be >= 1.", "test-size");
        TrainSettings.ParseNormalize(Normalize);
        DataChoice.Validate(Data, Selection);
    }

    /// <summary>Loads the data set with its subsets (the caller owns the result) and a sentence saying what it is.</summary>
    /// <exception cref="ArgumentException">Unknown data, or a subset larger than the data set.</exception>
    public (DataSet Data, string Note) Load()
    {
        Validate();
        var resolved = DataChoice.Load(Data, flatten: false, DataSeed, Selection);
        var data = resolved.Data;
        if (TestSize is not int m || m == data.TestCount) return (data, resolved.Note);
        try
        {
            if (m > data.TestCount)
                throw new ArgumentException($"--test-size {m} is larger than {data.Name}'s {data.TestCount} test examples.", "test-size");
            var testX = data.TestX.narrow(0, 0, m).clone();
            var testY = data.TestY.narrow(0, 0, m).clone();
            long all = data.TestCount;
            data.TestX.Dispose();
            data.TestY.Dispose();
            return (data with { TestX = testX, TestY = testY, Source = $"{data.Source}; its first {m} of {all} test examples" }, resolved.Note);
        }
        catch
        {
            data.Dispose();
            throw;
        }
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
