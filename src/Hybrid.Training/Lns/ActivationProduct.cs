using Hybrid.Synapse.Backends;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// A product of two activations, C = A·B over the last two dimensions, batched over the leading ones: attention's
/// Q·Kᵀ and softmax(·)·V. Float32 until <see cref="UseArithmetic"/>; then both operands go through the
/// activation quantiser's format (each with its own scale, per tensor, and its own random sub-stream: A as the
/// layer's activations, B in the weights slot), the error at the output through the error quantiser, and the
/// GEMMs run fast (float32 on grid values) or exact (the LNS datapath, one exact GEMM per batch entry, forward and
/// both backward products). There is no weight, so no gradient quantiser: the operands' errors flow on to the
/// layers that made them, whose own error quantisers take them.
/// </summary>
public sealed class ActivationProduct : nn.Module<Tensor, Tensor, Tensor>, IArithmeticLayer
{
    /// <summary>A float32 product named <paramref name="name"/>.</summary>
    public ActivationProduct(string name) : base(name) { }

    /// <inheritdoc />
    public LinearArithmetic? Arithmetic { get; private set; }

    /// <summary>The settings a product runs with, from a layer's: the second operand takes the activation quantiser, and
    /// there is no weight gradient. Null when nothing is quantised and GEMMs are fast.</summary>
    public static StepArithmetic? OwnArithmetic(StepArithmetic layer)
    {
        var own = layer with { Weights = layer.Activations, Gradients = null };
        return !own.Any && own.Gemm == GemmMode.Fast ? null : own;
    }

    /// <summary>Runs the product with <paramref name="arithmetic"/> (see <see cref="OwnArithmetic"/>) on <paramref name="backend"/>.</summary>
    public void UseArithmetic(StepArithmetic arithmetic, int layer, ulong seed, ISynapseBackend backend)
    {
        if (Arithmetic is not null) throw new InvalidOperationException($"{GetName()} already has its arithmetic.");
        if (OwnArithmetic(arithmetic) is not { } own) return;
        Arithmetic = new LinearArithmetic(own, layer, seed, backend);
        register_buffer("arithmetic", Arithmetic.State);
    }

    /// <summary>A·B: [..., m, k] × [..., k, n] → [..., m, n] (leading dimensions equal).</summary>
    public override Tensor forward(Tensor a, Tensor b)
    {
        if (a.dim() < 2 || b.dim() != a.dim() || a.shape[^1] != b.shape[^2] || !a.shape[..^2].SequenceEqual(b.shape[..^2]))
            throw new ArgumentException($"{GetName()}: cannot multiply [{string.Join(", ", a.shape)}] by [{string.Join(", ", b.shape)}].");
        if (Arithmetic is null) return torch.matmul(a, b);
        // the arithmetic computes x·wᵀ: w = Bᵀ, quantised as the second operand
        return Arithmetic.Forward(a, b.transpose(-2, -1), null, training,
            (aq, btq) => torch.matmul(aq, btq.transpose(-2, -1)),
            (aq, btq, call) => Exact(aq, btq, call));
    }

    private static Tensor Exact(Tensor a, Tensor bt, ExactGemmCall call)
    {
        long[] lead = a.shape[..^2];
        long m = a.shape[^2], k = a.shape[^1], n = bt.shape[^2];
        var a3 = a.reshape(-1, m, k);
        var b3 = bt.reshape(-1, n, k);
        var parts = new Tensor[a3.shape[0]];
        for (long i = 0; i < parts.Length; ++i) parts[i] = ExactLinearFunction.apply(a3[i], b3[i], call);
        return torch.stack(parts).reshape([.. lead, m, n]);
    }
}
