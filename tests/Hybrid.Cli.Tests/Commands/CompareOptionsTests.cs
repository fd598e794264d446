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
        var d = CompareSettings.ForPreset(CompareSettings.WeightsOnly);
        Assert.That(s.Bits, Is.EqualTo(d.Bits));
        Assert.That((s.UpdateBits, s.Variants), Is.EqualTo((new[] { 12 }, new[] { "stochastic" })), "the default shows one full-LNS row");
        Assert.That(s with { Bits = d.Bits, UpdateBits = d.UpdateBits, Variants = d.Variants }, Is.EqualTo(d));
        Assert.That(Read("--update-bits", "none").UpdateBits, Is.Empty, "and --update-bits none drops it");
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

    [Test]
    public void PresetsFillTheStudyAndOptionsReplaceThem()
    {
        var p = Read("--preset", "lns-madam");
        Assert.That(p.Preset, Is.EqualTo("lns-madam"));
        Assert.That(p.Bits, Is.Empty);
        Assert.That(p.UpdateBits, Is.EqualTo(new[] { 16, 14, 12, 10 }));
        Assert.That(p.Variants, Is.EqualTo(new[] { "authors", "stochastic" }));
        Assert.That(p.Baselines, Is.EqualTo(new[] { "fp8", "int8" }));
        Assert.That((p.ForwardBits, p.ForwardGamma, p.FullLr), Is.EqualTo((8, 8f, Math.Log(2) / 128)).Using<(int, float, double)>(
            (a, b) => a.Item1 == b.Item1 && a.Item2 == b.Item2 && Math.Abs(a.Item3 - b.Item3) < 1e-15));
        var q = Read("--preset", "lns-madam", "--update-bits", "12", "--variants", "stochastic", "--quantize", "errors=lns8/8:nearest",
            "--gemm", "exact", "--seeds", "3", "--sram-kib", "256");
        Assert.That((q.UpdateBits, q.Variants, q.Quantize, q.Gemm, q.Seeds, q.SramKib),
            Is.EqualTo((new[] { 12 }, new[] { "stochastic" }, new[] { "errors=lns8/8:nearest" }, "exact", 3, 256)));
        Assert.That(Read("--update-bits", "12", "--variants", "authors").Bits, Is.EqualTo(CompareSettings.DefaultBits), "weights-only keeps its rows");
    }

    [TestCase(new[] { "--preset", "fp4" }, "--preset 'fp4' is unknown")]
    public void UnknownPresetsAreRejected(string[] args, string message) =>
        Assert.That(Assert.Catch<ArgumentException>(() => Read(args).Validate())!.Message, Does.Contain(message));

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
    [TestCase(new[] { "--update-bits", "12", "--variants", "authors", "--quantize", "biases=lns8" }, "unknown tensor 'biases'")]
    [TestCase(new[] { "--update-bits", "12", "--variants", "authors", "--gemm", "exact", "--accumulator-bits", "4", "--fraction-bits", "3" }, "too small for one product")]
    [TestCase(new[] { "--update-bits", "12", "--variants", "authors", "--forward-gamma", "0" }, "(0, 4096]")]
    [TestCase(new[] { "--update-bits", "17", "--variants", "authors" }, "--bits 17")]
    [TestCase(new[] { "--update-bits", "12", "--variants", "none" }, "--variants")] // full rows with no update rule
    [TestCase(new[] { "--baselines", "fp4" }, "'fp4' is unknown")]
    [TestCase(new[] { "--sram-kib", "-1" }, "SRAM size")]
    public void BadValuesAreRejectedByValidate(string[] args, string message)
    {
        var s = Read(args);
        Assert.That(Assert.Throws(Is.InstanceOf<ArgumentException>(), s.Validate)!.Message, Does.Contain(message));
    }
}
