using Hybrid.Training;
using Hybrid.Training.Data;

namespace Hybrid.Experiments.Data;

/// <summary>Which data a run uses: a folder of MNIST-format files, Fashion-MNIST, MNIST, or a synthetic task.</summary>
public static class DataChoice
{
    /// <summary>Valid names for <c>--normalize</c>.</summary>
    public static readonly IReadOnlyList<string> NormalizeNames = ["none", "standard", "sphere"];

    /// <summary>Parses a normalisation name.</summary>
    public static NormalizationKind ParseNormalize(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" => NormalizationKind.None,
        "standard" => NormalizationKind.Standardize,
        "sphere" => NormalizationKind.Sphere,
        _ => throw new ArgumentException($"--normalize '{name}' is unknown; valid: {string.Join(", ", NormalizeNames)}.", "normalize"),
    };

    /// <summary>Names accepted by <c>--data</c> besides a folder path.</summary>
    public static readonly IReadOnlyList<string> Names = ["fashion-mnist", "mnist", "teacher", "mixture"];

    private const int SyntheticTrain = 10_000;

    /// <summary>
    /// Checks, before any work, what can be checked without loading: the task and training size
    /// of <paramref name="selection"/>, and for <c>mnist</c> that its files are installed and the
    /// training size fits (a synthetic task's size is known too; a folder's is checked on load).
    /// </summary>
    public static void Validate(string? data, DataSelection selection)
    {
        if (data is not null && string.IsNullOrWhiteSpace(data))
            throw new ArgumentException($"--data '{data}' names no data set; give one of {string.Join(", ", Names)} or an MNIST-format folder.", "data");
        switch (data?.Trim().ToLowerInvariant())
        {
            case "mnist":
                MnistData.CheckPresent();
                selection.Validate(MnistData.TrainClassCounts.Sum(), "MNIST");
                break;
            case "teacher" or "mixture":
                selection.Validate(SyntheticTrain, $"the {data.Trim().ToLowerInvariant()} task");
                break;
            default:
                selection.Validate();
                break;
        }
    }

    /// <summary>
    /// Loads the data named by <paramref name="data"/> (null: Fashion-MNIST if installed, else the
    /// teacher task), then applies <paramref name="selection"/>'s task and training subset.
    /// </summary>
    public static ResolvedDataSet Load(string? data, bool flatten, long seed, DataSelection? selection = null) =>
        (selection ?? new DataSelection()).Apply(LoadWhole(data, flatten, seed), seed);

    private static ResolvedDataSet LoadWhole(string? data, bool flatten, long seed)
    {
        var options = new DataOptions(Flatten: flatten);
        switch (data?.Trim().ToLowerInvariant())
        {
            case "mnist":
                var mnist = MnistData.Load(options);
                return new ResolvedDataSet(mnist, $"Using {mnist.Source} (chosen with --data mnist).", false);
            case null or "fashion-mnist":
                if (data is null || DataSets.FashionMnistInstalled) return DataSets.Resolve(null, options, seed: seed);
                throw new ArgumentException(
                    $"Fashion-MNIST is not installed at {DataSets.FashionMnistFolder} ({DataSets.FashionMnistInstallHint}).", "data");
            case "teacher":
                return new ResolvedDataSet(Synthetic.Teacher(new TeacherOptions(Train: SyntheticTrain, Test: 2_000), seed),
                    "synthetic teacher task (chosen with --data teacher)", false);
            case "mixture":
                return new ResolvedDataSet(Synthetic.Mixture(new MixtureOptions(Train: SyntheticTrain, Test: 2_000), seed),
                    "synthetic Gaussian mixture (chosen with --data mixture)", false);
            default:
                if (!Directory.Exists(data))
                    throw new ArgumentException(
                        $"--data '{data}' is neither a folder nor one of: {string.Join(", ", Names)}.", "data");
                return DataSets.Resolve(data, options, seed: seed);
        }
    }
}
