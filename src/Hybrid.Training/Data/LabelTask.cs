using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>
/// A classification task made from a data set's own classes by a table: original class c
/// becomes task class <c>Map[c]</c>. Any such task (parity, "≥ 5", a grouping of classes) is one
/// table; adding one to <see cref="LabelTasks.All"/> makes it a <c>--task</c> name.
/// </summary>
/// <param name="Name">The <c>--task</c> name ("odd-even").</param>
/// <param name="Description">The mapping in words, for sources and reports.</param>
/// <param name="Map">Task class of each original class; its length is the number of original classes.</param>
public sealed record LabelTask(string Name, string Description, int[] Map)
{
    /// <summary>The number of classes the data set must have (the length of <see cref="Map"/>).</summary>
    public int SourceClasses => Map.Length;

    /// <summary>The number of task classes (one more than the largest entry of <see cref="Map"/>).</summary>
    public int Classes => Map.Length == 0 ? 0 : Map.Max() + 1;

    /// <summary>Checks the table: at least two original classes, every entry ≥ 0, every task class used.</summary>
    /// <exception cref="ArgumentException">The table is not a valid task.</exception>
    public void Validate()
    {
        if (Map.Length < 2) throw new ArgumentException($"task '{Name}' maps {Map.Length} classes; it needs at least 2.", nameof(Map));
        if (Map.Any(c => c < 0)) throw new ArgumentException($"task '{Name}' maps a class to a negative class.", nameof(Map));
        var unused = Enumerable.Range(0, Classes).Where(c => !Map.Contains(c)).ToArray();
        if (Classes < 2 || unused.Length > 0)
            throw new ArgumentException(
                $"task '{Name}' must use every task class 0..{Classes - 1} and at least two; unused: {string.Join(", ", unused)}.", nameof(Map));
    }

    /// <summary>
    /// The data set with its labels mapped by this task (train and test). On success the result
    /// owns <paramref name="data"/>'s input tensors and <paramref name="data"/>'s label tensors are
    /// disposed: use only the result. On failure <paramref name="data"/> is untouched.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has a number of classes other than <see cref="SourceClasses"/>.</exception>
    public DataSet Apply(DataSet data)
    {
        Validate();
        if (data.Classes != SourceClasses)
            throw new ArgumentException(
                $"--task {Name} needs a data set with {SourceClasses} classes; {data.Name} has {data.Classes}.", "task");
        Tensor? trainY = null;
        using var table = torch.tensor(Map.Select(c => (long)c).ToArray(), ScalarType.Int64);
        try
        {
            trainY = table.index_select(0, data.TrainY);
            var testY = table.index_select(0, data.TestY);
            var result = data with
            {
                Name = $"{data.Name} {Name}", TrainY = trainY, TestY = testY, Classes = Classes,
                Source = $"{data.Source}; task {Name}: {Description}",
            };
            data.TrainY.Dispose();
            data.TestY.Dispose();
            return result;
        }
        catch
        {
            trainY?.Dispose();
            throw;
        }
    }
}

/// <summary>The named tasks of <c>--task</c>.</summary>
public static class LabelTasks
{
    /// <summary>
    /// Digit parity, the binary MNIST task of jxbz/bpm and alexfarhang/margin: even digits
    /// (0, 2, 4, 6, 8) are class 0, odd digits (1, 3, 5, 7, 9) class 1. As a ±1 target
    /// (2·class − 1) odd is +1 and even −1, the authors' <c>label % 2 · 2 − 1</c>.
    /// </summary>
    public static readonly LabelTask OddEven = new("odd-even",
        "even digits 0, 2, 4, 6, 8 → class 0, odd digits 1, 3, 5, 7, 9 → class 1", [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);

    /// <summary>Every named task.</summary>
    public static readonly IReadOnlyList<LabelTask> All = [OddEven];

    /// <summary>The names accepted by <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> Names => All.Select(t => t.Name).ToArray();

    /// <summary>The task named <paramref name="name"/> (case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="ArgumentException">No task has that name (the message lists the valid ones).</exception>
    public static LabelTask Parse(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"--task '{name}' is unknown; valid: {string.Join(", ", Names)}.", "task");
}
