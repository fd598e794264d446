using Hybrid.Experiments.Data;
using Hybrid.Training.Data;

namespace Hybrid.Experiments.Fitting;

/// <summary>The input checks Part I's settings share; each message names the option.</summary>
public static class PartOneChecks
{
    /// <summary>
    /// The data, task and sizes: the task is known (or "none"), the data is installed and holds
    /// <paramref name="maxTrain"/> training examples (checked here for mnist and the synthetic
    /// tasks, on load for a folder), the test size is positive, and experiments that need a binary
    /// task have one. <c>sizeOption</c> is the option that sets the training size ("n",
    /// "train-size"), for messages.
    /// </summary>
    public static void DataAndTask(string data, string? task, int maxTrain, int? testSize, bool binary, string sizeOption)
    {
        try
        {
            DataChoice.Validate(data, new DataSelection(task, maxTrain));
        }
        catch (ArgumentException e) when (e.ParamName == "train-size" && sizeOption != "train-size")
        {
            throw new ArgumentException(Hybrid.Experiments.Options.Values.PlainMessage(e).Replace("--train-size", $"--{sizeOption}"), sizeOption);
        }
        if (testSize is < 1) throw new ArgumentException($"--test-size {testSize} must be >= 1.", "test-size");
        bool named = DataChoice.Names.Contains(data.Trim().ToLowerInvariant());
        if (binary && task is null && named)
            throw new ArgumentException(
                $"this experiment needs a binary task, and --data {data} has 10 classes; use --task {LabelTasks.OddEven.Name}.", "task");
    }

    /// <summary>The MLP's shape.</summary>
    public static void Network(int depth, int width)
    {
        if (depth < 0) throw new ArgumentException($"--depth {depth} must be >= 0 (hidden layers).", "depth");
        if (width < 1) throw new ArgumentException($"--width {width} must be >= 1.", "width");
    }

    /// <summary>After loading: the problem is binary when it must be, and n fits the data.</summary>
    public static void Loaded(DataSet whole, int maxTrain, bool binary, string sizeOption)
    {
        if (binary && whole.Classes != 2)
            throw new ArgumentException($"this experiment needs a binary task; {whole.Name} has {whole.Classes} classes (use --task {LabelTasks.OddEven.Name}).", "task");
        if (maxTrain > whole.TrainCount)
            throw new ArgumentException($"--{sizeOption} {maxTrain} is larger than {whole.Name}'s {whole.TrainCount} training examples.", sizeOption);
    }
}
