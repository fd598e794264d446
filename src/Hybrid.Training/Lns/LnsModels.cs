using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>Turns a float model into an LNS synapse model with the same initial weights.</summary>
public static class LnsModels
{
    /// <summary>
    /// The default γ for B bits: the largest power of two (at least 1/2) whose K − 1 levels span at
    /// least 8 octaves below w_max — B = 4 → 0.5, 5 → 1, 6 → 2, 8 → 8 (LNS-Madam's choice), 10 → 32,
    /// 12 → 128, 16 → 2048. Fewer bits must trade resolution for range; 8 octaves keep weights
    /// down to w_max/256 representable.
    /// </summary>
    public static float DefaultGamma(int bits)
    {
        if (bits is < LnsFormat.MinBits or > LnsFormat.MaxBits)
            throw new ArgumentException($"--bits {bits} is outside [{LnsFormat.MinBits}, {LnsFormat.MaxBits}].", "bits");
        double levels = (1 << (bits - 1)) - 2;
        float g = 0.5f;
        while (levels / (2 * g) >= 8) g *= 2;
        return g;
    }

    /// <summary>
    /// <paramref name="model"/> (a <see cref="Sequential"/>, possibly nested) with every linear layer, 2-D convolution and
    /// embedding turned into its synapse layer (<see cref="LnsLinear"/>, <see cref="LnsConv2d"/>, <see cref="LnsEmbedding"/>)
    /// initialised from the float layer's weights (w_max = p_scale · RMS(W)); other layers are kept as they are. Converted in
    /// place by <see cref="LnsConverter.Convert"/>, which takes any model; this form keeps the Sequential signature.
    /// </summary>
    public static Sequential FromFloat(nn.Module<Tensor, Tensor> model, int bits, float gamma, MomentMode moment,
        ISynapseBackend backend, double pScale = 3.0)
    {
        if (model is not Sequential seq)
            throw new ArgumentException($"LNS conversion needs a Sequential model, not {model.GetType().Name} (LnsConverter.Convert takes any).", nameof(model));
        LnsConverter.Convert(seq, new LnsConversionSettings(backend) { Bits = bits, Gamma = gamma, Moment = moment, PScale = pScale });
        return seq;
    }

    /// <summary>
    /// Gives every synapse layer and attention product of <paramref name="model"/> the step arithmetic <paramref name="arithmetic"/>
    /// (layer index = its order in the model, for the quantisers' random sub-streams); returns the model.
    /// </summary>
    public static nn.Module<Tensor, Tensor> WithArithmetic(nn.Module<Tensor, Tensor> model, StepArithmetic arithmetic, ulong seed)
    {
        arithmetic.Validate();
        int layer = 0;
        ISynapseBackend? backend = model.modules().OfType<ISynapseLayer>().FirstOrDefault()?.Synapses.Backend;
        foreach (var m in model.modules())
            switch (m)
            {
                case LnsLinear l: l.UseArithmetic(arithmetic, layer++, seed); break;
                case LnsConv2d c: c.UseArithmetic(arithmetic, layer++, seed); break;
                case LnsEmbedding e: e.UseArithmetic(arithmetic, layer++, seed); break;
                case ActivationProduct p when backend is not null: p.UseArithmetic(arithmetic, layer++, seed, backend); break;
            }
        return model;
    }

    /// <summary>
    /// <paramref name="model"/> with every linear layer, 2-D convolution and embedding turned into its quantised counterpart
    /// (<see cref="QuantizedLinear"/>, <see cref="QuantizedConv2d"/>, <see cref="QuantizedEmbedding"/>: float32 master weights,
    /// the step run with <paramref name="arithmetic"/>) and every attention product given it; converted in place.
    /// </summary>
    public static Sequential Quantized(nn.Module<Tensor, Tensor> model, StepArithmetic arithmetic, ulong seed, ISynapseBackend backend)
    {
        arithmetic.Validate();
        if (model is not Sequential seq)
            throw new ArgumentException($"quantising needs a Sequential model, not {model.GetType().Name} (LnsConverter.Convert takes any).", nameof(model));
        LnsConverter.Convert(seq, new LnsConversionSettings(backend) { Storage = WeightStorage.Float, Arithmetic = arithmetic, Seed = seed });
        return seq;
    }

    /// <summary>The quantisers' and exact GEMMs' counts of every quantised layer of <paramref name="model"/>, summed.</summary>
    public static ArithmeticStats Stats(nn.Module model) =>
        model.modules().OfType<IArithmeticLayer>().Select(m => m.Arithmetic?.Stats ?? ArithmeticStats.Empty)
            .Aggregate(ArithmeticStats.Empty, (a, b) => a + b);
}
