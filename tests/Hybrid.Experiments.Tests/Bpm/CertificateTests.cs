using Hybrid.Experiments.Bpm;

namespace Hybrid.Experiments.Tests.PartOne;

/// <summary>The training-data certificates of <see cref="BpmCertificates"/> against closed forms and hand-computed values.</summary>
public class CertificateTests
{
    [Test]
    public void BinaryKlMatchesHandValues()
    {
        // kl(0.1‖0.3) = 0.1 ln(1/3) + 0.9 ln(0.9/0.7)
        Assert.That(BpmCertificates.BinaryKl(0.1, 0.3), Is.EqualTo(0.1 * Math.Log(1 / 3.0) + 0.9 * Math.Log(0.9 / 0.7)).Within(1e-15));
        Assert.That(BpmCertificates.BinaryKl(0, 0.25), Is.EqualTo(-Math.Log(0.75)).Within(1e-15), "kl(0‖p) = −ln(1 − p)");
        Assert.That(BpmCertificates.BinaryKl(0.4, 0.4), Is.EqualTo(0).Within(1e-15));
        Assert.That(BpmCertificates.BinaryKl(0.2, 0), Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void KlInverseAtZeroRiskIsTheClosedForm()
    {
        // kl(0‖p) = −ln(1 − p) ≤ ε  ⇔  p ≤ 1 − e^{−ε}
        foreach (double eps in new[] { 1e-3, 0.1, 0.7, 3.0 })
            Assert.That(BpmCertificates.KlInverseUpper(0, eps), Is.EqualTo(1 - Math.Exp(-eps)).Within(1e-11), $"ε = {eps}");
        Assert.That(BpmCertificates.KlInverseLower(0, 0.5), Is.EqualTo(0), "nothing below 0");
    }

    [Test]
    public void KlInverseSitsOnTheLevelSet()
    {
        // an independent check: at the inverse kl(q‖p) = ε, and a point 1e-6 further out exceeds ε
        foreach (var (q, eps) in new[] { (0.05, 0.02), (0.2, 0.1), (0.45, 0.3) })
        {
            double up = BpmCertificates.KlInverseUpper(q, eps), low = BpmCertificates.KlInverseLower(q, eps);
            Assert.That(BpmCertificates.BinaryKl(q, up), Is.EqualTo(eps).Within(1e-9));
            Assert.That(BpmCertificates.BinaryKl(q, low), Is.EqualTo(eps).Within(1e-9));
            Assert.That(BpmCertificates.BinaryKl(q, up + 1e-6), Is.GreaterThan(eps));
            Assert.That(BpmCertificates.BinaryKl(q, low - 1e-6), Is.GreaterThan(eps));
            Assert.That(low, Is.LessThan(q));
            Assert.That(up, Is.GreaterThan(q));
        }
    }

    [Test]
    public void CertificateOfAnInterpolatingPosteriorIsHandComputed()
    {
        // KL = 20, n = 100, δ = 0.05, R̂ = d̂ = 0 on the training points.
        var c = BpmCertificates.From(20, 100, 0, 0, 100, 0.05);
        double epsAlone = (20 + Math.Log(2 * 10 / 0.05)) / 100, eps = (20 + Math.Log(2 * 10 / 0.025)) / 100;
        Assert.That(c.GibbsEpsilon, Is.EqualTo(epsAlone).Within(1e-14));
        Assert.That(c.GibbsBound, Is.EqualTo(1 - Math.Exp(-epsAlone)).Within(1e-11));
        Assert.That(c.CGibbsUpper, Is.EqualTo(1 - Math.Exp(-eps)).Within(1e-11));
        Assert.That(c.CDisagreementLower, Is.EqualTo(0));
        double r = 1 - Math.Exp(-eps);
        Assert.That(c.CBound, Is.EqualTo(4 * r * (1 - r)).Within(1e-10), "d̲ = 0: the C-bound is 4R̄(1 − R̄), above the Gibbs bound");
        Assert.That(c.CBound, Is.GreaterThan(c.GibbsBound));
    }

    [Test]
    public void UnlabelledDisagreementTightensTheCBound()
    {
        // Many unlabelled points with d̂ = 0.3 give d̲ close to 0.3 and a C-bound below 2R̄.
        var c = BpmCertificates.From(5, 1000, 0.2, 0.3, 100_000, 0.01);
        double r = c.CGibbsUpper, d = c.CDisagreementLower;
        Assert.That(d, Is.InRange(0.28, 0.3));
        Assert.That(c.CBound, Is.EqualTo(1 - (1 - 2 * r) * (1 - 2 * r) / (1 - 2 * d)).Within(1e-12));
        Assert.That(c.CBound, Is.LessThan(c.TwiceGibbsBound));
    }

    [Test]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BpmCertificates.From(-1, 10, 0, 0, 10, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpmCertificates.From(1, 0, 0, 0, 10, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpmCertificates.From(1, 10, 0, 0, 10, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpmCertificates.KlInverseUpper(1.5, 0.1));
    }
}
