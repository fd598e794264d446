using Hybrid.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Data;

public class SyntheticTests
{
    [Test]
    public void TeacherIsAPureFunctionOfTheSeed()
    {
        using var a = Synthetic.Teacher(seed: 7);
        using var b = Synthetic.Teacher(seed: 7);
        using var c = Synthetic.Teacher(seed: 8);
        AssertSame(a, b);
        Assert.That(a.TrainX.SameAs(c.TrainX), Is.False);
        Assert.That(a.TrainY.SameAs(c.TrainY), Is.False);
    }

    [Test]
    public void TeacherDefaultsAndShapes()
    {
        using var t = Synthetic.Teacher();
        Assert.That(t.TrainX.shape, Is.EqualTo(new long[] { 2000, 32 }));
        Assert.That(t.TestX.shape, Is.EqualTo(new long[] { 500, 32 }));
        Assert.That(t.TrainX.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(t.TrainY.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(t.InputShape, Is.EqualTo(new long[] { 32 }));
        Assert.That(t.Classes, Is.EqualTo(10));
        Assert.That(t.Source, Does.Contain("teacher").And.Contain("seed 0"));
    }

    [Test]
    public void TeacherTestSetDoesNotDependOnTrainingSize()
    {
        using var small = Synthetic.Teacher(new TeacherOptions(Train: 100), seed: 2);
        using var large = Synthetic.Teacher(new TeacherOptions(Train: 3000), seed: 2);
        Assert.That(small.TestX.SameAs(large.TestX), Is.True);
        Assert.That(small.TestY.SameAs(large.TestY), Is.True);
        using var head = large.TrainX.narrow(0, 0, 100);
        Assert.That(small.TrainX.SameAs(head), Is.True, "the first 100 training points agree");
    }

    [TestCase(10)]
    [TestCase(2)]
    public void TeacherClassesAreRoughlyBalanced(int k)
    {
        using var t = Synthetic.Teacher(new TeacherOptions(Classes: k), seed: 1);
        var counts = t.TrainClassCounts();
        TestContext.Out.WriteLine($"k = {k}: {string.Join(' ', counts)}");
        double expected = 2000.0 / k;
        Assert.That(counts, Is.All.InRange((long)(0.4 * expected), (long)(2.0 * expected)));
    }

    [Test]
    public void TeacherLabelsAreLearnableByALinearProbe()
    {
        using var t = Synthetic.Teacher(seed: 4);
        double acc = LinearProbeAccuracy(t);
        TestContext.Out.WriteLine($"linear-probe test accuracy {acc:P1} (chance 10 %)");
        Assert.That(acc, Is.GreaterThan(0.3));
    }

    [Test]
    public void MixtureIsDeterministicBalancedAndSeparated()
    {
        using var a = Synthetic.Mixture(seed: 5);
        using var b = Synthetic.Mixture(seed: 5);
        AssertSame(a, b);
        Assert.That(a.TrainClassCounts(), Is.All.EqualTo(200));
        Assert.That(a.TestClassCounts(), Is.All.EqualTo(50));

        // Class means sit Δ = 4 apart; estimated from 200 points each, sqrt(Δ² + 2·d/200) ≈ 4.04.
        using var onehot = nn.functional.one_hot(a.TrainY, 10).to_type(ScalarType.Float32);
        using var means = onehot.t().matmul(a.TrainX) / 200f;
        using var dist = cdist(means, means);
        var d = dist.data<float>().ToArray();
        for (int i = 0; i < 10; ++i)
            for (int j = 0; j < 10; ++j)
                if (i != j) Assert.That(d[i * 10 + j], Is.EqualTo(4.04).Within(0.35), $"centres {i}, {j}");

        double acc = LinearProbeAccuracy(a);
        TestContext.Out.WriteLine($"linear-probe test accuracy {acc:P1} (chance 10 %)");
        Assert.That(acc, Is.GreaterThan(0.8));
    }

    [Test]
    public void BinaryVariantsHaveTwoClasses()
    {
        using var t = Synthetic.Teacher(TeacherOptions.Binary, seed: 1);
        using var m = Synthetic.Mixture(MixtureOptions.Binary, seed: 1);
        Assert.That(t.Classes, Is.EqualTo(2));
        Assert.That(m.Classes, Is.EqualTo(2));
        Assert.That(t.Name, Is.EqualTo("teacher-binary"));
        Assert.That(m.TrainClassCounts(), Is.EqualTo(new long[] { 1000, 1000 }));
        Assert.That(t.TrainY.max().item<long>(), Is.EqualTo(1));
    }

    [Test]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Mixture(new MixtureOptions(Dim: 4, Classes: 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Mixture(new MixtureOptions(Separation: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Teacher(new TeacherOptions(Classes: 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Teacher(new TeacherOptions(Train: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Teacher(new TeacherOptions(Depth: -1)));
    }

    private static void AssertSame(DataSet a, DataSet b)
    {
        Assert.That(a.TrainX.SameAs(b.TrainX), Is.True);
        Assert.That(a.TrainY.SameAs(b.TrainY), Is.True);
        Assert.That(a.TestX.SameAs(b.TestX), Is.True);
        Assert.That(a.TestY.SameAs(b.TestY), Is.True);
    }

    // A least-squares linear classifier (fit one-hot targets with a bias column, predict the
    // argmax): a cheap check that the labels carry signal a learner can pick up.
    private static double LinearProbeAccuracy(DataSet data)
    {
        using var scope = NewDisposeScope();
        var ones = torch.ones(data.TrainCount, 1);
        var a = cat([data.TrainX, ones], 1).to_type(ScalarType.Float64);
        var targets = nn.functional.one_hot(data.TrainY, data.Classes).to_type(ScalarType.Float64);
        var w = linalg.lstsq(a, targets).Solution;
        var testA = cat([data.TestX, torch.ones(data.TestCount, 1)], 1).to_type(ScalarType.Float64);
        var predicted = testA.matmul(w).argmax(1);
        return predicted.eq(data.TestY).to_type(ScalarType.Float64).mean().item<double>();
    }
}
