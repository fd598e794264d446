using Hybrid.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Gp;

/// <summary>
/// The NNGP kernel of the bias-free ReLU·√2 MLP at initialisation (SCIENCE.md Part I; jxbz/bpm):
/// the normalised arc-cosine kernel. For inputs rescaled to ‖x‖ = √d the first layer gives
/// k₀ = x·x′/d (= cos θ, 1 on the diagonal), and each hidden ReLU·√2 layer maps
/// <code>
/// k ← (√(1 − k²) + k·(π − arccos k)) / π        (the degree-1 arc-cosine kernel of Cho &amp; Saul, normalised)
/// </code>
/// applied once per hidden layer (depth − 1 times for a net of depth linear layers). The diagonal
/// stays 1. Everything is float64; values are clamped to [−1, 1] after every step, as in the
/// authors' code, so rounding never takes arccos outside its domain.
/// </summary>
public static class NngpKernel
{
    // process-lifetime Scalars: implicit ones could be freed mid-call (TorchScalars)
    private static readonly Scalar MinusOne = (-1.0).ToScalar(), PlusOne = 1.0.ToScalar(), Pi = Math.PI.ToScalar();

    /// <summary>One arc-cosine step applied elementwise to a kernel matrix (float64, returns a new tensor).</summary>
    public static Tensor Step(Tensor k)
    {
        using var scope = torch.NewDisposeScope();
        var c = k.clamp(MinusOne, PlusOne);
        var next = TorchScalars.One.Minus(c * c).clamp_min(TorchScalars.Zero).sqrt().Plus(c * Pi.Minus(c.acos())) / Pi;
        return next.clamp(MinusOne, PlusOne).MoveToOuterDisposeScope();
    }

    /// <summary>The same step on one number (for tests and documentation).</summary>
    public static double Step(double k)
    {
        k = Math.Clamp(k, -1.0, 1.0);
        return Math.Clamp((Math.Sqrt(Math.Max(0, 1 - k * k)) + k * (Math.PI - Math.Acos(k))) / Math.PI, -1.0, 1.0);
    }

    /// <summary>
    /// The kernel between the rows of <paramref name="a"/> [N, d] and of <paramref name="b"/> [M, d]
    /// after <paramref name="hiddenLayers"/> ReLU·√2 layers: [N, M] float64.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a negative layer count.</exception>
    public static Tensor Matrix(Tensor a, Tensor b, int hiddenLayers)
    {
        if (hiddenLayers < 0) throw new ArgumentException($"hidden layers {hiddenLayers} must be >= 0.", nameof(hiddenLayers));
        if (a.dim() != 2 || b.dim() != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"inputs must be [N, d] and [M, d], got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        using var scope = torch.NewDisposeScope();
        var a64 = a.to_type(ScalarType.Float64);
        var b64 = ReferenceEquals(a, b) ? a64 : b.to_type(ScalarType.Float64);
        using Scalar d = a.shape[1].ToScalar(); // lives through the calls (TorchScalars)
        var k = (a64.matmul(b64.t()) / d).clamp(MinusOne, PlusOne);
        if (ReferenceEquals(a, b)) k = k.Plus(k.t()) / TorchScalars.Two; // exactly symmetric
        for (int l = 0; l < hiddenLayers; ++l) k = Step(k);
        return k.MoveToOuterDisposeScope();
    }

    /// <summary>k(x, x) for every row of <paramref name="x"/> [N, d] (1 for rows of norm √d): [N] float64.</summary>
    public static Tensor Diagonal(Tensor x, int hiddenLayers)
    {
        using var scope = torch.NewDisposeScope();
        var x64 = x.to_type(ScalarType.Float64);
        using Scalar d = x.shape[1].ToScalar(); // lives through the call (TorchScalars)
        var k = ((x64 * x64).sum(1) / d).clamp(MinusOne, PlusOne);
        for (int l = 0; l < hiddenLayers; ++l) k = Step(k);
        return k.MoveToOuterDisposeScope();
    }
}
