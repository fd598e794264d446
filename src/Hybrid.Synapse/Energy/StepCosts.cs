using Hybrid.Native.Interop;
using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy;

/// <summary>One tensor role of a layer: its format in the step, whether a quantiser makes it so, and whether that
/// quantiser rounds stochastically (and so draws random bits).</summary>
public readonly record struct TensorCost(NumberFormat Format, bool Quantized = false, bool Stochastic = false)
{
    /// <summary>float32, no quantiser.</summary>
    public static readonly TensorCost Float = new(NumberFormat.Fp32);
}

/// <summary>
/// A linear layer as the step ledger sees it: shape, the weights' storage format, and the formats of its
/// GEMM operands — the weights as the GEMMs use them (quantised from storage, or storage decoded to float32),
/// the activations entering it, the error entering it from above, and its weight gradient.
/// </summary>
public sealed record LayerCostSpec(string Name, long In, long Out, bool Bias, NumberFormat WeightStorage,
    TensorCost WeightsGemm, TensorCost Activations, TensorCost Errors, TensorCost Gradients);

/// <summary>The optimiser rules the ledger knows.</summary>
public enum UpdateRule
{
    /// <summary>float32 Adam (biases too).</summary>
    Adam = 0,
    /// <summary>float32 Madam (biases too).</summary>
    Madam = 1,
    /// <summary>The LNS synapse step on the weights; float32 Madam on the biases.</summary>
    LnsMadam = 2,
}

/// <summary>How the optimiser step is costed.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Moment">LNS: where the second moment lives.</param>
/// <param name="Rounding">LNS: rounding of the code step (stochastic draws random bits).</param>
/// <param name="ChangedFraction">LNS: the fraction of codes written per step (measured; 1 is the upper bound).</param>
/// <param name="RoundedGradient">LNS: ĝ rounded to an integer first (one more float operation per synapse).</param>
/// <param name="RandomBits">LNS: random bits per stochastic rounding of a code step (<see cref="LnsMadamSettings.RandomBits"/>).</param>
public sealed record UpdateCostSpec(UpdateRule Rule, MomentMode Moment = MomentMode.PerSynapse,
    RoundingMode Rounding = RoundingMode.Stochastic, double ChangedFraction = 1, bool RoundedGradient = false,
    int RandomBits = HybridConstants.HYB_RANDOM_BITS_DEFAULT);

/// <summary>
/// Counts every event of one training step of a stack of linear layers on a batch (the model the
/// MLPs of <c>hybrid compare</c> are): per layer and pass, MACs by operand format (<see cref="Events.GemmMac"/>),
/// the LNS datapath events of LNS GEMMs (exponent adds and bucket accumulations per MAC, γ bucket scalings and
/// γ − 1 bucket additions per output), quantiser conversions and their random bits, bias adds, the update
/// step (<see cref="UpdateCosts"/>), and memory traffic by tensor with footprints.
/// Conventions (written once, here): a GEMM's output is converted to the next tensor's format by that tensor's
/// quantiser (so conversions are the quantisers' events); the weights are quantised once per step in the
/// forward pass and the GEMM-format copy is written for the backward pass; the first layer computes no error
/// for its input; activation functions, the loss and comparisons are free; a tensor is read or written at
/// its format's bits (B/8 bytes per LNS value).
/// </summary>
public static class StepCosts
{
    /// <summary>The ledger of one step on a batch of <paramref name="batch"/> examples.</summary>
    public static StepLedger Count(IReadOnlyList<LayerCostSpec> layers, long batch, UpdateCostSpec update)
    {
        if (layers.Count == 0) throw new ArgumentException("a step needs at least one layer.", nameof(layers));
        if (batch < 1) throw new ArgumentException($"batch {batch} must be >= 1.", nameof(batch));
        for (int l = 1; l < layers.Count; ++l)
            if (layers[l].In != layers[l - 1].Out)
                throw new ArgumentException($"layer {layers[l].Name} takes {layers[l].In} inputs but {layers[l - 1].Name} gives {layers[l - 1].Out}.");
        var compute = new List<ComputeEntry>();
        var traffic = new List<TrafficEntry>();
        var footprint = new Dictionary<string, double>();
        for (int l = 0; l < layers.Count; ++l)
            CountLayer(layers, l, batch, update, compute, traffic, footprint);
        return new StepLedger(compute.Where(c => c.Count != 0).ToList(), traffic, footprint);
    }

