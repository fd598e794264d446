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
    /// A copy of <paramref name="model"/> (a <see cref="Sequential"/>, possibly nested) in which every
    /// <see cref="Linear"/> becomes an <see cref="LnsLinear"/> initialised from the float layer's weights
    /// (w_max = p_scale · RMS(W)); other layers are kept as they are (and shared with the float model).
    /// </summary>
    public static Sequential FromFloat(nn.Module<Tensor, Tensor> model, int bits, float gamma, MomentMode moment,
        ISynapseBackend backend, double pScale = 3.0)
    {
        if (model is not Sequential seq)
            throw new ArgumentException($"LNS conversion needs a Sequential model, not {model.GetType().Name}.", nameof(model));
        uint nextId = 0;
        return Convert(seq, bits, gamma, moment, backend, pScale, ref nextId);
    }

    private static Sequential Convert(Sequential seq, int bits, float gamma, MomentMode moment, ISynapseBackend backend,
        double pScale, ref uint nextId)
    {
        var children = new List<(string, nn.Module<Tensor, Tensor>)>();
        foreach (var (name, child) in seq.named_children())
        {
            nn.Module<Tensor, Tensor> converted = child switch
            {
                Linear lin => new LnsLinear(name, lin, bits, gamma, moment, nextId++, backend, pScale),
                Sequential inner => Convert(inner, bits, gamma, moment, backend, pScale, ref nextId),
                nn.Module<Tensor, Tensor> m => m,
                _ => throw new ArgumentException($"layer '{name}' ({child.GetType().Name}) is not a tensor-to-tensor module."),
            };
            children.Add((name, converted));
        }
        return nn.Sequential(children.ToArray());
    }

    /// <summary>
    /// Gives every <see cref="LnsLinear"/> of <paramref name="model"/> the step arithmetic <paramref name="arithmetic"/>
    /// (layer index = its order in the model, for the quantisers' random sub-streams); returns the model.
    /// </summary>
    public static nn.Module<Tensor, Tensor> WithArithmetic(nn.Module<Tensor, Tensor> model, StepArithmetic arithmetic, ulong seed)
    {
        arithmetic.Validate();
        int layer = 0;
        foreach (var l in model.modules().OfType<LnsLinear>()) l.UseArithmetic(arithmetic, layer++, seed);
        return model;
    }

    /// <summary>
    /// A copy of <paramref name="model"/> in which every <see cref="Linear"/> becomes a <see cref="QuantizedLinear"/>
    /// (float32 master weights, the step run with <paramref name="arithmetic"/>); other layers are kept as they are.
    /// </summary>
    public static Sequential Quantized(nn.Module<Tensor, Tensor> model, StepArithmetic arithmetic, ulong seed, ISynapseBackend backend)
    {
        arithmetic.Validate();
        if (model is not Sequential seq)
            throw new ArgumentException($"quantising needs a Sequential model, not {model.GetType().Name}.", nameof(model));
        int layer = 0;
        return QuantizeChildren(seq, arithmetic, seed, backend, ref layer);
    }

    private static Sequential QuantizeChildren(Sequential seq, StepArithmetic arithmetic, ulong seed, ISynapseBackend backend, ref int layer)
    {
        var children = new List<(string, nn.Module<Tensor, Tensor>)>();
        foreach (var (name, child) in seq.named_children())
        {
            nn.Module<Tensor, Tensor> converted = child switch
            {
                Linear lin => new QuantizedLinear(name, lin, arithmetic, layer++, seed, backend),
                Sequential inner => QuantizeChildren(inner, arithmetic, seed, backend, ref layer),
                nn.Module<Tensor, Tensor> m => m,
                _ => throw new ArgumentException($"layer '{name}' ({child.GetType().Name}) is not a tensor-to-tensor module."),
            };
            children.Add((name, converted));
        }
        return nn.Sequential(children.ToArray());
    }

    /// <summary>The quantisers' and exact GEMMs' counts of every quantised layer of <paramref name="model"/>, summed.</summary>
    public static ArithmeticStats Stats(nn.Module model) =>
        model.modules().Select(m => m switch
        {
            LnsLinear { Arithmetic: { } a } => a.Stats,
            QuantizedLinear q => q.Arithmetic.Stats,
            _ => ArithmeticStats.Empty,
        }).Aggregate(ArithmeticStats.Empty, (a, b) => a + b);
}
