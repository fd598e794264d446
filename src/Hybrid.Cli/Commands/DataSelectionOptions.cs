using System.CommandLine;
using Hybrid.Training.Data;

namespace Hybrid.Cli.Commands;

/// <summary>The data options <c>train</c> and <c>compare</c> share: <c>--data</c>'s help, <c>--task</c> and <c>--train-size</c>.</summary>
public static class DataSelectionOptions
{
    /// <summary>The help text of <c>--data</c>.</summary>
    public const string DataDescription =
        "An MNIST-format folder, or fashion-mnist, mnist (installed by scripts/setup.sh), teacher, mixture " +
        "(default: Fashion-MNIST if installed, else the teacher task).";

    /// <summary><c>--task</c>: a relabelling of the data's classes.</summary>
    public static Option<string?> Task() => new("--task")
    {
        Description = $"Relabel the data's classes: {string.Join("; ", LabelTasks.All.Select(t => $"{t.Name} ({t.Description})"))}.",
    };

    /// <summary><c>--train-size</c>: a fixed-seed random subset of the training set.</summary>
    public static Option<int?> TrainSize() => new("--train-size")
    {
        Description = "Train on n examples: the first n of a random permutation of the training set drawn from --seed " +
                      "(not class-balanced; the test set stays whole).",
    };
}
