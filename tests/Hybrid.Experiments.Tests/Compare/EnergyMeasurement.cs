using Hybrid.Experiments.Compare;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Models;

namespace Hybrid.Experiments.Tests;

/// <summary>
/// A measurement, not a unit test (run on demand; docs/compare.md records its output): the full-step
/// energy of every row of <c>--preset lns-madam</c> on the default MLP (784-256-256-10, batch 128) under
/// several memory hierarchies and second-moment modes — the ledger alone, no training (the LNS rows'
/// code writes are priced at every code changing, the upper bound).
/// <code>dotnet test tests/Hybrid.Experiments.Tests -c Release --filter Name=PresetEnergies --logger "console;verbosity=detailed"</code>
/// </summary>
public class EnergyMeasurement
{
    [Test, Explicit("a measurement for docs/compare.md")]
    public void PresetEnergies()
    {
        var spec = new ModelSpec(ModelKind.Mlp, [1, 28, 28], 10, 2, 256);
        var table = EnergyTable.Horowitz45nm;
        foreach (var (moment, sram) in new[] { ("per-synapse", 1024), ("per-synapse", 0), ("per-synapse", 4096), ("per-neuron", 1024) })
        {
            var s = CompareSettings.ForPreset(CompareSettings.LnsMadam) with { Moment = moment, SramKib = sram };
            var memory = s.Memory;
            var t = sram == 4096
                ? new EnergyTable(table.Source + " + sram4096KiB64 = 200 pJ (assumed)", new Dictionary<string, EnergyCost>(table.Costs)
                    { [Events.Sram(4096)] = new(200, "assumption: twice the 1 MB figure") })
                : table;
            TestContext.Out.WriteLine($"\nmoment {moment}, SRAM {sram} KiB:\n");
            TestContext.Out.WriteLine("| row | µJ/step | compute | memory | Adam ÷ row | fwd | bwd-data | bwd-weight | update |");
            TestContext.Out.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            double adam = 0;
            foreach (var row in ComparePlan.Rows(s))
            {
                var p = CompareEnergy.Ledger(spec, row, 128).Price(t, memory);
                if (row.Kind == "adam") adam = p.TotalPj;
                string Pass(Pass x) { var (c, m) = p.OfPass(x); return $"{(c + m) / 1e6:F1}"; }
                TestContext.Out.WriteLine($"| {row.Name} | {p.TotalPj / 1e6:F1} | {p.ComputePj / 1e6:F1} | {p.MemoryPj / 1e6:F1} | " +
                                          $"{adam / p.TotalPj:F2}× | {Pass(Synapse.Energy.Pass.Forward)} | {Pass(Synapse.Energy.Pass.BackwardData)} | " +
                                          $"{Pass(Synapse.Energy.Pass.BackwardWeight)} | {Pass(Synapse.Energy.Pass.Update)} |");
            }
        }
    }
}
