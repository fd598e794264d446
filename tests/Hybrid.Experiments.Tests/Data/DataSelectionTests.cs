using Hybrid.Experiments.Data;
using System.Text.Json;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Train;
using Hybrid.Training.Data;

namespace Hybrid.Experiments.Tests;

/// <summary><c>--data</c>, <c>--task</c> and <c>--train-size</c> as the train and compare settings see them.</summary>
public class DataSelectionTests
{
    [Test]
    public void TaskAndSubsetApplyToANamedDataSet()
    {
        var resolved = DataChoice.Load("teacher", flatten: false, seed: 2, new DataSelection("odd-even", 300));
        using var data = resolved.Data;
        Assert.That(data.TrainCount, Is.EqualTo(300));
        Assert.That(data.TestCount, Is.EqualTo(2000));
        Assert.That(data.Classes, Is.EqualTo(2));
        Assert.That(data.TrainY.max().item<long>(), Is.EqualTo(1));
        Assert.That(data.Source, Does.Contain("task odd-even").And.Contain("300 of its 10000"));
    }

    [Test]
    public void BadSelectionsAreRejectedByValidate()
    {
        var bad = new (TrainSettings Settings, string Mentions)[]
        {
            (new TrainSettings(Data: "teacher", Task: "parity"), "--task 'parity' is unknown; valid: odd-even"),
            (new TrainSettings(Data: "teacher", TrainSize: 0), "--train-size 0 must be >= 1"),
            (new TrainSettings(Data: "teacher", TrainSize: 10_001), "larger than the teacher task's 10000"),
        };
        foreach (var (settings, mentions) in bad)
        {
            var ex = Assert.Throws(Is.InstanceOf<ArgumentException>(), settings.Validate);
            Assert.That(ex!.Message, Does.Contain(mentions));
            var compare = new CompareSettings([8], Data: settings.Data, Task: settings.Task, TrainSize: settings.TrainSize);
            Assert.Throws(Is.InstanceOf<ArgumentException>(), compare.Validate);
        }
    }

    [Test]
    public void MnistIsCheckedBeforeAnyWork()
    {
        var saved = Environment.GetEnvironmentVariable(MnistData.DataDirVariable);
        var empty = Path.Combine(Path.GetTempPath(), "hybrid-no-mnist-" + Guid.NewGuid().ToString("N"));
        try
        {
            Environment.SetEnvironmentVariable(MnistData.DataDirVariable, empty);
            var ex = Assert.Throws<FileNotFoundException>(new TrainSettings(Data: "mnist").Validate);
            Assert.That(ex!.Message, Does.Contain(Path.Combine(empty, "mnist", "train-images-idx3-ubyte")).And.Contain("scripts/setup.sh"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MnistData.DataDirVariable, saved);
        }
        if (!MnistData.Installed()) return;
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(new TrainSettings(Data: "mnist", TrainSize: 60_001).Validate);
        Assert.That(tooMany!.Message, Does.Contain("larger than MNIST's 60000"));
    }

    [Test]
    public void ConfigWithoutSelectionIsUnchanged()
    {
        // Runs written before --task/--train-size existed must still resume: no new keys when unset.
        var plain = JsonSerializer.Serialize(new TrainSettings(), RunFolder.Json);
        Assert.That(plain, Does.Not.Contain("task").And.Not.Contain("trainSize"));
        var chosen = JsonSerializer.Serialize(new TrainSettings(Task: "odd-even", TrainSize: 50), RunFolder.Json);
        Assert.That(chosen, Does.Contain("\"task\": \"odd-even\"").And.Contain("\"trainSize\": 50"));
        var compare = JsonSerializer.Serialize(new CompareSettings([8]), RunFolder.Json);
        Assert.That(compare, Does.Not.Contain("task").And.Not.Contain("trainSize"));
    }
}
