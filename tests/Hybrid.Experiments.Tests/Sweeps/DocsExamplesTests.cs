using System.Text.RegularExpressions;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>The sweep files and the Kubernetes manifest in docs/sweeps/ stay valid.</summary>
public class DocsExamplesTests
{
    private static string Docs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) return Path.Combine(dir.FullName, "docs", "sweeps");
        throw new DirectoryNotFoundException("the repository root (Hybrid.sln) is not above the test's folder.");
    }

    private static IEnumerable<string> Files() => Directory.GetFiles(Docs(), "*.json").Select(Path.GetFileName)!;

    [TestCaseSource(nameof(Files))]
    public void EverySweepFileReads(string name)
    {
        var d = SweepDefinition.Load(Path.Combine(Docs(), name), "/tmp/unused");
        Assert.That(d.Name + ".json", Is.EqualTo(name), "a sweep file is named after its sweep");
        Assert.That(d.Axes.Any(a => a.IsSeed), "every example carries seeds");
    }

    [Test]
    public void TheQuickSweepExpands()
    {
        var plan = SweepPlan.Load(Path.Combine(Docs(), "quick.json"), "/tmp/unused");
        Assert.That(plan.Runs, Has.Count.EqualTo(18));
        Assert.That(Directory.Exists("/tmp/unused"), Is.False);
    }

    [Test]
    public void TheIndexedJobsShardCountIsItsCompletions()
    {
        var yaml = File.ReadAllText(Path.Combine(Docs(), "indexed-job.yaml"));
        var completions = Regex.Match(yaml, @"completions:\s*(\d+)").Groups[1].Value;
        var shards = Regex.Match(yaml, @"""--shards"",\s*""(\d+)""").Groups[1].Value;
        Assert.That(completions, Is.Not.Empty);
        Assert.That(shards, Is.EqualTo(completions));
        Assert.That(yaml, Does.Contain("completionMode: Indexed"));
    }
}
