using Hybrid.Cli.Commands;
using Hybrid.Experiments.Compare;

namespace Hybrid.Cli.Tests;

/// <summary><c>hybrid compare</c>'s options: defaults, shorthands and errors.</summary>
public class CompareOptionsTests
{
    private static CompareSettings Read(params string[] args) => Settings.Read<CompareSettings>(["compare", .. args]);

    [Test]
    public void DefaultsAreTheSettingsRecordsDefaults()
    {
        var s = Read();
        var d = new CompareSettings(CompareSettings.DefaultBits);
        Assert.That(s.Bits, Is.EqualTo(d.Bits));
        Assert.That(s with { Bits = d.Bits }, Is.EqualTo(d));
    }

    [Test]
    public void QuickMeansTwoEpochsUnlessEpochsIsGiven()
    {
        Assert.That(Read("--quick").Epochs, Is.EqualTo(2));
        Assert.That(Read("--quick", "--epochs", "5").Epochs, Is.EqualTo(5));
    }

    [Test]
    public void DeviceNoiseSetsBothNoises()
    {
        var s = Read("--device-noise", "0.3");
        Assert.That((s.C2cNoise, s.D2dGainSd), Is.EqualTo((0.3f, 0.3f)));
        Assert.That(Read("--c2c-noise", "0.1").D2dGainSd, Is.EqualTo(0f));
    }

    [TestCase("managed"), TestCase("managed-simd"), TestCase("native-cpu")]
    public void EveryBackendIsAccepted(string backend)
    {
        var s = Read("--backend", backend);
        Assert.That(s.Backend, Is.EqualTo(backend));
        s.Validate();
    }

    [TestCase("8,,4")]
    [TestCase("8;4")]
    [TestCase("99999999999")]
    public void MalformedBitListsAreRejected(string bits) =>
        Assert.That(Assert.Throws<ArgumentException>(() => Read("--bits", bits))!.Message, Does.Contain("comma-separated integers"));

    [TestCase(new[] { "--bits", "8,8" }, "lists a width twice")]
    [TestCase(new[] { "--bits", "17" }, "--bits 17 is outside")]
    [TestCase(new[] { "--adam-lr", "0" }, "--adam-lr 0 must be")]
    [TestCase(new[] { "--moment", "per-layer" }, "--moment 'per-layer' is unknown")]
    [TestCase(new[] { "--backend", "tpu" }, "backend 'tpu' is unknown")]
    [TestCase(new[] { "--asymmetry", "1" }, "asymmetry")]
    public void BadValuesAreRejectedByValidate(string[] args, string message)
    {
        var s = Read(args);
        Assert.That(Assert.Throws(Is.InstanceOf<ArgumentException>(), s.Validate)!.Message, Does.Contain(message));
    }
}
