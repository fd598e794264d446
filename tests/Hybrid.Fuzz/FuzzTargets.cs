using System.Security.Cryptography;
using System.Text;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Sweeps;
using Hybrid.Synapse.Files;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Fuzz;

/// <summary>
/// One fuzz target per reader of untrusted bytes. A target feeds the input to the reader and lets through only
/// the reader's documented refusal (<see cref="IdxFormatException"/>, <see cref="InvalidDataException"/>); any
/// other exception, a hang or a native crash is a finding.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Target names and what they read.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["idx"] = Idx,
        ["checkpoint"] = CheckpointAsIs,
        ["checkpoint-body"] = CheckpointBody,
        ["run-json"] = RunJson,
        ["energy-table"] = Energy,
        ["manifest"] = Manifest,
        ["row"] = Row,
        ["sweep-result"] = SweepResult,
        ["sweep-file"] = SweepFile,
    };

    /// <summary>The IDX reader (raw and gzip), limited to 64 MiB so a valid huge header is a refusal, not a slow run.</summary>
    public static void Idx(byte[] input)
    {
        try
        {
            using var s = new MemoryStream(input, writable: false);
            IdxReader.Read(s, "input", maxBytes: 64 << 20);
        }
        catch (IdxFormatException) { }
    }

    private static readonly Lazy<(nn.Module<Tensor, Tensor> Model, optim.Optimizer Optimizer)> Tiny = new(() =>
    {
        var model = ModelFactory.Build(new ModelSpec(ModelKind.Mlp, [4], 2, Depth: 1, Width: 3), 1);
        return (model, OptimizerCatalog.Create(new OptimizerSpec("madam"), model.parameters(), 1));
    });

    /// <summary>Loads TorchSharp and builds the checkpoint targets' model (none of it instrumented).</summary>
    public static void Warm() => _ = Tiny.Value;

    /// <summary>The checkpoint reader as a resume meets a file: checksum first.</summary>
    public static void CheckpointAsIs(byte[] input) => LoadCheckpoint(input);

    /// <summary>The checkpoint parser behind the checksum: the input with its SHA-256 appended, so mutations reach
    /// the header, the metrics and TorchSharp's state loaders.</summary>
    public static void CheckpointBody(byte[] input) => LoadCheckpoint([.. input, .. SHA256.HashData(input)]);

    private static void LoadCheckpoint(byte[] bytes)
    {
        try
        {
            using var r = Checkpoint.Open(bytes, "input");
            r.LoadInto(Tiny.Value.Model, Tiny.Value.Optimizer);
        }
        catch (InvalidDataException) { }
    }

    /// <summary>Every reader of a run folder's JSON and CSV: a compare row, a config compared on resume, the manifest, metrics.csv.</summary>
    public static void RunJson(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        Polite(() => RunFolder.ParseJson<CompareRow>(text, "row.json"));
        Polite(() => ConfigDiff.Differences(text, """{"model": {"depth": 1}, "epochs": 2, "optimizer": {"name": "adam"}}""", "config.json", "epochs"));
        Polite(() => RunManifest.Parse(text, "manifest.json"));
        Polite(() => EpochMetrics.ParseCsv(text));
    }

    /// <summary>The energy table reader.</summary>
    public static void Energy(byte[] input) => Polite(() => EnergyTable.Parse(Encoding.UTF8.GetString(input), "input"));

    // one scratch folder per fuzzing process (removed at exit): the file-based targets below
    // meet their input as a file, through the regular-file reader, as a command does
    private static readonly Lazy<string> Scratch = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("hybrid-fuzz-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        };
        return dir;
    });

    private static string FreshFolder()
    {
        var dir = Path.Combine(Scratch.Value, "run");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A run folder's manifest.json as a resume meets it: read through the regular-file reader, parsed, and
    /// every entry checked (<see cref="RunFolder.Verify"/>).</summary>
    public static void Manifest(byte[] input)
    {
        var dir = FreshFolder();
        File.WriteAllBytes(Path.Combine(dir, RunManifest.FileName), input);
        Polite(() => RunFolder.At(dir).Verify());
    }

    /// <summary>A compare row's unit.json as <c>compare --resume</c> reads a finished (row, seed): written through the
    /// folder (so the manifest accepts it), then read back through the manifest check, the regular-file reader and
    /// the unit store's config comparison (<see cref="UnitStore.Find{TConfig, TResult}"/>).</summary>
    public static void Row(byte[] input)
    {
        var dir = FreshFolder();
        new RunFolder(dir).WriteBytes(UnitStore.File, input);
        // a unit of other settings is refused by name (InvalidOperationException, the resume's own refusal); any
        // other exception is a finding
        Polite(() =>
        {
            try { UnitStore.Find<CompareUnit, CompareRow>(RunFolder.At(dir), Seeds.RowUnit); }
            catch (InvalidOperationException e) when (e.Message.Contains(" holds a finished unit of other settings (", StringComparison.Ordinal)) { }
        });
    }

    /// <summary>A sweep run's result.json as the runner and <c>merge</c> read it (<see cref="SweepRunFiles.ReadResult"/>).</summary>
    public static void SweepResult(byte[] input)
    {
        var dir = FreshFolder();
        File.WriteAllBytes(Path.Combine(dir, SweepRunFiles.ResultFile), input);
        Polite(() => SweepRunFiles.ReadResult(dir));
    }

    /// <summary>A sweep file as <c>sweep plan</c> reads it (<see cref="SweepDefinition.Load"/>), expanded to its plan
    /// only when the grid is small (a valid 10⁷-run grid is issue 22 item 9, a size check the expander lacks today).
    /// Its documented refusal is <see cref="ArgumentException"/>.</summary>
    public static void SweepFile(byte[] input)
    {
        var path = Path.Combine(FreshFolder(), "sweep.json");
        File.WriteAllBytes(path, input);
        try
        {
            var definition = SweepDefinition.Load(path, outOverride: Path.Combine(Scratch.Value, "out"));
            long runs = 1;
            foreach (var axis in definition.Axes) runs = checked(runs * Math.Max(1, axis.Values.Count));
            if (runs <= 1000) _ = SweepPlan.Expand(definition);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException) { }
    }

    private static void Polite(Action read)
    {
        try { read(); }
        catch (InvalidDataException) { }
    }
}
