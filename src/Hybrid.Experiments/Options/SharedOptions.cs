using Hybrid.Experiments.Data;
using Hybrid.Training.Data;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Options;

// The options that several experiments have, defined once: the same name, kind of value and help
// everywhere; each experiment says where in its settings the value goes and what its default is.
public sealed partial class OptionBuilder<T>
{
    /// <summary><c>--data</c>; <paramref name="whenUnset"/> is what help shows for a null default.</summary>
    public SettingOption<T> Data(Func<T, string?> get, Func<T, string, T> set, string whenUnset = "Fashion-MNIST if installed, else the teacher task") =>
        Text("--data", $"The data: {string.Join(", ", DataChoice.Names)} (mnist and fashion-mnist are installed by scripts/setup.sh), or an MNIST-format folder.",
            set, s => get(s) ?? whenUnset);

    /// <summary><c>--task</c>: a relabelling of the data's classes; <paramref name="none"/> adds the word that keeps them.</summary>
    public SettingOption<T> Task(Func<T, string?> get, Func<T, string, T> set, bool none = false) =>
        Text("--task", $"Relabel the data's classes: {string.Join("; ", LabelTasks.All.Select(t => $"{t.Name} ({t.Description})"))}" +
                       (none ? "; none keeps the data's own classes." : "."), set, s => get(s) ?? "none");

    /// <summary><c>--train-size</c>.</summary>
    public SettingOption<T> TrainSize(Func<T, int?> get, Func<T, int, T> set, string description) =>
        Int("--train-size", description, set, s => get(s) is int n ? n : "all");

    /// <summary><c>--test-size</c>.</summary>
    public SettingOption<T> TestSize(Func<T, int?> get, Func<T, int, T> set, string description) =>
        Int("--test-size", description, set, s => get(s) is int n ? n : "all");

    /// <summary><c>--normalize</c>.</summary>
    public SettingOption<T> Normalize(Func<T, string> get, Func<T, string, T> set) =>
        Text("--normalize", $"Input normalisation: {string.Join(", ", DataChoice.NormalizeNames)} (standard: one mean and deviation, the authors' MNIST transform).",
            set, get);

    /// <summary><c>--seeds</c>: runs per point, mean ± 95 % interval over them.</summary>
    public SettingOption<T> Seeds(Func<T, int> get, Func<T, int, T> set, string what = "Seeds per point") =>
        Int("--seeds", $"{what} (--seed, --seed + 1, …); with 2 or more, results are mean ± 95 % interval over them.", set, s => get(s));

    /// <summary><c>--seed</c>: the first seed.</summary>
    public SettingOption<T> Seed(Func<T, long> get, Func<T, long, T> set, string description = "The first seed (of weights, batch order and rounding).") =>
        Long("--seed", description, set, s => get(s));

    /// <summary><c>--epochs</c>.</summary>
    public SettingOption<T> Epochs(Func<T, int> get, Func<T, int, T> set, string description = "Epochs per run.") =>
        Int("--epochs", description, set, s => get(s));

    /// <summary><c>--batch-size</c>.</summary>
    public SettingOption<T> BatchSize(Func<T, int> get, Func<T, int, T> set) =>
        Int("--batch-size", "Examples per batch.", set, s => get(s));

    /// <summary><c>--model</c>; <paramref name="kinds"/> lists the valid ones.</summary>
    public SettingOption<T> Model(Func<T, string> get, Func<T, string, T> set, string kinds) =>
        Text("--model", $"Model family: {kinds}.", set, get);

    /// <summary><c>--width</c>.</summary>
    public SettingOption<T> Width(Func<T, int> get, Func<T, int, T> set, string description = "Units per hidden layer.") =>
        Int("--width", description, set, s => get(s));

    /// <summary><c>--depth</c>.</summary>
    public SettingOption<T> Depth(Func<T, int> get, Func<T, int, T> set, string description = "Hidden layers.") =>
        Int("--depth", description, set, s => get(s));

    /// <summary><c>--widths</c>.</summary>
    public SettingOption<T> Widths(Func<T, int[]> get, Func<T, int[], T> set, string description = "Widths, comma-separated.") =>
        Ints("--widths", description, set, get);

    /// <summary><c>--depths</c>.</summary>
    public SettingOption<T> Depths(Func<T, int[]> get, Func<T, int[], T> set, string description = "Depths in hidden layers, comma-separated.") =>
        Ints("--depths", description, set, get);

    /// <summary><c>--optimizers</c>.</summary>
    public SettingOption<T> Optimizers(Func<T, string[]> get, Func<T, string[], T> set) =>
        Names("--optimizers", $"Optimisers, comma-separated, of: {string.Join(", ", OptimizerCatalog.Names)}.", set, get);

    /// <summary><c>--lr-span</c>.</summary>
    public SettingOption<T> LrSpan(Func<T, int> get, Func<T, int, T> set, string detail) =>
        Int("--lr-span", $"Decades each side of every optimiser's default learning rate ({detail}).", set, s => get(s));

    /// <summary><c>--lr-decay</c>.</summary>
    public SettingOption<T> LrDecay(Func<T, double> get, Func<T, double, T> set) =>
        Number("--lr-decay", "Learning-rate factor per epoch.", set, s => get(s));
}

/// <summary>Help texts the model options of <c>train</c> and <c>compare</c> share.</summary>
public static class ModelOptionTexts
{
    /// <summary>The models <c>train</c> and <c>compare</c> build, for <c>--model</c>'s help.</summary>
    public const string ModelKinds = "mlp, cnn, residual-mlp, resnet (pre-activation ResNet-(6·depth+2)) or gpt (character-level " +
        "transformer on --data fortunes; try --depth 4 --width 128 --batch-size 32)";

    /// <summary>What <c>--depth</c> counts in each model.</summary>
    public const string DepthMeaning = "Hidden layers (mlp, residual-mlp), hidden head layers (cnn), blocks per stage (resnet) or blocks (gpt).";

    /// <summary>What <c>--width</c> means in each model.</summary>
    public const string WidthMeaning = "Units per hidden layer; the gpt's model width d (4 heads); unused by resnet (widths 16/32/64).";
}
