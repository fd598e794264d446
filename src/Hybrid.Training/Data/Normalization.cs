using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>The ways <see cref="InputNormalization"/> can rescale inputs.</summary>
public enum NormalizationKind
{
    /// <summary>Inputs unchanged.</summary>
    None,

    /// <summary>(x − μ)/σ with one μ and one σ for the whole data set (all features, all examples).</summary>
    Standardize,

    /// <summary>(x − μ_j)/σ_j per input feature j (σ_j floored at 1e-6 so constant pixels stay finite).</summary>
    StandardizePerFeature,

    /// <summary>
    /// Each example rescaled to ‖x‖₂ = √d (d = features per example), the input convention of the
    /// margin experiments' control recipe (SCIENCE.md Part I); an all-zero example stays zero.
    /// </summary>
    Sphere,
}

/// <summary>
/// An input normalisation whose statistics are fixed when it is made (from the training inputs),
/// so the same transform applies to training and test data and to every batch. Statistics are
/// kept on the CPU in float32; <see cref="Apply"/> moves them to the input's device as needed.
/// </summary>
public sealed class InputNormalization : IDisposable
{
    private readonly Tensor? _mean, _std;

    private InputNormalization(NormalizationKind kind, Tensor? mean, Tensor? std, string description)
    {
        Kind = kind;
        _mean = mean;
        _std = std;
        Description = description;
    }

    /// <summary>The kind of normalisation.</summary>
    public NormalizationKind Kind { get; }

    /// <summary>What it does, with the statistics (for config files and logs).</summary>
    public string Description { get; }

    /// <summary>The identity.</summary>
    public static InputNormalization None { get; } = new(NormalizationKind.None, null, null, "none");

    /// <summary>Per-example rescaling to ‖x‖₂ = √d.</summary>
    public static InputNormalization Sphere { get; } = new(NormalizationKind.Sphere, null, null, "each example rescaled to ‖x‖₂ = √d");

    /// <summary>Makes a normalisation of <paramref name="kind"/> with statistics from <paramref name="trainX"/> ([N, ...]);
    /// integer inputs (a text corpus's token ids) are never normalised.</summary>
    public static InputNormalization Fit(NormalizationKind kind, Tensor trainX)
    {
        if (!torch.is_floating_point(trainX)) return None; // token ids are not magnitudes
        switch (kind)
        {
            case NormalizationKind.None: return None;
            case NormalizationKind.Sphere: return Sphere;
            case NormalizationKind.Standardize:
            {
                using var x = trainX.detach().to(torch.CPU).to_type(ScalarType.Float64);
                double mean = x.mean().item<double>(), std = x.std().item<double>();
                if (!(std > 0)) std = 1.0;
                return new InputNormalization(kind, torch.tensor((float)mean), torch.tensor((float)std),
                    $"standardize: (x − {mean:G6}) / {std:G6}");
            }
            case NormalizationKind.StandardizePerFeature:
            {
                using var x = trainX.detach().to(torch.CPU).to_type(ScalarType.Float64);
                using var mean = x.mean([0]);
                using Scalar floor = 1e-6.ToScalar(); // lives through the call (TorchScalars)
                using var std = x.std(0).clamp_min(floor);
                return new InputNormalization(kind, mean.to_type(ScalarType.Float32), std.to_type(ScalarType.Float32),
                    $"standardize per feature ({mean.numel()} means and standard deviations from the training inputs)");
            }
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>The normalised copy of <paramref name="x"/> ([B, ...]); for <see cref="NormalizationKind.None"/> a new handle to the same data.</summary>
    public Tensor Apply(Tensor x)
    {
        switch (Kind)
        {
            case NormalizationKind.None:
                return x.alias();
            case NormalizationKind.Sphere:
            {
                long d = x.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                using var flat = x.reshape(x.shape[0], -1);
                using var squares = flat.square();
                using var norms = squares.sum(1, keepdim: true);
                using Scalar floor = 1e-30.ToScalar(), scale = Math.Sqrt(d).ToScalar(); // (TorchScalars)
                norms.sqrt_().clamp_min_(floor);
                using var scaled = flat.div(norms).mul_(scale);
                return scaled.reshape(x.shape);
            }
            default:
            {
                using var mean = _mean!.to(x.device);
                using var std = _std!.to(x.device);
                using var centred = x - mean;
                return centred / std;
            }
        }
    }

    /// <summary>Frees the statistics.</summary>
    public void Dispose()
    {
        _mean?.Dispose();
        _std?.Dispose();
    }
}
