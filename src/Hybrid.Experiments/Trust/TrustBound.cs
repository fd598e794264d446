using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Reports;
using Hybrid.Training;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Trust;

/// <summary>One (direction, ε) of a <see cref="BoundPoint"/>: the functional change and the bounds it is compared with.</summary>
/// <param name="Direction">radial, random or gradient.</param>
/// <param name="Epsilon">The requested relative size of every layer's perturbation.</param>
/// <param name="Change">‖f(W+ΔW) − f(W)‖_F / ‖f(W)‖_F over the batch of examples (outputs stacked).</param>
/// <param name="MaxExampleChange">The largest per-example ‖Δf(x)‖ / ‖f(x)‖.</param>
/// <param name="Product">Deep relative trust, Π_k (1 + ‖ΔW_k‖_F/‖W_k‖_F) − 1.</param>
/// <param name="Sum">The naive sum of relative changes, Σ_k ‖ΔW_k‖_F/‖W_k‖_F.</param>
/// <param name="ProductSpectral">Π_k (1 + ‖ΔW_k‖₂/‖W_k‖₂) − 1 with spectral norms.</param>
public sealed record TrustRow(string Direction, double Epsilon, double Change, double MaxExampleChange, double Product, double Sum,
    double ProductSpectral)
{
    /// <summary>Measured change over the product bound (1 = the bound is tight).</summary>
    public double Ratio => Change / Product;
    /// <summary>Measured change over the naive sum.</summary>
    public double RatioSum => Change / Sum;
    /// <summary>Measured change over the spectral product bound.</summary>
    public double RatioSpectral => Change / ProductSpectral;
}

/// <summary>
/// Measures deep relative trust on a bias-free ReLU MLP, f(x) = W_L·relu(…relu(W_1·x)), in
/// float64 so that the radial case — where ΔW_k = εW_k scales f by exactly (1+ε)^L, making the
/// product bound an equality — holds to rounding error. Every direction is rescaled per layer
/// to ‖ΔW_k‖_F = ε‖W_k‖_F: radial ΔW_k ∝ W_k, random ΔW_k ∝ a Gaussian matrix (seeded), gradient
/// ΔW_k ∝ −∂L/∂W_k of the cross-entropy on the examples (a descent step).
/// </summary>
public static class TrustBound
{
    /// <summary>The weights (float64, [out, in] each) of the seeded bias-free ReLU MLP of <paramref name="point"/>.</summary>
    public static List<Tensor> Weights(BoundPoint point, long[] inputShape, int classes)
    {
        var spec = new ModelSpec(ModelKind.Mlp, inputShape, classes, point.Layers - 1, point.Width, Activation.Relu, Bias: false);
        using var model = ModelFactory.Build(spec, point.Seed);
        return model.parameters().Select(p => p.detach().to_type(ScalarType.Float64)).ToList();
    }

    /// <summary>f(x) for inputs [N, features] (float64).</summary>
    public static Tensor Forward(IReadOnlyList<Tensor> weights, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = x;
        for (int k = 0; k < weights.Count; ++k)
        {
            h = h.matmul(weights[k].t());
            if (k < weights.Count - 1) h = nn.functional.relu(h);
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>Measures every (direction, ε) of <paramref name="point"/> on inputs <paramref name="x"/> [N, features] with labels <paramref name="y"/>.</summary>
    public static List<TrustRow> Measure(BoundPoint point, IReadOnlyList<Tensor> weights, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var x64 = x.to_type(ScalarType.Float64);
        var f = Forward(weights, x64);
        double fNorm = f.norm().item<double>();
        var exampleNorms = f.norm(1);
        var rows = new List<TrustRow>();
        var wNorms = weights.Select(t => t.norm().item<double>()).ToArray();
        var wSpectral = weights.Select(Spectral).ToArray();
        foreach (var direction in point.Directions)
        {
            var d = Direction(direction, weights, x64, y, point.Seed);
            var dNorms = d.Select(t => t.norm().item<double>()).ToArray();
            var dSpectral = direction == "radial" ? wSpectral : d.Select(Spectral).ToArray();
            foreach (var eps in point.Epsilons)
            {
                // ΔW_k = ε·‖W_k‖/‖D_k‖ · D_k (a zero direction leaves the layer unperturbed)
                var scale = weights.Select((w, k) => dNorms[k] > 0 ? eps * wNorms[k] / dNorms[k] : 0.0).ToArray();
                var scaleS = scale.Select(v => v.ToScalar()).ToArray(); // live until disposed below (TorchScalars)
                var perturbed = weights.Select((w, k) => w.Plus(scaleS[k] * d[k])).ToList();
                var diff = Forward(perturbed, x64) - f;
                double change = diff.norm().item<double>() / fNorm;
                var perExample = diff.norm(1) / exampleNorms;
                double maxExample = perExample.masked_select(exampleNorms > TorchScalars.Zero).max().item<double>();
                foreach (var v in scaleS) v.Dispose();
                double product = 1, spectral = 1, sum = 0;
                for (int k = 0; k < weights.Count; ++k)
                {
                    double rel = scale[k] * dNorms[k] / wNorms[k];
                    product *= 1 + rel;
                    sum += rel;
                    spectral *= 1 + scale[k] * dSpectral[k] / wSpectral[k];
                }
                rows.Add(new TrustRow(direction, eps, change, maxExample, product - 1, sum, spectral - 1));
            }
        }
        return rows;
    }

    // The largest singular value, from a float32 SVD: it only enters the spectral variant of the
    // bound, where six digits are plenty, and float32 halves the cost of the many SVDs.
    private static double Spectral(Tensor m)
    {
        using var m32 = m.to_type(ScalarType.Float32);
        using var s = linalg.svdvals(m32);
        return s[0].item<float>();
    }

    private static List<Tensor> Direction(string name, IReadOnlyList<Tensor> weights, Tensor x, Tensor y, long seed)
    {
        switch (name)
        {
            case "radial":
                return weights.Select(w => w.clone()).ToList();
            case "random":
            {
                var g = new Generator((ulong)seed ^ 0x7275737421UL); // "trust!": not the weights' stream
                return weights.Select(w => torch.randn(w.shape, ScalarType.Float64, generator: g)).ToList();
            }
            case "gradient":
            {
                var leaves = weights.Select(w => w.detach().requires_grad_(true)).ToList();
                var loss = nn.functional.cross_entropy(Forward(leaves, x), y);
                var grads = torch.autograd.grad([loss], leaves);
                return grads.Select(g => -g.detach()).ToList();
            }
            default:
                throw new ArgumentException($"unknown direction '{name}'; valid: {string.Join(", ", TrustSettings.DirectionNames)}.", "directions");
        }
    }
}
