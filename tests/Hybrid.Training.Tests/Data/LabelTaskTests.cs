using Hybrid.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Data;

public class LabelTaskTests
{
    // Every digit twice in train, once in test; inputs carry their row number.
    internal static DataSet Digits(int classes = 10, int perClassTrain = 2)
    {
        long[] train = Enumerable.Range(0, classes * perClassTrain).Select(i => (long)(i % classes)).ToArray();
        long[] test = Enumerable.Range(0, classes).Select(i => (long)(classes - 1 - i)).ToArray();
        var trainX = torch.arange(train.Length, ScalarType.Float32).reshape(train.Length, 1);
        var testX = torch.arange(test.Length, ScalarType.Float32).reshape(test.Length, 1);
        return new DataSet("digits", trainX, torch.tensor(train), testX, torch.tensor(test), classes, [1], "hand-made digits");
    }

    [Test]
    public void OddEvenMapsEachDigitToItsParity()
    {
        var digits = Digits();
        long[] trainDigits = digits.TrainY.data<long>().ToArray(), testDigits = digits.TestY.data<long>().ToArray();
        var trainX = digits.TrainX;
        using var parity = LabelTasks.OddEven.Apply(digits);
        Assert.That(parity.Classes, Is.EqualTo(2));
        Assert.That(parity.TrainY.data<long>().ToArray(), Is.EqualTo(trainDigits.Select(d => d % 2).ToArray()), "odd = 1, even = 0");
        Assert.That(parity.TestY.data<long>().ToArray(), Is.EqualTo(testDigits.Select(d => d % 2).ToArray()));
        Assert.That(parity.TrainY.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(parity.TrainX, Is.SameAs(trainX), "inputs are kept, not copied");
        Assert.That(parity.Name, Is.EqualTo("digits odd-even"));
        Assert.That(parity.Source, Does.Contain("hand-made digits").And.Contain("odd digits 1, 3, 5, 7, 9 → class 1"));
        Assert.That(LabelTasks.OddEven.Map.Select((c, digit) => c == digit % 2).All(ok => ok), Is.True);
    }

    [TestCase("odd-even")]
    [TestCase(" Odd-Even ")]
    public void ParseFindsTasksByName(string name) => Assert.That(LabelTasks.Parse(name), Is.SameAs(LabelTasks.OddEven));

    [Test]
    public void AnUnknownTaskNamesTheValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => LabelTasks.Parse("parity"));
        Assert.That(ex!.Message, Does.Contain("--task 'parity' is unknown").And.Contain("odd-even"));
    }

    [Test]
    public void ATaskForAnotherClassCountIsRejectedAndTheDataKept()
    {
        using var three = Digits(classes: 3);
        var ex = Assert.Throws<ArgumentException>(() => LabelTasks.OddEven.Apply(three));
        Assert.That(ex!.Message, Does.Contain("10 classes").And.Contain("has 3"));
        Assert.That(three.TrainY.data<long>().ToArray(), Has.Length.EqualTo(6), "the input's labels were not disposed");
    }

    [Test]
    public void AnyTableIsATask()
    {
        var high = new LabelTask("five-or-more", "0–4 → 0, 5–9 → 1", [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        using var data = high.Apply(Digits());
        Assert.That(data.TrainClassCounts(), Is.EqualTo(new long[] { 10, 10 }));
        var triple = new LabelTask("mod-3", "digit mod 3", Enumerable.Range(0, 10).Select(d => d % 3).ToArray());
        Assert.That(triple.Classes, Is.EqualTo(3));
    }

    [TestCase(new[] { 0, 2, 0, 2 }, "unused: 1")]
    [TestCase(new[] { 0, -1, 1 }, "negative")]
    [TestCase(new[] { 0, 0, 0 }, "at least two")]
    [TestCase(new[] { 0 }, "at least 2")]
    public void InvalidTablesAreRejected(int[] map, string mentions)
    {
        var ex = Assert.Throws<ArgumentException>(() => new LabelTask("bad", "bad", map).Validate());
        Assert.That(ex!.Message, Does.Contain(mentions));
    }
}
