using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy;

/// <summary>
/// Counts every event of one training step of a network on a batch: per layer and pass, MACs by operand format
/// (<see cref="Events.GemmMac"/>) with the LNS datapath's events, quantiser conversions and their random bits, LNS
/// decodes, float operations, the update (<see cref="UpdateCosts"/>), and memory traffic by tensor with footprints and
/// lifetimes. Conventions (written once, here; each decision's source is beside its code):
/// <list type="bullet">
/// <item>The batch is read once from the data set in its stored format (8-bit pixels, 16-bit token ids) and staged on
/// chip; every GEMM read of it converts it again (normalisation: one multiply and one add a value) — the same in every
/// row. The labels are read once by the loss.</item>
/// <item>A tensor every consumer quantises to one format is written in it (its quantiser counted once, at the first
/// read); otherwise it is held in the row's float format and each quantising read converts it, or — priced both ways,
/// the cheaper taken (<see cref="LedgerChoice"/>) — a converted copy is kept for the backward-weight pass. Weights the
/// GEMMs use in another format than their storage are converted in the forward pass; backward-data gets them from a
/// kept copy or converts them again, whichever is cheaper. Nothing is written that nobody reads: the first layer
/// computes no input error and keeps no copy.</item>
/// <item>Weights-only LNS rows read the B-bit codes (B/8 bytes a weight) and decode each (<see cref="Events.DecodeLns"/>)
/// for a float GEMM, in both passes that read them.</item>
/// <item>Errors are quantised once per tensor (in backward-weight); a tensor with several consumers gets their error
/// contributions summed (the second and later read, add and write); a residual add passes its output's error through
/// without a copy.</item>
/// <item>ReLU writes a 1-bit mask its backward reads; GELU saves its input. The loss reads the logits and labels and writes
/// the top error. Normalisation, softmax, residual adds and pooling are float operations (counts per element beside
/// their code; <see cref="FloatOpKind"/>).</item>
/// <item>Values are read and written at their format's bits (B/8 bytes per LNS value); activations kept for the backward
/// pass live in memory from their write to their last read.</item>
/// </list>
/// </summary>
public static class StepCosts
{
    /// <summary>The ledger of one step of <paramref name="network"/> on a batch of <paramref name="batch"/> examples with the
    /// row's <paramref name="formats"/> and <paramref name="update"/>.</summary>
    /// <exception cref="ArgumentException">The network is malformed, or the update needs a storage the row lacks.</exception>
    public static StepLedger Count(NetworkSpec network, long batch, StepFormats formats, UpdateCostSpec update) =>
        new StepCounter(network, batch, formats, update).Count();

    /// <summary>The ledger of one step of a stack of linear layers (<see cref="Mlp"/>): ReLU between them, a softmax
    /// cross-entropy loss on the last, 8-bit inputs.</summary>
    public static StepLedger Count(IReadOnlyList<LayerCostSpec> layers, long batch, UpdateCostSpec update) =>
        Count(Mlp(layers), batch, StepFormats.Float32, update);

    /// <summary>A stack of linear layers as a network: the data (<paramref name="layers"/>[0].In values of one byte per
    /// example, normalised), the layers with their own formats and a ReLU after each but the last, and the loss.</summary>
    public static NetworkSpec Mlp(IReadOnlyList<LayerCostSpec> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("a step needs at least one layer.", nameof(layers));
        for (int l = 1; l < layers.Count; ++l)
            if (layers[l].In != layers[l - 1].Out)
                throw new ArgumentException($"layer {layers[l].Name} takes {layers[l].In} inputs but {layers[l - 1].Name} gives {layers[l - 1].Out}.");
        var specs = new List<LayerSpec>();
        string input = "images";
        for (int l = 0; l < layers.Count; ++l)
        {
            var s = layers[l];
            bool last = l == layers.Count - 1;
            string output = last ? "logits" : $"{s.Name}.out";
            specs.Add(new LinearSpec(s.Name, input, output, s.In, s.Out, 1, s.Bias, last ? Activation.None : Activation.Relu) { Formats = s.Formats });
            input = output;
        }
        specs.Add(new FloatOpSpec("loss", FloatOpKind.SoftmaxCrossEntropy, [input], null, layers[^1].Out, layers[^1].Out));
        return new NetworkSpec("mlp", new DataInput("images", layers[0].In, 1, true, 1), specs);
    }

    /// <summary>The formats of every tensor of a linear layer in <paramref name="gemm"/> (quantised; errors stochastically)
    /// with weights stored in <paramref name="storage"/>: a full low-precision row.</summary>
    public static TensorFormats Quantized(NumberFormat gemm, NumberFormat storage, bool stochasticErrors = true) =>
        Quantized(gemm, gemm, gemm, gemm, storage, stochasticErrors);

    /// <summary>The formats of a row whose weights and activations are quantised to <paramref name="forward"/> formats and
    /// errors and gradients to <paramref name="errors"/> and <paramref name="gradients"/>.</summary>
    public static TensorFormats Quantized(NumberFormat weights, NumberFormat activations, NumberFormat errors, NumberFormat gradients,
        NumberFormat storage, bool stochasticErrors) =>
        new(storage, new TensorCost(weights, true), new TensorCost(activations, true),
            new TensorCost(errors, true, stochasticErrors && errors.Kind == NumberKind.Lns), new TensorCost(gradients, true));
}
