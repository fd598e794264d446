namespace Hybrid.Training.Data;

/// <summary>
/// What a run takes from its data set beyond the data set itself: a label task
/// (<c>--task</c>, <see cref="LabelTasks"/>) and a fixed-seed training subset
/// (<c>--train-size</c>, <see cref="TrainingSubset"/>).
/// </summary>
/// <param name="Task">A <see cref="LabelTasks"/> name, or null for the data set's own classes.</param>
/// <param name="TrainSize">Training examples to keep, or null for all.</param>
public sealed record DataSelection(string? Task = null, int? TrainSize = null)
{
    /// <summary>
    /// Checks what can be checked without the data: the task name is known and the training
    /// size is ≥ 1 (and at most <paramref name="available"/> when that is known).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown task, or a training size out of range.</exception>
    public void Validate(long? available = null, string dataName = "the data set")
    {
        if (Task is not null) LabelTasks.Parse(Task);
        if (TrainSize is int n) TrainingSubset.Validate(n, available ?? long.MaxValue, dataName);
    }

    /// <summary>
    /// Applies the task, then the subset, to <paramref name="resolved"/>'s data set (the subset's
    /// indices do not depend on the labels, so the order does not matter). The result owns what is
    /// left of the input; on failure the input's data set is disposed and the error rethrown.
    /// </summary>
    /// <param name="resolved">The loaded data set (consumed).</param>
    /// <param name="seed">The seed of the subset.</param>
    /// <exception cref="ArgumentException">An unknown task, a task for another number of classes, or a training size out of range.</exception>
    public ResolvedDataSet Apply(ResolvedDataSet resolved, long seed)
    {
        var data = resolved.Data;
        try
        {
            if (Task is not null) data = LabelTasks.Parse(Task).Apply(data);
            if (TrainSize is int n) data = TrainingSubset.Take(data, n, seed);
        }
        catch
        {
            data.Dispose();
            throw;
        }
        return resolved with { Data = data };
    }
}
