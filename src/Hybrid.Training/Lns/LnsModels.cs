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
}
