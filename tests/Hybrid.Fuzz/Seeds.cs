using System.IO.Compression;
using System.Text;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Sweeps;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;

namespace Hybrid.Fuzz;

/// <summary><c>Hybrid.Fuzz --write-seeds DIR</c>: the starting corpus, small valid inputs of every target
/// (checked in under corpus/; regenerate after a format change).</summary>
public static class Seeds
{
    /// <summary>The (row, seed) unit the row target's seed holds and its reads ask for.</summary>
    public static readonly CompareUnit RowUnit = new("lns-08", 0, new CompareExperiment().Defaults);

    /// <summary>Writes DIR/&lt;target&gt;/*.</summary>
    public static void Write(string dir)
    {
        void Put(string target, string name, byte[] bytes)
        {
            Directory.CreateDirectory(Path.Combine(dir, target));
            File.WriteAllBytes(Path.Combine(dir, target, name), bytes);
        }
        byte[] labels = [0, 0, 8, 1, 0, 0, 0, 4, 1, 0, 2, 1];
        byte[] images = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        Put("idx", "labels.idx", labels);
        Put("idx", "images.idx", images);
        Put("idx", "images.idx.gz", Gzip(images));

        var model = ModelFactory.Build(new ModelSpec(ModelKind.Mlp, [4], 2, Depth: 1, Width: 3), 1);
        using var optimizer = OptimizerCatalog.Create(new OptimizerSpec("madam"), model.parameters(), 1);
        using var ms = new MemoryStream();
        var rows = new List<EpochMetrics> { new(1, 0.7, 0.5, 0.69, 0.5, 100, 0.01, 0.01) };
        Checkpoint.Write(ms, """{"seed": 1}""", 1, rows, model, optimizer);
        var checkpoint = ms.ToArray();
        Put("checkpoint", "tiny.bin", checkpoint);
        Put("checkpoint-body", "tiny-body.bin", checkpoint[..^32]);

        var row = new CompareRow("lns-08", "LNS 8-bit", "lns", 0, 8, 8, "fp32", 0.8, 0.5, 1.2, 3.4, 100, 200, 1e6, 6e5, 4e5,
            [new PassEnergy("forward", 3e5, 2e5), new PassEnergy("update", 3e5, 2e5)], 4.7e8, 12.5, 0, double.NaN, double.NaN, 0,
            RunStatus.Completed, 2, "rows/lns-08/seed-0");
        Put("run-json", "row.json", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(row, RunFolder.Json)));
        Put("run-json", "config.json", """{"model": {"depth": 1, "width": 8}, "epochs": 2, "optimizer": {"name": "adam", "lr": 0.001}}"""u8.ToArray());
        string hash = RunManifest.Hash("{}\n"u8);
        byte[] manifest = Encoding.UTF8.GetBytes(
            "{\"format\": \"hybrid-manifest-1\", \"files\": {\"config.json\": {\"sha256\": \"" + hash + "\", \"bytes\": 3, \"pending\": null}, " +
            "\"checkpoint.bin\": {\"sha256\": \"\", \"bytes\": 0, \"pending\": \"" + hash + "\"}}}");
        Put("run-json", "manifest.json", manifest);
        Put("manifest", "manifest.json", manifest);
        Put("row", UnitStore.File, Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { config = RowUnit, result = row }, RunFolder.Json)));
        var result = new RunResult("0003-lr0.01-w16-s0", SweepRunStatus.Completed, "", new() { ["test_accuracy"] = 0.81, ["test_loss"] = 0.52 },
            new() { ["seconds_per_epoch"] = 1.5 }, 4.5, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), "host", "1/1", 1);
        Put("sweep-result", "result.json", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(result, RunFolder.Json)));
        Put("sweep-file", "quick.json", """
            { "name": "quick", "experiment": "train", "description": "d",
              "base": { "depth": 1, "epochs": 3, "batchSize": 50, "data": "mixture", "trainSize": 2000, "optimizer": { "name": "madam" } },
              "axes": { "optimizer.lr": [0.03, 0.01], "width": [16, 64] }, "seeds": 2 }
            """u8.ToArray());
        Put("sweep-file", "list-seeds.json", """{"name": "s", "experiment": "train", "seeds": [1, 5], "out": "x"}"""u8.ToArray());
        Put("run-json", "metrics.csv", Encoding.UTF8.GetBytes(EpochMetrics.Csv(rows)));
        Put("energy-table", "horowitz.json", Encoding.UTF8.GetBytes(EnergyTable.Horowitz45nm.ToJson()));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }
}
