using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Models;

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
    public static readonly IReadOnlyList<string> Names = ["fashion-mnist", "mnist", "teacher", "mixture", Text];

    /// <summary>The text corpus (<see cref="Fortunes"/>): character windows for <c>--model gpt</c>, and only for it.</summary>
    public const string Text = "fortunes";

    /// <summary>The GPT's context: windows of this many characters (the issue's "context 128").</summary>
    public const int TextContext = 128;

    private const int SyntheticTrain = 10_000;

    /// <summary>The data a run of <paramref name="model"/> uses: <paramref name="data"/>, or for the GPT (which reads
    /// text, not images) the text corpus when none is named.</summary>
    public static string? ForModel(string? data, string model) =>
        data is null && IsGpt(model) ? Text : data;

    private static bool IsGpt(string model)
    {
        try { return ModelSpec.ParseKind(model) == ModelKind.Gpt; }
        catch (ArgumentException) { return false; } // the model's own check names it
    }

    /// <summary>
    /// Checks that <paramref name="model"/> can read <paramref name="data"/>: the GPT reads only the text corpus, and the
    /// text corpus (token ids, not magnitudes) is read only by the GPT.
    /// </summary>
    public static void RequireModelReads(string model, string? data)
    {
        bool text = data?.Trim().ToLowerInvariant() == Text, gpt = IsGpt(model);
        if (gpt && !text)
            throw new ArgumentException($"--model gpt reads text: use --data {Text} (or leave --data out), not '{data}'.", "data");
        if (text && !gpt)
            throw new ArgumentException($"--data {Text} is a text corpus of token ids: only --model gpt reads it (got --model {model}).", "data");
    }

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
            case Text:
                if (selection.Task is not null)
                    throw new ArgumentException($"--task {selection.Task} relabels image classes; the text corpus has none.", "task");
                if (!Fortunes.Installed())
                    throw new ArgumentException($"the text corpus is not installed at {Fortunes.Folder} ({Fortunes.InstallHint}).", "data");
                selection.Validate();
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
            case Text:
                if (flatten) throw new ArgumentException($"--data {Text} is a text corpus: only --model gpt reads it.", "data");
                return new ResolvedDataSet(Fortunes.Load().Windows(TextContext),
                    $"Using the {Text} text corpus in windows of {TextContext} characters (chosen with --data {Text} or --model gpt); " +
                    "the test split is the held-out validation text.", false);
            default:
                if (!Directory.Exists(data))
                    throw new ArgumentException(
                        $"--data '{data}' is neither a folder nor one of: {string.Join(", ", Names)}.", "data");
                return DataSets.Resolve(data, options, seed: seed);
        }
    }
}
