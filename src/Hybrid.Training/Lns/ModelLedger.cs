using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// The energy ledger of a trained model's whole step, in one call: the model traced on a sample batch
/// (<see cref="ModelNetwork.Of"/>), counted (<see cref="StepCosts.Count(NetworkSpec, long, Hybrid.Synapse.Energy.StepFormats, UpdateCostSpec)"/>)
/// and priced (<see cref="StepPricing"/>). Every layer carries its own formats, so the row's formats are float32 for the tensors
/// only float operations read (the trained models hold them in float32).
/// </summary>
public static class ModelLedger
{
    /// <summary>The update a model's own layers imply: LNS-Madam (stochastic rounding, every code counted as written, the
    /// synapses' moment mode) when its weights are synapses, otherwise float32 Adam.</summary>
    /// <exception cref="NotSupportedException">Synapse layers with different moment modes (the ledger has one per step).</exception>
    public static UpdateCostSpec UpdateOf(nn.Module model)
    {
        var moments = model.modules().OfType<ISynapseLayer>().Select(s => s.Synapses.Moment).Distinct().ToList();
        if (moments.Count > 1)
            throw new NotSupportedException($"the model's synapse layers use {string.Join(", ", moments)} moments; the ledger prices one moment mode per step.");
        return moments.Count == 0 ? new UpdateCostSpec(UpdateRule.Adam) : new UpdateCostSpec(UpdateRule.LnsMadam, moments[0], Hybrid.Synapse.RoundingMode.Stochastic);
    }

    /// <summary>The ledger of one step of <paramref name="model"/> on a batch of <paramref name="batch"/> examples shaped like
    /// <paramref name="sample"/> (null: the sample's own batch), with <paramref name="update"/> (null: <see cref="UpdateOf"/>).</summary>
    public static StepLedger Count(nn.Module<Tensor, Tensor> model, Tensor sample, UpdateCostSpec? update = null, long? batch = null,
        ModelNetworkOptions? options = null)
    {
        var network = ModelNetwork.Of(model, sample, options);
        return StepCosts.Count(network, batch ?? sample.shape[0], Hybrid.Synapse.Energy.StepFormats.Float32, update ?? UpdateOf(model));
    }

    /// <summary>The priced step of <paramref name="model"/> (<see cref="Count"/>) with <paramref name="table"/> in
    /// <paramref name="memory"/>.</summary>
    /// <exception cref="InvalidDataException">The table lacks events the step needs (all named).</exception>
    public static PricedStep Price(nn.Module<Tensor, Tensor> model, Tensor sample, EnergyTable table, MemoryHierarchy memory,
        UpdateCostSpec? update = null, long? batch = null, ModelNetworkOptions? options = null) =>
        Count(model, sample, update, batch, options).Price(table, memory);
}
