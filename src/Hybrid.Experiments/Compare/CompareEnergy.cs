using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Compare;

/// <summary>The full-step ledger of a comparison row: its layers as the ledger sees them, its update rule, and
/// the check, before anything runs, that the energy table prices every event the rows will need. An MLP's layers are
/// written down from its spec (<see cref="Layers"/>); every other model (cnn, residual-mlp, resnet, gpt) is the row's own
/// model traced on a sample batch (<see cref="Traced"/>, <see cref="ModelNetwork"/>): its convolutions, attention
/// products, embeddings, norms and residual adds, each with the formats its converted layer has.</summary>
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

    /// <summary>The network of <paramref name="row"/>'s model as the ledger sees it: the model the row trains
    /// (<see cref="RowPlan.BuildModel"/>, the same conversion and arithmetic) traced on <paramref name="sample"/> (a batch of
    /// any size: the ledger scales per example), then disposed.</summary>
    public static NetworkSpec Traced(ModelSpec spec, RowPlan row, long seed, string backend, Tensor sample)
    {
        using var scope = NewDisposeScope();
        using var model = row.BuildModel(spec, seed, CPU, backend);
        return ModelNetwork.Of(model, sample, name: row.Key);
    }

    /// <summary>The ledger of one step on a batch of <paramref name="batch"/> of a traced network (<see cref="Traced"/>).</summary>
    public static StepLedger Ledger(NetworkSpec network, RowPlan row, long batch, double changedFraction = 1) =>
        StepCosts.Count(network, batch, Hybrid.Synapse.Energy.StepFormats.Float32, Update(row, changedFraction));

    /// <summary>
    /// Throws (an <see cref="InvalidDataException"/> naming every missing event) unless <paramref name="table"/> prices
    /// every event of the traced networks' steps (<see cref="Traced"/>; the rows of a model that is not an MLP).
    /// </summary>
    public static void RequireEvents(CompareSettings s, IReadOnlyDictionary<string, NetworkSpec> networks, IReadOnlyList<RowPlan> rows, EnergyTable table) =>
        table.Require(rows.SelectMany(r => Ledger(networks[r.Key], r, s.BatchSize).EventsNeeded(s.Memory)).Distinct());

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
