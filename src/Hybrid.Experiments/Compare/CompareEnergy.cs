using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Models;

namespace Hybrid.Experiments.Compare;

/// <summary>The full-step ledger of a comparison row: its layers as the ledger sees them, its update rule, and
/// the check, before anything runs, that the energy table prices every event the rows will need.</summary>
public static class CompareEnergy
{
    /// <summary>The linear layers of an MLP (fc1 … fcD, out) with the row's formats.</summary>
    public static IReadOnlyList<LayerCostSpec> Layers(ModelSpec spec, RowPlan row)
    {
        if (spec.Kind != ModelKind.Mlp) throw new NotSupportedException("the step ledger models MLPs (linear layers) only.");
        var layers = new List<LayerCostSpec>();
        long features = spec.InputSize;
        for (int i = 1; i <= spec.Depth; ++i)
        {
            layers.Add(row.Arithmetic.CostSpec($"fc{i}", features, spec.Width, spec.Bias, row.Storage));
            features = spec.Width;
        }
        layers.Add(row.Arithmetic.CostSpec("out", features, spec.Classes, spec.Bias, row.Storage));
        return layers;
    }

    /// <summary>How the row's update is costed; <paramref name="changedFraction"/>: LNS codes written per step per synapse.</summary>
    public static UpdateCostSpec Update(RowPlan row, double changedFraction) =>
        new(row.Rule, row.Optimizer.MomentMode, row.Optimizer.RoundingMode, changedFraction, row.Optimizer.RoundGradient == true);

    /// <summary>The ledger of one step of <paramref name="row"/> on a batch of <paramref name="batch"/>.</summary>
    public static StepLedger Ledger(ModelSpec spec, RowPlan row, long batch, double changedFraction = 1) =>
        StepCosts.Count(Layers(spec, row), batch, Update(row, changedFraction));

    /// <summary>
    /// Throws (an <see cref="InvalidDataException"/> naming every missing event) unless <paramref name="table"/> prices
    /// every event of every row — with a Fashion-MNIST-shaped model, and both memory levels whatever the placement.
    /// </summary>
    public static void RequireEvents(CompareSettings s, IReadOnlyList<RowPlan> rows, EnergyTable table)
    {
        var spec = new ModelSpec(ModelKind.Mlp, [1, 28, 28], 10, s.Depth, s.Width);
        // each ledger names what pricing it needs: its compute events and the memory model's (DRAM, the SRAM unless there
        // is none, the dataflow model's register-file and array events)
        table.Require(rows.SelectMany(r => Ledger(spec, r, s.BatchSize).EventsNeeded(s.Memory)).Distinct());
    }
}
