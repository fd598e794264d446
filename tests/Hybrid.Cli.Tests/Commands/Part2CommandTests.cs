using System.Text.Json;
using Hybrid.Cli.Commands;
using Hybrid.Experiments.Depth;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Transfer;
using Hybrid.Experiments.Trust;
using Spectre.Console;

namespace Hybrid.Cli.Tests;

/// <summary>hybrid trust, depth and transfer: defaults, --quick, options, errors, and each --quick path run end to end.</summary>
public class Part2CommandTests
{
    private static string Json<T>(T value) => JsonSerializer.Serialize(value, RunFolder.Json);

    // Runs the command line with Spectre.Console, Console.Out and Console.Error (where the CLI's errors go) writing into one string.
    private static (int Code, string Output) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var (savedOut, savedErr, savedConsole) = (Console.Out, Console.Error, AnsiConsole.Console);
        Console.SetOut(output);
        Console.SetError(output);
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No });
        try
        {
            return (Program.Main(args), output.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
            AnsiConsole.Console = savedConsole;
        }
    }

    [TestCase("trust"), TestCase("depth"), TestCase("transfer")]
    public void IsRegisteredAndItsHelpParses(string command)
    {
        Assert.That(Program.BuildRoot().Subcommands.Select(c => c.Name), Does.Contain(command));
        Assert.That(Program.BuildRoot().Parse([command, "--help"]).Errors, Is.Empty);
    }

    [Test]
    public void NoOptionsGiveTheDefaultRunAndQuickTheQuickOne()
    {
        Assert.That(Json(Settings.Read<DepthSettings>("depth")), Is.EqualTo(Json(DepthSettings.Default)));
        Assert.That(Json(Settings.Read<DepthSettings>("depth", "--quick")), Is.EqualTo(Json(DepthSettings.Quick)));
        Assert.That(Json(Settings.Read<TransferSettings>("transfer")), Is.EqualTo(Json(TransferSettings.Default)));
        Assert.That(Json(Settings.Read<TransferSettings>("transfer", "--quick")), Is.EqualTo(Json(TransferSettings.Quick)));
        Assert.That(Json(Settings.Read<TrustSettings>("trust")), Is.EqualTo(Json(TrustSettings.Default)));
        Assert.That(Json(Settings.Read<TrustSettings>("trust", "--quick")), Is.EqualTo(Json(TrustSettings.Quick)));
    }

    [Test]
    public void OptionsOverrideTheRunTheyStartFrom()
    {
        var d = Settings.Read<DepthSettings>("depth", "--quick", "--depths", "1,2, 3", "--optimizers", "Adam,nero", "--width", "99", "--seeds", "3",
            "--train-size", "0", "--data", "teacher", "--lr-span", "2");
        Assert.That(d.Depths, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(d.Optimizers, Is.EqualTo(new[] { "adam", "nero" }));
        Assert.That((d.Width, d.Seeds, d.LrSpan, d.Epochs), Is.EqualTo((99, 3, 2, DepthSettings.Quick.Epochs)));
        Assert.That(d.Data.TrainSize, Is.Null, "--train-size 0 means all");
        Assert.That(d.Data.Data, Is.EqualTo("teacher"));
        var t = Settings.Read<TransferSettings>("transfer", "--widths", "8,16", "--base-width", "16", "--grid", "product", "--depths", "2", "--base-depth", "2");
        Assert.That((t.BaseWidth, t.Grid, t.Architectures.Count), Is.EqualTo((16, "product", 2)));
        var s = Settings.Read<TrustSettings>("trust", "--epsilons", "0.5,1e-4", "--slice-nets", "none", "--directions", "radial");
        Assert.That(s.Epsilons, Is.EqualTo(new[] { 0.5, 1e-4 }));
        Assert.That(s.Slices.Nets, Is.Empty);
        Assert.That(s.Directions, Is.EqualTo(new[] { "radial" }));
    }

    [Test]
    public void TransferParsesTheHardwareSlices()
    {
        var t = Settings.Read<TransferSettings>("transfer", "--optimizers", "lns-madam,madam", "--bits", "16,8,6", "--c2c-noise", "0,0.1");
        Assert.That(t.Bits, Is.EqualTo(new[] { 16, 8, 6 }), "in the order given");
        Assert.That(t.C2cNoise, Is.EqualTo(new[] { 0, 0.1 }));
        Assert.That(t.HardwarePoints, Has.Count.EqualTo((3 + 2) * t.Lrs("lns-madam").Length * t.Seeds), "lns-madam only: madam takes neither");
        var plain = Settings.Read<TransferSettings>("transfer");
        Assert.That((plain.Bits, plain.C2cNoise), Is.EqualTo(((int[]?)null, (double[]?)null)), "none by default");
    }

    [TestCase("depth", "--depths", "0", "--depths")]
    [TestCase("depth", "--depths", "1,x", "--depths")]
    [TestCase("depth", "--optimizers", "", "--optimizers")]
    [TestCase("transfer", "--widths", "0,8", "--widths")]
    [TestCase("trust", "--epsilons", "0", "--epsilons")]
    [TestCase("trust", "--epsilons", "-1e-3", "--epsilons")]
    [TestCase("trust", "--slice-moves", "0.1,0", "--slice-moves")]
    public void BadInputExitsWithTwoAndWritesNothing(string command, string option, string value, string mentions)
    {
        var root = Directory.CreateTempSubdirectory("hybrid-cli-part2-").FullName;
        try
        {
            var (code, output) = Invoke(command, option, value, "--out", Path.Combine(root, "run"));
            Assert.That(code, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain(mentions));
            Assert.That(Directory.Exists(Path.Combine(root, "run")), Is.False, "no run folder");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestCase("trust"), TestCase("depth"), TestCase("transfer")]
    public void TheQuickPathRunsEndToEnd(string command)
    {
        var root = Directory.CreateTempSubdirectory("hybrid-cli-part2-").FullName;
        try
        {
            // synthetic data so the test needs no data set installed; everything else is the --quick run
            var (code, output) = Invoke(command, "--quick", "--data", "mixture", "--out", Path.Combine(root, "run"));
            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(File.Exists(Path.Combine(root, "run", "report.md")));
            Assert.That(File.Exists(Path.Combine(root, "run", "results.csv")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
