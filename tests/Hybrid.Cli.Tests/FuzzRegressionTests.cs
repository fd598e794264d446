using Hybrid.Fuzz;

namespace Hybrid.Cli.Tests;

/// <summary>
/// Every fuzz target on its corpus and on every crash or hang AFL++ ever found (tests/Hybrid.Fuzz/crashes/, kept
/// with the fix): the reader either reads the input or refuses it with its documented exception, nothing else.
/// </summary>
public class FuzzRegressionTests
{
    private static string FuzzFolder
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("no Hybrid.sln above the tests"), "tests", "Hybrid.Fuzz");
        }
    }

    public static IEnumerable<TestCaseData> Inputs()
    {
        foreach (var kind in new[] { "corpus", "crashes" })
        {
            var root = Path.Combine(FuzzFolder, kind);
            if (!Directory.Exists(root)) continue;
            foreach (var target in Directory.GetDirectories(root).Order())
                foreach (var file in Directory.GetFiles(target).Order())
                    yield return new TestCaseData(Path.GetFileName(target), file).SetName($"{kind}/{Path.GetFileName(target)}/{Path.GetFileName(file)}");
        }
    }

    [TestCaseSource(nameof(Inputs))]
    public void TheReaderReadsOrRefusesPolitely(string target, string file)
    {
        Assert.That(FuzzTargets.All.ContainsKey(target), $"unknown target folder {target}");
        Assert.DoesNotThrow(() => FuzzTargets.All[target](File.ReadAllBytes(file)));
    }

    [Test]
    public void EveryTargetHasACorpus()
    {
        foreach (var t in FuzzTargets.All.Keys)
            Assert.That(Directory.GetFiles(Path.Combine(FuzzFolder, "corpus", t)), Is.Not.Empty, t);
    }
}
