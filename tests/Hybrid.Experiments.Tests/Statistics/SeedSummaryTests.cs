using Hybrid.Experiments.Statistics;

namespace Hybrid.Experiments.Tests;

/// <summary>Mean ± 95 % interval over seeds, worked by hand.</summary>
public class SeedSummaryTests
{
    [Test]
    public void ThreeSeedsByHand()
    {
        // mean 2, sd 1, t(0.975, 2) = 4.303: half-width 4.303 / sqrt(3) = 2.4843
        var s = SeedSummary.Of([1.0, 2.0, 3.0]);
        Assert.That(s.Mean, Is.EqualTo(2.0));
        Assert.That(s.Sd, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(s.HalfWidth, Is.EqualTo(4.303 / Math.Sqrt(3)).Within(1e-9));
        Assert.That(s.Format("F2"), Is.EqualTo("2.00 ± 2.48"));
    }

    [Test]
    public void TheSameValueAtEverySeedHasNoSpread()
    {
        // (x + x + x) / 3 is not x for this x: the mean's rounding must not become an interval
        const double x = 0.1;
        Assert.That((x + x + x) / 3, Is.Not.EqualTo(x), "the case the rule exists for");
        var s = SeedSummary.Of([x, x, x]);
        Assert.That((s.Mean, s.Sd, s.HalfWidth, s.Count), Is.EqualTo((x, 0.0, 0.0, 3)));
    }

    [Test]
    public void OneSeedHasNoIntervalAndIsNeverSignificant()
    {
        var a = SeedSummary.Of([0.9]);
        var b = SeedSummary.Of([0.1]);
        Assert.That(a.HalfWidth, Is.NaN);
        Assert.That(a.DiffersFrom(b), Is.False);
        Assert.That(a.Format("F1"), Is.EqualTo("0.9"));
    }

    [Test]
    public void DivergedSeedsAreLeftOutAndCounted()
    {
        var s = SeedSummary.Of([1.0, double.NaN, 3.0]);
        Assert.That(s.Count, Is.EqualTo(2));
        Assert.That(s.Mean, Is.EqualTo(2.0));
    }

    [Test]
    public void DisjointIntervalsDifferOverlappingOnesDoNot()
    {
        var a = SeedSummary.Of([1.0, 1.1, 0.9, 1.0]);
        var b = SeedSummary.Of([2.0, 2.1, 1.9, 2.0]);
        var c = SeedSummary.Of([1.05, 1.2, 0.95, 1.1]);
        Assert.That(a.DiffersFrom(b), Is.True);
        Assert.That(a.DiffersFrom(c), Is.False);
    }

    [TestCase(1, 12.706), TestCase(30, 2.042), TestCase(40, 2.021), TestCase(60, 2.000), TestCase(120, 1.980)]
    public void StudentQuantileMatchesTheTable(int df, double expected) =>
        Assert.That(SeedSummary.StudentT975(df), Is.EqualTo(expected).Within(1.5e-3));
}
