using Hybrid.Cli.Commands;
using Hybrid.Experiments.Train;
using Hybrid.Training.Optimizers;

namespace Hybrid.Cli.Tests;

/// <summary><c>hybrid train</c>'s options: defaults, every optimiser option reaching the settings, and errors.</summary>
public class TrainOptionsTests
{
    private static TrainSettings Read(params string[] args) => Settings.Read<TrainSettings>(["train", .. args]);

    [Test]
    public void DefaultsAreTheSettingsRecordsDefaults()
    {
        var s = Read();
        Assert.That(s with { }, Is.EqualTo(new TrainSettings()), "no option given = the record's defaults");
        Assert.That(s.Optimizer, Is.EqualTo(new OptimizerSpec("adam")));
    }

    [Test]
    public void EveryOptimizerOptionReachesTheSpec()
    {
        Assert.That(Read("--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.5", "--weight-decay", "1e-4").Optimizer,
            Is.EqualTo(new OptimizerSpec("sgd", 0.05, Momentum: 0.5, WeightDecay: 1e-4)));
        Assert.That(Read("--optimizer", "adam", "--beta1", "0.8", "--beta2", "0.99", "--eps", "1e-6").Optimizer,
            Is.EqualTo(new OptimizerSpec("adam", Beta1: 0.8, Beta2: 0.99, Eps: 1e-6)));
        Assert.That(Read("--optimizer", "madam", "--p-scale", "2", "--g-bound", "5", "--beta2", "0.9").Optimizer,
            Is.EqualTo(new OptimizerSpec("madam", PScale: 2, GBound: 5, Beta2: 0.9)));
        Assert.That(Read("--optimizer", "fromage", "--p-bound", "3").Optimizer, Is.EqualTo(new OptimizerSpec("fromage", PBound: 3)));
        Assert.That(Read("--optimizer", "nero", "--nero-beta", "0.99", "--no-constraints").Optimizer,
            Is.EqualTo(new OptimizerSpec("nero", NeroBeta: 0.99, Constraints: false)));
        Assert.That(Read("--optimizer", "lns-madam", "--bits", "6", "--gamma", "2", "--rounding", "nearest", "--moment", "per-neuron",
                "--c2c-noise", "0.1", "--d2d-gain-sd", "0.2", "--asymmetry", "0.05", "--stuck-fraction", "0.01", "--backend", "managed").Optimizer,
            Is.EqualTo(new OptimizerSpec("lns-madam", Bits: 6, Gamma: 2, Rounding: "nearest", Moment: "per-neuron", C2cNoise: 0.1,
                D2dGainSd: 0.2, Asymmetry: 0.05, StuckFraction: 0.01, Backend: "managed")));
        Assert.That(Read("--optimizer", "kernel-madam", "--backend", "managed-simd").Optimizer,
            Is.EqualTo(new OptimizerSpec("kernel-madam", Backend: "managed-simd")));
    }

    [Test]
    public void ModelDataAndScheduleOptionsReachTheSettings()
    {
        var s = Read("--model", "cnn", "--depth", "1", "--width", "64", "--activation", "tanh", "--no-bias", "--init-scale", "0.5",
            "--epochs", "3", "--batch-size", "32", "--seed", "7", "--device", "cpu", "--data", "teacher", "--normalize", "none",
            "--lr-schedule", "cosine", "--task", "odd-even", "--train-size", "100");
        Assert.That(s, Is.EqualTo(new TrainSettings("cnn", 1, 64, "tanh", false, 0.5, null, 3, 32, 7, "cpu", "teacher", "none",
            "cosine", "odd-even", 100)));
    }

    [TestCase("--depth", "x")]
    [TestCase("--epochs", "1.5")]
    [TestCase("--unknown-option", "1")]
    public void ParseErrorsAreReported(string option, string value) =>
        Assert.Throws<ArgumentException>(() => Read(option, value));

    [TestCase(new[] { "--optimizer", "adam", "--bits", "8" }, "--bits does not apply to adam")]
    [TestCase(new[] { "--optimizer", "madam", "--momentum", "0.9" }, "--momentum does not apply to madam")]
    [TestCase(new[] { "--optimizer", "sgd", "--backend", "managed" }, "--backend applies to sgd only on a device")]
    [TestCase(new[] { "--optimizer", "fromage", "--p-bound", "0" }, "--p-bound 0 must be finite and > 0")]
    [TestCase(new[] { "--optimizer", "lns-madam", "--bits", "17" }, "--bits 17 is outside [2, 16]")]
    [TestCase(new[] { "--optimizer", "lns-madam", "--backend", "gpu" }, "backend 'gpu' is unknown")]
    [TestCase(new[] { "--optimizer", "lns-madam", "--rounding", "up" }, "--rounding 'up' is unknown")]
    [TestCase(new[] { "--optimizer", "sgd", "--momentum", "1" }, "--momentum 1 must be in [0, 1)")]
    [TestCase(new[] { "--optimizer", "adamw" }, "unknown optimizer 'adamw'")]
    public void BadValuesAreRejectedByValidateNamingTheOption(string[] args, string message)
    {
        var s = Read(args);
        var ex = Assert.Throws(Is.InstanceOf<ArgumentException>(), s.Validate);
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void TheBackendOptionListsEveryBackend()
    {
        var backend = Program.BuildRoot().Subcommands.Single(c => c.Name == "train").Options.Single(o => o.Name == "--backend");
        Assert.That(backend.Description, Does.Contain("managed, managed-simd, native-cpu, native-cuda"));
    }
}