    private static string Input(IReadOnlyList<LayerCostSpec> layers, int l) => $"{layers[l].Name}.input";
    private static string Error(IReadOnlyList<LayerCostSpec> layers, int l) => $"{layers[l].Name}.error";

    private static void CountLayer(IReadOnlyList<LayerCostSpec> layers, int l, long n, UpdateCostSpec update,
        List<ComputeEntry> compute, List<TrafficEntry> traffic, Dictionary<string, double> footprint)
    {
        var s = layers[l];
        string name = s.Name;
        double i = s.In, o = s.Out, w = i * o, nn = n;
        void Add(Pass p, string evt, double count) => compute.Add(new ComputeEntry(name, p, evt, count));
        void Move(Pass p, string tensor, double read, double written) => traffic.Add(new TrafficEntry(name, p, tensor, read, written));
        void Quantize(Pass p, TensorCost t, double count)
        {
            if (!t.Quantized) return;
            Add(p, Events.Quantize(t.Format.Kind), count);
            if (t.Stochastic) Add(p, Events.RandomBit, count * Events.RandomBitsPerDraw);
        }
        void Gemm(Pass p, NumberFormat a, NumberFormat b, double macs, double outputs)
        {
            string mac = Events.GemmMac(a, b);
            Add(p, mac, macs);
            if (a.Kind != NumberKind.Lns || b.Kind != NumberKind.Lns) return;
            double gamma = Math.Max(a.Gamma, b.Gamma);
            Add(p, Events.LnsExponentAdd, macs);
            Add(p, Events.LnsBucketAccumulate, macs);
            Add(p, Events.LnsBucketScale, outputs * gamma);
            Add(p, Events.LnsBucketSum, outputs * (gamma - 1));
        }

        var act = s.Activations.Format;
        var err = s.Errors.Format;
        var wg = s.WeightsGemm.Format;
        bool last = l == layers.Count - 1;
        string weights = $"{name}.weights", gemmCopy = $"{name}.weights.gemm", grad = $"{name}.gradient";
        string weightsForGemm = s.WeightsGemm.Quantized ? gemmCopy : weights;
        footprint[weights] = s.WeightStorage.Bytes(w);
        if (s.WeightsGemm.Quantized) footprint[gemmCopy] = wg.Bytes(w);
        footprint[Input(layers, l)] = act.Bytes(nn * i);
        footprint[Error(layers, l)] = err.Bytes(nn * o);
        footprint[grad] = s.Gradients.Format.Bytes(w);
        string output = last ? "logits" : Input(layers, l + 1);
        if (last) footprint["logits"] = 4 * nn * o;

        // forward: quantise W (once per step) and x, y = x·Wᵀ + b, write y in the next layer's format
        Quantize(Pass.Forward, s.WeightsGemm, w);
        Quantize(Pass.Forward, s.Activations, nn * i);
        Gemm(Pass.Forward, act, wg, nn * i * o, nn * o);
        Move(Pass.Forward, Input(layers, l), act.Bytes(nn * i), 0);
        Move(Pass.Forward, weights, s.WeightStorage.Bytes(w), 0);
        if (s.WeightsGemm.Quantized) Move(Pass.Forward, gemmCopy, 0, wg.Bytes(w));
        Move(Pass.Forward, output, 0, last ? 4 * nn * o : layers[l + 1].Activations.Format.Bytes(nn * o));
        if (s.Bias)
        {
            Add(Pass.Forward, Events.Fp32Add, nn * o);
            Move(Pass.Forward, $"{name}.bias", 4 * o, 0);
        }

        // backward-data (not for the first layer): e_in = e·W, written in the layer below's error format
        if (l > 0)
        {
            Gemm(Pass.BackwardData, err, wg, nn * o * i, nn * i);
            Move(Pass.BackwardData, Error(layers, l), err.Bytes(nn * o), 0);
            Move(Pass.BackwardData, weightsForGemm, wg.Bytes(w), 0);
            Move(Pass.BackwardData, Error(layers, l - 1), 0, layers[l - 1].Errors.Format.Bytes(nn * i));
        }

        // backward-weight: quantise e (and the loss unit's write of the top error), ∇W = eᵀ·x, quantise ∇W
        Quantize(Pass.BackwardWeight, s.Errors, nn * o);
        if (last) Move(Pass.BackwardWeight, Error(layers, l), 0, err.Bytes(nn * o));
        Gemm(Pass.BackwardWeight, err, act, o * nn * i, o * i);
        Quantize(Pass.BackwardWeight, s.Gradients, w);
        Move(Pass.BackwardWeight, Error(layers, l), err.Bytes(nn * o), 0);
        Move(Pass.BackwardWeight, Input(layers, l), act.Bytes(nn * i), 0);
        Move(Pass.BackwardWeight, grad, 0, s.Gradients.Format.Bytes(w));
        if (s.Bias)
        {
            Add(Pass.BackwardWeight, Events.Fp32Add, nn * o);
            Move(Pass.BackwardWeight, $"{name}.bias.gradient", 0, 4 * o);
            footprint[$"{name}.bias.gradient"] = 4 * o;
        }

        CountUpdate(s, w, o, update, Add, Move, footprint);
    }

