using Hybrid.Synapse;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>Issue 22 item 17: the Scalar-lifetime rule held deterministically, over every source that calls TorchSharp.</summary>
public class ScalarRuleTests
{
    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("Hybrid.sln not found above the test folder");
    }

    /// <summary>The CLI's build output, the same configuration as these tests: every assembly the sources reference.</summary>
    private static string CliOutput()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
        return Path.Combine(Root(), "src", "Hybrid.Cli", "bin", configuration, "net10.0");
    }

    [TestCase("Hybrid.Training")]
    [TestCase("Hybrid.Experiments")]
    [TestCase("Hybrid.Cli")]
    public void NoSourceMakesAScalarNobodyKeepsAlive(string project)
    {
        Assert.That(Directory.Exists(CliOutput()), Is.True, $"{CliOutput()} is missing: build the solution first (dotnet build Hybrid.sln)");
        var excluded = new[] { project, project == "Hybrid.Cli" ? "hybrid" : project };
        var (findings, errors) = ScalarRule.Scan(ScalarRule.Sources(Path.Combine(Root(), "src", project)),
            ScalarRule.References(excluded, project == "Hybrid.Training" ? null : CliOutput()));
        Assert.That(errors, Is.Empty, "the sources must compile as their build does, or a finding can hide behind a name that does not bind");
        Assert.That(findings, Is.Empty, "every Scalar passed to TorchSharp is a using local or a process-lifetime constant " +
                                        "(TorchScalars):\n" + string.Join("\n", findings));
    }

    [Test]
    public void TheRuleFindsEveryKindOfUnheldScalar()
    {
        const string code = """
            using TorchSharp;
            using static TorchSharp.torch;
            static class Probe
            {
                static readonly Scalar Kept = 3.0;                           // allowed: process lifetime
                static void Run(Tensor t, Tensor u)
                {
                    using Scalar half = 0.5;                                 // allowed: a using local
                    t.mul_(half);
                    t.mul_(0.5);                                             // 1: implicit conversion
                    t.clamp_(0, 7);                                          // 2, 3: two implicit conversions
                    var a = t * 2.0;                                         // 4: operator with a number
                    var b = t + u;                                           // 5: operator with its own alpha
                    t.add_(u);                                               // 6: add_ without alpha
                    t.add_(u, Hybrid.Training.TorchScalars.One);             // allowed
                    Scalar loose = 1.5;                                      // 7: a plain local is not kept
                    t.addcdiv_(t, u);                                        // 8: addcdiv_ without value
                    var c = Kept - t;                                        // 9: scalar - tensor adds with its own alpha
                    var d = t - u;                                           // allowed: sub(Tensor) takes no alpha
                    var e = t.abs().clamp_min(System.MathF.Pow(2, -6)).log2_(); // 10: a float made into a Scalar
                }
            }
            """;
        var (findings, errors) = ScalarRule.Scan([("probe.cs", code)], ScalarRule.References([]));
        Assert.That(errors, Is.Empty);
        Assert.That(findings.Select(f => f.Line), Is.EquivalentTo(new[] { 10, 11, 11, 12, 13, 14, 16, 17, 18, 20 }),
            string.Join("\n", findings));
    }

    [Test]
    public void TheRuleSeesTorchSharp() =>
        Assert.That(ScalarRule.References([]).Any(r => Path.GetFileName(r) == "TorchSharp.dll"), Is.True,
            $"TorchSharp.dll beside the tests ({typeof(LnsFormat).Assembly.Location})");
}
