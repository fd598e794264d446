using Hybrid.Experiments.Uncertainty;

namespace Hybrid.Experiments.Tests.PartOne;

/// <summary>Selective accuracy, calibration and rank correlation on hand-worked examples.</summary>
public class ConfidenceMetricsTests
{
    private static readonly double[] Confidence = [0.9, 0.8, 0.8, 0.6];
    private static readonly bool[] Correct = [true, false, true, false];

    [TestCase(0.25, 1.0)]
    [TestCase(0.5, 0.75)]  // the 0.9 point, then half of the tied 0.8 pair (one right of two): (1 + 0.5) / 2
    [TestCase(0.75, 2.0 / 3)]
    [TestCase(1.0, 0.5)]
    public void SelectiveAccuracySharesTiesFairly(double coverage, double expected) =>
        Assert.That(ConfidenceMetrics.SelectiveAccuracy(Confidence, Correct, coverage), Is.EqualTo(expected).Within(1e-12));

    [Test]
    public void CalibrationErrorAndBins()
    {
        // one bin: mean confidence 0.775, accuracy 0.5
        Assert.That(ConfidenceMetrics.ExpectedCalibrationError(Confidence, Correct, 1), Is.EqualTo(0.275).Within(1e-12));
        // two bins [0.5, 0.75) = {0.6}: conf 0.6, acc 0; [0.75, 1] = {0.9, 0.8, 0.8}: conf 0.8333, acc 0.6667
        var bins = ConfidenceMetrics.Reliability(Confidence, Correct, 2);
        Assert.That(bins.Select(b => b.Count), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(bins[1].Confidence, Is.EqualTo(2.5 / 3).Within(1e-12));
        Assert.That(bins[1].Accuracy, Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(ConfidenceMetrics.ExpectedCalibrationError(Confidence, Correct, 2), Is.EqualTo(0.25 * 0.6 + 0.75 * (2.5 / 3 - 2.0 / 3)).Within(1e-12));
        Assert.That(ConfidenceMetrics.Reliability([1.0], [true], 4)[^1].Count, Is.EqualTo(1), "confidence 1 falls in the last bin");
    }

    [Test]
    public void SpearmanUsesMidRanks()
    {
        Assert.That(ConfidenceMetrics.Spearman([1, 2, 3, 4], [10, 20, 30, 45]), Is.EqualTo(1).Within(1e-12));
        Assert.That(ConfidenceMetrics.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), Is.EqualTo(-1).Within(1e-12));
        Assert.That(ConfidenceMetrics.MidRanks([5, 1, 1, 7]), Is.EqualTo(new[] { 3, 1.5, 1.5, 4 }));
        // ranks (1.5, 1.5, 3) vs (1, 2, 3): deviations (−½, −½, 1) and (−1, 0, 1): r = 1.5 / sqrt(1.5 · 2) = √3/2
        Assert.That(ConfidenceMetrics.Spearman([1, 1, 2], [1, 2, 3]), Is.EqualTo(Math.Sqrt(3) / 2).Within(1e-12));
        Assert.That(ConfidenceMetrics.Spearman([1, 1, 1], [1, 2, 3]), Is.NaN);
    }

    [Test]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => ConfidenceMetrics.SelectiveAccuracy([0.5], [true, false], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceMetrics.SelectiveAccuracy(Confidence, Correct, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidenceMetrics.Reliability(Confidence, Correct, 0));
    }
}
