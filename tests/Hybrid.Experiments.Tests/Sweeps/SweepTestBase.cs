using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>Temporary sweep files and folders for the sweep tests.</summary>
public abstract class SweepTestBase
{
    /// <summary>This test's temporary folder.</summary>
    protected string Root { get; private set; } = null!;

    [SetUp]
    public void MakeRoot() => Root = Directory.CreateTempSubdirectory("hybrid-sweep-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(Root, recursive: true);

    /// <summary>The sweep folder tests point sweeps at.</summary>
    protected string Out => Path.Combine(Root, "out");

    /// <summary>Writes <paramref name="json"/> as a sweep file and returns its path.</summary>
    protected string WriteSweep(string json, string name = "sweep.json")
    {
        var path = Path.Combine(Root, name);
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    /// <summary>A sweep of tiny train runs (a 4-unit MLP on 300 synthetic examples; well under a second each).</summary>
    protected static string Tiny(string axes = "\"optimizer.lr\": [0.01, 0.003]", string seeds = "2", int epochs = 2, string extra = "") => $$"""
        {
          "name": "tiny",
          "experiment": "train",
          "base": { "depth": 1, "width": 4, "epochs": {{epochs}}, "batchSize": 100, "data": "mixture", "trainSize": 300,
                    "optimizer": { "name": "madam" }, "device": "cpu" {{extra}} },
          "axes": { {{axes}} },
          "seeds": {{seeds}}
        }
        """;

    /// <summary>Loads a sweep file's plan with the sweep folder under this test's root.</summary>
    protected SweepPlan Plan(string json, string? outFolder = null) => SweepPlan.Load(WriteSweep(json), outFolder ?? Out);
}
