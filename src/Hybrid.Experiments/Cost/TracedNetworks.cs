using Hybrid.Synapse.Energy;
using Hybrid.Training;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using TorchSharp;

namespace Hybrid.Experiments.Cost;

/// <summary>
/// The models Hybrid trains, as <c>hybrid cost</c> networks: each is built (float32, the seed fixed), traced on one sample
/// batch and described by <see cref="ModelNetwork"/> — the same description <c>compare</c>'s ledger prices — with the row
/// formats left to <see cref="Synapse.Energy.Architectures.CostRows"/> (every layer's own formats cleared), so a trainable model is priced exactly like
/// a standard architecture. Sizes are the ones docs/training.md trains: Fashion-MNIST's 28×28 images, the fortunes corpus'
/// vocabulary with context 128.
/// </summary>
public static class TracedNetworks
{
    /// <summary>Names <c>--model</c> takes besides <see cref="Synapse.Energy.Architectures.StandardNetworks.Names"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["mlp", "cnn", "residual-mlp", "resnet20", "gpt-fortunes"];

    /// <summary>The vocabulary of the GPT: the bytes the pinned fortunes corpus uses (a test keeps it equal to the corpus').</summary>
    public const int FortunesVocabulary = 114;

    /// <summary>The network of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
    public static NetworkSpec Get(string name)
    {
        TorchRuntime.EnsureAvailable();
        var (spec, sample) = name switch
        {
            "mlp" => (new ModelSpec(ModelKind.Mlp, [1, 28, 28], 10, Depth: 3, Width: 256), Image()),
            "cnn" => (new ModelSpec(ModelKind.Cnn, [1, 28, 28], 10), Image()),
            "residual-mlp" => (new ModelSpec(ModelKind.ResidualMlp, [1, 28, 28], 10, Depth: 3, Width: 256), Image()),
            "resnet20" => (new ModelSpec(ModelKind.ResNet, [1, 28, 28], 10, Depth: 3), Image()),
            "gpt-fortunes" => (new ModelSpec(ModelKind.Gpt, [128], FortunesVocabulary, Depth: 4, Width: 128, Heads: 4),
                torch.zeros([2, 128], torch.ScalarType.Int64)),
            _ => throw new ArgumentException($"--model '{name}' is unknown; valid: {string.Join(", ", Names)}.", "model"),
        };
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Build(spec, seed: 0);
        var network = ModelNetwork.Of(model, sample, name: name);
        // the rows decide the formats: a float model's layers would otherwise pin float32
        return network with { Layers = network.Layers.Select(l => l with { Formats = null }).ToList() };
    }

    private static torch.Tensor Image() => torch.zeros(2, 1, 28, 28);
}