    private static void CountUpdate(LayerCostSpec s, double w, double o, UpdateCostSpec update, Action<Pass, string, double> add,
        Action<Pass, string, double, double> move, Dictionary<string, double> footprint)
    {
        string name = s.Name;
        // weights
        Ledger ledger;
        double stateBytes;
        switch (update.Rule)
        {
            case UpdateRule.LnsMadam:
            {
                if (s.WeightStorage.Kind != NumberKind.Lns)
                    throw new ArgumentException($"layer {name}: the LNS step needs LNS weight storage, not {s.WeightStorage}.");
                long n = (long)w, changed = (long)Math.Round(update.ChangedFraction * w);
                ledger = UpdateCosts.LnsMadam(n, (long)o, s.WeightStorage.Bits, update.Moment, update.Rounding, changed,
                    update.RandomBits);
                stateBytes = 4.0 * new LnsMadamSettings(new LnsFormat(2, 1, 1), 1, Moment: update.Moment, Rows: (long)o).MomentLength((int)n);
                move(Pass.Update, $"{name}.weights", s.WeightStorage.Bytes(w), s.WeightStorage.Bytes(changed));
                if (update.RoundedGradient) add(Pass.Update, Events.Fp32Add, w);
                break;
            }
            case UpdateRule.Madam:
                ledger = UpdateCosts.Madam((long)w);
                stateBytes = 4 * w;
                move(Pass.Update, $"{name}.weights", 4 * w, 4 * w);
                break;
            default:
                ledger = UpdateCosts.Adam((long)w);
                stateBytes = 8 * w;
                move(Pass.Update, $"{name}.weights", 4 * w, 4 * w);
                break;
        }
        foreach (var (evt, count) in ledger.ArithmeticEvents()) add(Pass.Update, evt, count);
        move(Pass.Update, $"{name}.gradient", s.Gradients.Format.Bytes(w), 0);
        if (stateBytes > 0)
        {
            move(Pass.Update, $"{name}.state", stateBytes, stateBytes);
            footprint[$"{name}.state"] = stateBytes;
        }
        if (!s.Bias) return;
        // biases: float32, Adam for Adam, Madam otherwise
        var b = update.Rule == UpdateRule.Adam ? UpdateCosts.Adam((long)o) : UpdateCosts.Madam((long)o);
        foreach (var (evt, count) in b.ArithmeticEvents()) add(Pass.Update, evt, count);
        double bstate = (update.Rule == UpdateRule.Adam ? 8 : 4) * o;
        move(Pass.Update, $"{name}.bias", 4 * o, 4 * o);
        move(Pass.Update, $"{name}.bias.gradient", 4 * o, 0);
        move(Pass.Update, $"{name}.bias.state", bstate, bstate);
        footprint[$"{name}.bias"] = 4 * o;
        footprint[$"{name}.bias.state"] = bstate;
    }
}
