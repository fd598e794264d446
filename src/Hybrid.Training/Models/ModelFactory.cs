using TorchSharp;
using static TorchSharp.torch;
using Hybrid.Training.Layers;

namespace Hybrid.Training.Models;

/// <summary>
/// Builds the models a <see cref="ModelSpec"/> describes, as TorchSharp
/// <c>Module&lt;Tensor, Tensor&gt;</c> (a <c>Sequential</c> with named layers), mapping a batch of
/// inputs [B, ..InputShape] to logits [B, Classes].
/// </summary>
/// <remarks>
/// (Not named <c>Models</c>: a class of that name inside the namespace <c>Hybrid.Training.Models</c>
/// would be hidden by the namespace from any code in <c>Hybrid.Training.*</c>.)
/// <para>Layer names, which are also the parameter names of the state dict:
/// MLP <c>flatten, fc1, act1, …, fc{depth}, act{depth}, out</c>;
/// CNN <c>conv1, act_conv1, pool1, conv2, act_conv2, pool2, flatten, fc1, act1, …, out</c>;
/// residual MLP <c>fc1, act1, …, fc{depth}, act{depth}, out</c> (<see cref="ResidualMlp"/>);
/// ResNet <c>stem, blocks.{i}.{bn1, conv1, bn2, conv2, shortcut}, bn, fc</c> (<see cref="PreActResNet"/>);
/// GPT <c>tok, pos, blocks.{i}.{ln1, attn.{q, k, v, o}, ln2, fc1, fc2}, ln_f, head</c> (<see cref="Gpt"/>).
/// Convolutions are 3×3 with padding 1 and stride 1; pools are 2×2 max-pools.</para>
/// </remarks>
public static class ModelFactory
{
    private static readonly object SeedLock = new();

    /// <summary>
    /// Builds the model of <paramref name="spec"/> with initial weights determined by
    /// <paramref name="seed"/> alone: the same (spec, seed) gives bit-identical weights on every
    /// call and every device. The weights are drawn on the CPU with TorchSharp's default
    /// initialisation under <c>torch.manual_seed(seed)</c>, multiplied by
    /// <see cref="ModelSpec.InitScale"/>, and only then moved to <paramref name="device"/>.
    /// torch's global CPU generator is restored afterwards, so building a model does not change
    /// the random numbers other code draws. With <see cref="ModelSpec.Mup"/> set the model is built in μP
    /// (<see cref="MupParametrization"/>): the same draws, then μP's readout, rescaling and base shapes.
    /// </summary>
    /// <param name="spec">What to build (validated first).</param>
    /// <param name="seed">The initialisation seed.</param>
    /// <param name="device">Where the parameters live; default CPU.</param>
    /// <exception cref="ArgumentException">The spec is invalid (the message says which field and why).</exception>
    public static nn.Module<Tensor, Tensor> Build(ModelSpec spec, long seed, Device? device = null)
    {
        spec.Validate();
        nn.Module<Tensor, Tensor> model;
        lock (SeedLock)
        {
            using var saved = torch.get_rng_state();
            try
            {
                torch.manual_seed(seed);
                model = spec.Kind switch
                {
                    ModelKind.Cnn => Cnn(spec),
                    ModelKind.ResidualMlp => new ResidualMlp(spec),
                    ModelKind.ResNet => new PreActResNet(spec.InputShape[0], spec.Classes, spec.Depth, spec.Activation, spec.Bias),
                    ModelKind.Gpt => new Gpt(spec.Classes, spec.InputShape[0], spec.Depth, spec.Width, spec.Heads),
                    _ => Mlp(spec),
                };
            }
            finally
            {
                torch.set_rng_state(saved);
            }
        }
        var mup = spec.Mup is null ? null : MupShapesOf(spec, model);
        if (spec.InitScale != 1.0)
        {
            using var noGrad = torch.no_grad();
            using Scalar scale = spec.InitScale.ToScalar(); // lives through every call (TorchScalars)
            foreach (var p in model.parameters()) p.mul_(scale);
        }
        if (device is not null && device.type != DeviceType.CPU) model.to(device);
        if (mup is not null) MupParametrization.Register(model, mup, spec.Mup!);
        Origins.AddOrUpdate(model, new Origin(spec, seed));
        return model;
    }

    private sealed record Origin(ModelSpec Spec, long Seed);
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, Origin> Origins = new();

