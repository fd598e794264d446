using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>The synapse model's knobs on every backend: moment modes and the device model.</summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class SynapseModelTests(ISynapseBackend backend)
{
    private static readonly LnsFormat F12 = new(12, 64f, 1f);

    private static ushort[] Start(int n) => Enumerable.Range(0, n).Select(i => (ushort)(200 + i % 1000)).ToArray();

    private (ushort[] Codes, float[] V) Run(LnsMadamSettings s, int n, int steps, int gradSeed = 1)
    {
        var codes = Start(n);
        var v = new float[s.MomentLength(n)];
        for (int t = 1; t <= steps; ++t)
            backend.LnsMadamStep(s with { Step = t }, codes, TestData.Normal(n, gradSeed * 1000 + t), v);
        return (codes, v);
    }

    [Test]
    public void PerNeuronMomentSharesOneDenominatorPerRow()
    {
        // Row 0 has gradients 1, 1, 1 and row 1 has 0.1, 3, 0: hand-worked in native/tests/test_lns_step.c.
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.1f, Rounding: RoundingMode.Nearest,
            Moment: MomentMode.PerNeuron, Rows: 2);
        byte[] codes = [40, 40, 40, 40, 40, 40];
        var v = new float[2];
        backend.LnsMadamStep(s, codes, [1f, 1f, 1f, 0.1f, 3f, 0f], v);
        Assert.That(codes, Is.EqualTo(new byte[] { 41, 41, 41, 40, 42, 40 }));
        Assert.That(v[1], Is.EqualTo((1f - 0.999f) * (9.01f / 3f)).Within(1e-8f));
    }

    [Test]
    public void SignOnlyNeedsNoMomentAndStepsBySign()
    {
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.1f, Rounding: RoundingMode.Nearest, Moment: MomentMode.None);
        byte[] codes = [40, 40, 40, 168];
        backend.LnsMadamStep(s, codes, [1e-6f, -5f, 0f, 1e-6f], Span<float>.Empty);
        Assert.That(codes, Is.EqualTo(new byte[] { 41, 39, 40, 167 }));
    }

    [Test]
    public void EveryMomentModeLearnsTheSignOfAFixedGradient([Values] MomentMode mode)
    {
        // A constant gradient pattern: positive weights with positive gradients must shrink
        // (k grows) and those with negative gradients grow, whatever the moment mode.
        const int n = 4096;
        var g = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? 0.5f : -0.5f).ToArray();
        var s = new LnsMadamSettings(F12, 1, 0.05f, Seed: 3, Moment: mode, Rows: 64);
        var codes = Enumerable.Repeat((ushort)500, n).ToArray();
        var v = new float[s.MomentLength(n)];
        for (int t = 1; t <= 10; ++t) backend.LnsMadamStep(s with { Step = t }, codes, g, v);
        Assert.That(codes.Where((_, i) => i % 2 == 0).All(c => c > 500), "w·g > 0 shrinks |w|");
        Assert.That(codes.Where((_, i) => i % 2 == 1).All(c => c < 500), "w·g < 0 grows |w|");
    }

    [Test]
    public void IdealDeviceIsThePlainModel()
    {
        var plain = new LnsMadamSettings(F12, 1, 0.05f, Seed: 9);
        var ideal = plain with { Device = new DeviceModel(0f, 0f, 0f, 0f) };
        Assert.That(Run(ideal, 10_000, 5).Codes, Is.EqualTo(Run(plain, 10_000, 5).Codes));
        var noisy = plain with { Device = new DeviceModel(CycleToCycleNoise: 0.5f) };
        Assert.That(Run(noisy, 10_000, 5).Codes, Is.Not.EqualTo(Run(plain, 10_000, 5).Codes), "noise does something");
        var once = Run(noisy, 10_000, 5).Codes;
        Assert.That(Run(noisy, 10_000, 5).Codes, Is.EqualTo(once), "and repeats exactly");
    }

    [Test]
    public void StuckFractionFreezesThatShareOfSynapses()
    {
        // A constant positive gradient: every free synapse takes a step of 4.6 levels each time,
        // so exactly the stuck ones stay put. Binomial sd of the share: sqrt(0.21/n) = 0.002.
        const int n = 50_000;
        var s = new LnsMadamSettings(F12, 1, 0.05f, Seed: 4, Device: new DeviceModel(StuckFraction: 0.3f));
        var codes = Start(n);
        var g = Enumerable.Repeat(1f, n).ToArray();
        var v = new float[n];
        for (int t = 1; t <= 3; ++t) backend.LnsMadamStep(s with { Step = t }, codes, g, v);
        double stuck = codes.Zip(Start(n)).Count(p => p.First == p.Second) / (double)n;
        Assert.That(stuck, Is.EqualTo(0.3).Within(0.01));
    }

    [Test]
    public void DeviceGainIsFixedPerSynapse()
    {
        // With only a device-to-device gain and nearest rounding, a synapse's step for the same
        // gradient is the same at every step: the gain does not change with the step.
        const int n = 2000;
        var s = new LnsMadamSettings(F12, 1, 0.05f, Rounding: RoundingMode.Nearest, Seed: 8,
            Moment: MomentMode.None, Device: new DeviceModel(DeviceToDeviceGainSd: 0.5f));
        var g = TestData.Normal(n, 1);
        var codes = Start(n);
        backend.LnsMadamStep(s, codes, g, Span<float>.Empty);
        var first = codes.Zip(Start(n)).Select(p => p.First - p.Second).ToArray();
        var again = (ushort[])codes.Clone();
        backend.LnsMadamStep(s with { Step = 7 }, again, g, Span<float>.Empty);
        var second = again.Zip(codes).Select(p => p.First - p.Second).ToArray();
        Assert.That(second, Is.EqualTo(first));
        Assert.That(first.Distinct().Count(), Is.GreaterThan(3), "gains differ between synapses");
    }

    [Test]
    public void AsymmetryScalesPotentiationAgainstDepression()
    {
        // sign-only, nearest, dk = ±γη/ln2 = ±4.6: with a = 0.5 potentiation is 6.9 → 7, depression 2.3 → 2.
        var s = new LnsMadamSettings(F12, 1, 0.05f, Rounding: RoundingMode.Nearest, Moment: MomentMode.None,
            Device: new DeviceModel(Asymmetry: 0.5f));
        ushort[] codes = [500, 500];
        backend.LnsMadamStep(s, codes, [-1f, 1f], Span<float>.Empty);
        Assert.That(codes, Is.EqualTo(new ushort[] { 493, 502 }));
    }

    [Test]
    public void BadModelSettingsAreRejected()
    {
        var s = new LnsMadamSettings(F12, 1);
        var codes = new ushort[6];
        Assert.Throws(Is.InstanceOf<ArgumentException>().With.Message.Contains("rows"),
            () => backend.LnsMadamStep(s with { Moment = MomentMode.PerNeuron, Rows = 4 }, codes, new float[6], new float[4]));
        Assert.Throws(Is.InstanceOf<ArgumentException>().With.Message.Contains("v has 6 elements but 1"),
            () => backend.LnsMadamStep(s with { Moment = MomentMode.PerTensor }, codes, new float[6], new float[6]));
        Assert.Throws(Is.InstanceOf<ArgumentException>().With.Message.Contains("stuck_fraction"),
            () => backend.LnsMadamStep(s with { Device = new DeviceModel(StuckFraction: 2f) }, codes, new float[6], new float[6]));
        Assert.Throws(Is.InstanceOf<ArgumentException>().With.Message.Contains("asymmetry"),
            () => backend.LnsMadamStep(s with { Device = new DeviceModel(Asymmetry: -1f) }, codes, new float[6], new float[6]));
        Assert.That(codes, Is.All.EqualTo((ushort)0));
    }
}
