using NUnit.Framework;

namespace Hybrid.Training.Tests;

/// <summary>The library sets libtorch's OpenMP wait policy itself, in the C environment libgomp reads (issue 21).</summary>
public class ThreadPolicyTests
{
    [Test]
    public void LoadingTheLibrarySetsAPassiveWaitPolicyUnlessTheUserChoseOne()
    {
        // .NET's own view is the environment the process started with; libgomp reads the C environment
        string? given = Environment.GetEnvironmentVariable(ThreadPolicy.WaitPolicyVariable);
        Assert.That(ThreadPolicy.EffectiveWaitPolicy, Is.EqualTo(string.IsNullOrWhiteSpace(given) ? ThreadPolicy.WaitPolicy : given));
    }

    [Test]
    public void TheCliProcessGetsItWithoutTheWrapper()
    {
        // `dotnet hybrid.dll` (no ./hybrid wrapper, OMP_WAIT_POLICY removed): the policy libtorch sees is passive
        var here = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); // tests/Hybrid.Training.Tests/bin/<config>/net10.0
        var dll = Path.Combine(here.FullName, "..", "..", "..", "..", "..", "src", "Hybrid.Cli", "bin", here.Parent!.Name, "net10.0", "hybrid.dll");
        if (!File.Exists(dll)) Assert.Ignore($"the CLI is not built ({dll}); build the solution");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "info"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove(ThreadPolicy.WaitPolicyVariable);
        using var p = System.Diagnostics.Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(output, Does.Contain($"{ThreadPolicy.WaitPolicyVariable}={ThreadPolicy.WaitPolicy}"), output);
    }
}