    /// <summary>
    /// The spec and seed <paramref name="model"/> was built from, when <see cref="Build"/> built it (so an optimiser
    /// that needs another parametrisation of the same model, as μP's do, can build its twin: same spec and seed).
    /// </summary>
    public static bool TryGetOrigin(nn.Module model, out ModelSpec spec, out long seed)
    {
        if (Origins.TryGetValue(model, out var o)) { (spec, seed) = (o.Spec, o.Seed); return true; }
        (spec, seed) = (null!, 0);
        return false;
    }

    // μP (ModelSpec.Mup): the base shapes against the same spec at the base width, and μP's rescaled initialisation.
    private static IReadOnlyDictionary<string, InfShape> MupShapesOf(ModelSpec spec, nn.Module model)
    {
        var settings = spec.Mup!;
        using var baseModel = Build(spec with { Width = settings.BaseWidth, Mup = null, InitScale = 1.0 }, 0);
        var shapes = MupParametrization.BaseShapes(model, baseModel);
        if (shapes.TryGetValue("out.weight", out var readout) && readout.WidthMult != settings.WidthMult(spec))
            throw new InvalidOperationException($"μP: the readout's width multiplier {readout.WidthMult} differs from the spec's {settings.WidthMult(spec)}.");
        MupParametrization.Apply(model, shapes, settings);
        return shapes;
    }

    /// <summary>The output layer of <paramref name="spec"/>: <c>nn.Linear</c>, or μP's <see cref="MupReadout"/> when <see cref="ModelSpec.Mup"/> is set.</summary>
    internal static nn.Module<Tensor, Tensor> Readout(ModelSpec spec, long features) => spec.Mup is { } mup
        ? new MupReadout(features, spec.Classes, spec.Bias, mup.WidthMult(spec), mup.OutputMultiplier)
        : nn.Linear(features, spec.Classes, hasBias: spec.Bias);

    /// <summary>The number of trainable parameters of <paramref name="model"/>.</summary>
    public static long ParameterCount(nn.Module model) => model.parameters().Sum(p => p.numel());

    /// <summary>A new module for <paramref name="activation"/>.</summary>
    public static nn.Module<Tensor, Tensor> ActivationModule(Activation activation) => activation switch
    {
        Activation.Relu => nn.ReLU(),
        Activation.Tanh => nn.Tanh(),
        Activation.Gelu => nn.GELU(),
        Activation.ReluSqrt2 => new ReluSqrt2(),
        _ => throw new ArgumentException(
            $"unknown activation {(int)activation}; valid: {string.Join(", ", ModelSpec.ActivationNames)}.", nameof(activation)),
    };

    private static nn.Module<Tensor, Tensor> Mlp(ModelSpec spec)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        AddHead(layers, spec, spec.InputSize);
        return nn.Sequential(layers);
    }

    private static nn.Module<Tensor, Tensor> Cnn(ModelSpec spec)
    {
        long channels = spec.InputShape[0];
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv1", nn.Conv2d(channels, ModelSpec.CnnChannels1, kernel_size: 3, padding: 1, bias: spec.Bias)),
            ("act_conv1", ActivationModule(spec.Activation)),
            ("pool1", nn.MaxPool2d(kernel_size: 2)),
            ("conv2", nn.Conv2d(ModelSpec.CnnChannels1, ModelSpec.CnnChannels2, kernel_size: 3, padding: 1, bias: spec.Bias)),
            ("act_conv2", ActivationModule(spec.Activation)),
            ("pool2", nn.MaxPool2d(kernel_size: 2)),
            ("flatten", nn.Flatten()),
        };
        AddHead(layers, spec, ModelSpec.CnnFeatures(spec.InputShape));
        return nn.Sequential(layers);
    }

    // Depth hidden layers Linear → activation, then the output layer (no activation: logits).
    private static void AddHead(List<(string, nn.Module<Tensor, Tensor>)> layers, ModelSpec spec, long features)
    {
        for (int i = 1; i <= spec.Depth; ++i)
        {
            layers.Add(($"fc{i}", nn.Linear(features, spec.Width, hasBias: spec.Bias)));
            layers.Add(($"act{i}", ActivationModule(spec.Activation)));
            features = spec.Width;
        }
        layers.Add(("out", Readout(spec, features)));
    }
}
