using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Layers;

/// <summary>
/// relu(x)·√2, the hidden activation of the margin experiments (SCIENCE.md Part I; the control
/// recipe of alexfarhang/margin and jxbz/bpm). The factor √2 makes the layer norm-preserving on
/// average: for w ~ N(0, 1/fan_in) and x of any direction, E[relu(w·x)²] = ‖x‖²/(2·fan_in), so
/// doubling the square keeps E‖h‖² = ‖x‖² layer after layer. Positively homogeneous, so a
/// bias-free network built from it satisfies f(c·x) = c·f(x) for c &gt; 0.
/// </summary>
public sealed class ReluSqrt2 : nn.Module<Tensor, Tensor>
{
    // a process-lifetime Scalar: an implicit one per call could be freed mid-call (TorchScalars)
    private static readonly Scalar Sqrt2 = Math.Sqrt(2.0).ToScalar();

    /// <summary>A parameter-free ReLU·√2 module.</summary>
    public ReluSqrt2() : base(nameof(ReluSqrt2)) => RegisterComponents();

    /// <summary>relu(x)·√2, elementwise.</summary>
    public override Tensor forward(Tensor input)
    {
        using var r = nn.functional.relu(input);
        return r.mul(Sqrt2);
    }
}
