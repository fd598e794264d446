using Hybrid.Training.Data;
using TorchSharp;

namespace Hybrid.Training.Tests.Data;

public class TrainingSubsetTests
{
    [Test]
    public void SameSeedSameSubsetOtherSeedAnother()
    {
        var a = TrainingSubset.Indices(60_000, 1000, seed: 3);
        Assert.That(TrainingSubset.Indices(60_000, 1000, seed: 3), Is.EqualTo(a));
        Assert.That(TrainingSubset.Indices(60_000, 1000, seed: 4), Is.Not.EqualTo(a));
        Assert.That(a.Distinct().Count(), Is.EqualTo(1000));
        Assert.That(a, Has.All.InRange(0L, 59_999L));
    }

    [Test]
    public void SubsetsOfOneSeedAreNested()
    {
        var large = TrainingSubset.Indices(60_000, 1000, seed: 0);
        foreach (int n in new[] { 1, 50, 100, 500 })
            Assert.That(TrainingSubset.Indices(60_000, n, seed: 0), Is.EqualTo(large[..n]), $"n = {n}");
    }

    [Test]
    public void TheWholeSetIsAPermutation()
    {
        var all = TrainingSubset.Indices(100, 100, seed: 9);
        Assert.That(all.Order(), Is.EqualTo(Enumerable.Range(0, 100).Select(i => (long)i)));
        Assert.That(all, Is.Not.EqualTo(Enumerable.Range(0, 100).Select(i => (long)i)), "shuffled");
    }

    [Test]
    public void EveryExampleIsEquallyLikely()
    {
        // n = 1 of 10 over 20 000 seeds: each count is Binomial(20 000, 0.1), sd ≈ 42.4.
        var counts = new int[10];
        for (int seed = 0; seed < 20_000; ++seed) ++counts[TrainingSubset.Indices(10, 1, seed)[0]];
        Assert.That(counts, Has.All.InRange(2000 - 5 * 42.4, 2000 + 5 * 42.4), string.Join(", ", counts));
    }

    [TestCase(0, "must be >= 1")]
    [TestCase(-5, "must be >= 1")]
    [TestCase(21, "larger than digits's 20 training examples")]
    public void SizesOutOfRangeAreRejectedAndTheDataKept(int n, string mentions)
    {
        using var data = LabelTaskTests.Digits();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TrainingSubset.Take(data, n, seed: 0));
        Assert.That(ex!.Message, Does.Contain($"--train-size {n}").And.Contain(mentions));
        Assert.That(data.TrainX.data<float>().ToArray(), Has.Length.EqualTo(20), "the input was not disposed");
    }

    [Test]
    public void TakeKeepsTheChosenRowsAndTheWholeTestSet()
    {
        var data = LabelTaskTests.Digits();
        long[] labels = data.TrainY.data<long>().ToArray();
        var testX = data.TestX;
        using var subset = TrainingSubset.Take(data, 7, seed: 11);
        var chosen = TrainingSubset.Indices(20, 7, seed: 11);
        Assert.That(subset.TrainCount, Is.EqualTo(7));
        // each input is its row number, so the rows say which examples were kept
        Assert.That(subset.TrainX.data<float>().ToArray(), Is.EqualTo(chosen.Select(i => (float)i).ToArray()));
        Assert.That(subset.TrainY.data<long>().ToArray(), Is.EqualTo(chosen.Select(i => labels[i]).ToArray()));
        Assert.That(subset.TestX, Is.SameAs(testX));
        Assert.That(subset.Source, Does.Contain("7 of its 20 training examples").And.Contain("seed 11"));
    }
}
