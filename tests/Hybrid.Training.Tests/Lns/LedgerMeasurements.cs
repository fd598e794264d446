using System.Globalization;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// A measurement, not a unit test (run on demand; docs/training.md records its output): the priced energy of one training
/// step of the ResNet (3 blocks per stage, Fashion-MNIST 28×28, batch 128) and the GPT (4 blocks, d = 128, 4 heads,
/// context 128 on the fortunes corpus' vocabulary, batch 32), float32 Adam against LNS-Madam 8/12 full LNS (weights stored
/// lns12/128, every GEMM tensor lns8/8, errors and gradients rounded stochastically, every code counted as written), on
/// the default energy table (Horowitz 45 nm) and memory (1 MiB SRAM, compulsory traffic). Deterministic: no training runs.
/// <code>dotnet test tests/Hybrid.Training.Tests -c Release --filter Name~LedgerOfLayers --logger "console;verbosity=detailed"</code>
/// </summary>
[Explicit("a measurement: docs/training.md records its output")]
public class LedgerMeasurements
{
    private static readonly QuantizerSpec F = new(NumberFormat.Lns(8, 8));
    private static readonly StepArithmetic Full = new(F, F, F with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic },
        F with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic });

    [Test]
    public void LedgerOfLayers()
    {
        var vocabulary = Fortunes.Load().Vocabulary.Length;
        Report("resnet", new ModelSpec(ModelKind.ResNet, [1, 28, 28], 10, Depth: 3), torch.zeros(2, 1, 28, 28), 128);
        Report("gpt", new ModelSpec(ModelKind.Gpt, [128], vocabulary, Depth: 4, Width: 128, Heads: 4),
            torch.zeros([2, 128], ScalarType.Int64), 32);
    }

    private static void Report(string name, ModelSpec spec, Tensor sample, long batch)
    {
        var rows = new List<(string Row, PricedStep Step)>();
        foreach (bool lns in new[] { false, true })
        {
            using var model = ModelFactory.Build(spec, 0);
            if (lns) LnsConverter.Convert(model, new LnsConversionSettings(ManagedBackend.Instance) { Bits = 12, Arithmetic = Full });
            rows.Add((lns ? "LNS-Madam 8/12 full LNS" : "float32 Adam",
                ModelLedger.Price(model, sample, EnergyTable.Horowitz45nm, MemoryHierarchy.Default, batch: batch)));
        }
        var c = CultureInfo.InvariantCulture;
        TestContext.Out.WriteLine($"{name} (batch {batch}): µJ per step");
        TestContext.Out.WriteLine("row | compute | memory | total | forward | backward-data | backward-weight | update");
        foreach (var (row, s) in rows)
        {
            string P(Pass p) { var (cp, mp) = s.OfPass(p); return ((cp + mp) / 1e6).ToString("F1", c); }
            TestContext.Out.WriteLine(string.Create(c, $"{row} | {s.ComputePj / 1e6:F1} | {s.MemoryPj / 1e6:F1} | {s.TotalPj / 1e6:F1} | ") +
                $"{P(Pass.Forward)} | {P(Pass.BackwardData)} | {P(Pass.BackwardWeight)} | {P(Pass.Update)}");
        }
        TestContext.Out.WriteLine(string.Create(c, $"float32 / LNS: compute {rows[0].Step.ComputePj / rows[1].Step.ComputePj:F2}×, " +
            $"memory {rows[0].Step.MemoryPj / rows[1].Step.MemoryPj:F2}×, total {rows[0].Step.TotalPj / rows[1].Step.TotalPj:F2}×"));
    }
}
