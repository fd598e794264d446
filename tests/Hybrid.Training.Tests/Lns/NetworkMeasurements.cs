using System.Diagnostics;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// Measurements, not unit tests (run on demand): float32 Madam against LNS-Madam 8/12 with stochastic rounding (weights
/// stored at 12 bits, every GEMM tensor in lns8/8, errors and gradients rounded stochastically, lr ln 2/128: the
/// compare preset's full-LNS row) on the ResNet (Fashion-MNIST) and the GPT (the fortunes corpus), until
/// <c>hybrid compare</c> runs these models. Sizes come from test parameters:
/// <code>dotnet test tests/Hybrid.Training.Tests -c Release --filter Name~Indicative --logger "console;verbosity=detailed" -- 'TestRunParameters.Parameter(name="resnet-epochs", value="2")' 'TestRunParameters.Parameter(name="resnet-train-size", value="10000")'</code>
/// Parameters, each prefixed <c>resnet-</c> or <c>gpt-</c>: epochs (default 1), train-size (training images or windows;
/// default all), depth (ResNet blocks per stage, default 3; GPT blocks, default 4), width (GPT, default 128), batch
/// (default 128 ResNet, 32 GPT); and seed (default 0), rows (default madam,lns: which rows).
/// </summary>
[Explicit("measurements: minutes of training (docs/training.md records the output)")]
public class NetworkMeasurements
{
    private static string P(string name, string fallback) => TestContext.Parameters.Get(name, fallback);
    private static int I(string name, int fallback) => int.Parse(P(name, fallback.ToString()));

    private static readonly QuantizerSpec F = new(NumberFormat.Lns(8, 8));
    private static readonly StepArithmetic Full = new(F, F, F with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic },
        F with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic });

    [Test]
    public void IndicativeResNet()
    {
        var whole = DataSets.FashionMnist();
        int n = I("resnet-train-size", (int)whole.TrainCount);
        var data = n < whole.TrainCount ? TrainingSubset.Take(whole, n, 0) : whole;
        var spec = new ModelSpec(ModelKind.ResNet, data.InputShape, data.Classes, Depth: I("resnet-depth", 3));
        Run("resnet", spec, data, I("resnet-batch", 128), accuracy: true);
    }

    [Test]
    public void IndicativeGpt()
    {
        var corpus = Fortunes.Load();
        var windows = corpus.Windows(128);
        int n = I("gpt-train-size", (int)windows.TrainCount);
        var data = n < windows.TrainCount ? TrainingSubset.Take(windows, n, 0) : windows;
        var spec = new ModelSpec(ModelKind.Gpt, data.InputShape, data.Classes, Depth: I("gpt-depth", 4), Width: I("gpt-width", 128), Heads: 4);
        Run("gpt", spec, data, I("gpt-batch", 32), accuracy: false);
    }

    private static void Run(string name, ModelSpec spec, DataSet data, int batch, bool accuracy)
    {
        long seed = I("seed", 0);
        int epochs = I($"{name}-epochs", 1);
        var norm = InputNormalization.Fit(NormalizationKind.Standardize, data.TrainX);
        TestContext.Out.WriteLine($"{name}: {spec.ParameterCount()} parameters, {data.TrainCount} training / {data.TestCount} test examples, " +
                                  $"batch {batch}, {epochs} epochs, seed {seed}; {Environment.ProcessorCount} cores, load {Load()}");
        foreach (var row in P("rows", "madam,lns").Split(','))
        {
            var clock = Stopwatch.StartNew();
            var job = new TrainingJob
            {
                Name = $"{name} {row}",
                BuildModel = d =>
                {
                    var m = ModelFactory.Build(spec, seed, d);
                    if (row != "lns") return m;
                    return LnsConverter.Convert(m, new LnsConversionSettings(NativeCpuBackend.Instance)
                    {
                        Bits = 12, Gamma = LnsModels.DefaultGamma(12), Arithmetic = Full, Seed = (ulong)seed,
                    }).Model;
                },
                BuildOptimizer = m => row == "lns"
                    ? new LnsMadamOptimizer(m, new LnsMadamSettings(new LnsFormat(12, LnsModels.DefaultGamma(12), 1), 1,
                        (float)(Math.Log(2) / 128), Seed: (ulong)seed, NonFinite: NonFinitePolicy.Skip))
                    : OptimizerCatalog.Create(new OptimizerSpec("madam"), m.parameters(), (ulong)seed),
                Data = data,
                Normalization = norm,
                Epochs = epochs,
                BatchSize = batch,
                Seed = seed,
                Config = new { name, row, epochs, batch },
            };
            var r = Hybrid.Training.Trainer.Trainer.Run(job, new MemoryRunStore(), SilentObserver.Instance);
            foreach (var e in r.Epochs)
                TestContext.Out.WriteLine(accuracy
                    ? $"  {row} epoch {e.Epoch}: test accuracy {100 * e.TestAccuracy:F2} %, test loss {e.TestLoss:F4}, {e.EpochSeconds:F0} s"
                    : $"  {row} epoch {e.Epoch}: validation {TextCorpus.BitsPerCharacter(e.TestLoss):F4} bits/char " +
                      $"(train {TextCorpus.BitsPerCharacter(e.TrainLoss):F4}), {e.EpochSeconds:F0} s");
            TestContext.Out.WriteLine($"  {row}: {r.Status}, {clock.Elapsed.TotalSeconds:F0} s in all");
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
