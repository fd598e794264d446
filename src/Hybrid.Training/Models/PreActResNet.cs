using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Models;

/// <summary>
/// A pre-activation residual block (He et al., "Identity mappings in deep residual networks", ECCV 2016):
/// o = act(bn1(x)); y = conv2(act(bn2(conv1(o)))) + shortcut, the shortcut x itself, or a 1×1 convolution of o
/// (stride 2) where the block changes width or resolution. Convolutions 3×3 without biases (batch norm follows).
/// </summary>
public sealed class PreActBlock : nn.Module<Tensor, Tensor>, ILayerWork, INetworkPart
{
    private readonly BatchNorm2d bn1, bn2;
    private readonly nn.Module<Tensor, Tensor> act1, act2;
    private nn.Module<Tensor, Tensor> conv1, conv2;
    private nn.Module<Tensor, Tensor>? shortcut;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/> with <paramref name="stride"/>.</summary>
    public PreActBlock(string name, long inChannels, long outChannels, long stride, Activation activation) : base(name)
    {
        OutChannels = outChannels;
        Stride = stride;
        bn1 = nn.BatchNorm2d(inChannels);
        act1 = ModelFactory.ActivationModule(activation);
        conv1 = nn.Conv2d(inChannels, outChannels, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        act2 = ModelFactory.ActivationModule(activation);
        conv2 = nn.Conv2d(outChannels, outChannels, kernel_size: 3, padding: 1, bias: false);
        if (stride != 1 || inChannels != outChannels)
            shortcut = nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false);
        RegisterComponents();
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }
    /// <summary>The first convolution's (and the shortcut's) stride.</summary>
    public long Stride { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var o = act1.call(bn1.call(x));
        var skip = shortcut is null ? x : shortcut.call(o);
        var y = conv2.call(act2.call(bn2.call(conv1.call(o))));
        return y.Plus(skip).MoveToOuterDisposeScope();
    }

    /// <summary>The residual add (the layers describe themselves). Its elements are the block's output's.</summary>
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad)
    {
        long h = (inputShape[2] - 1) / Stride + 1, w = (inputShape[3] - 1) / Stride + 1, n = inputShape[0] * OutChannels * h * w;
        return LayerWork.Floats(path, nameof(PreActBlock),
            [new(Pass.Forward, FloatOp.ResidualAdd, "conv + shortcut", n), new(Pass.BackwardData, FloatOp.ResidualAdd, "conv + shortcut", n)], []);
    }

    /// <summary>The block's layers (found by the trace), then the residual add of conv2's output and the shortcut's (or the
    /// block's input).</summary>
    public void Describe(NetworkBuilder network, TracedCall call)
    {
        foreach (var child in call.Children) network.Emit(child);
        string skip = shortcut is null ? network.Name(call.Input, call) : network.Name(call.Child(shortcut).Output, call);
        network.Residual(NetworkBuilder.Join(call.Path, "add"), network.Name(call.Child(conv2).Output, call), skip, call.Output, call.OutputShape);
    }
}

/// <summary>
/// A small pre-activation ResNet for 28×28 images (after He et al. 2016's CIFAR networks): a 3×3 stem convolution
/// to 16 channels, three stages of <c>blocks</c> (<see cref="PreActBlock"/>) at widths 16, 32 and 64 (the second
/// and third halve the resolution: 28 → 14 → 7), then batch norm, the activation, global average pooling and a
/// linear layer to the logits. <c>blocksPerStage</c> n gives ResNet-(6n + 2): n = 3 is ResNet-20.
/// </summary>
public sealed class PreActResNet : nn.Module<Tensor, Tensor>
{
    /// <summary>The stages' widths.</summary>
    public static readonly IReadOnlyList<long> Widths = [16, 32, 64];

    private nn.Module<Tensor, Tensor> stem, fc;
    private readonly ModuleList<PreActBlock> blocks;
    private readonly BatchNorm2d bn;
    private readonly nn.Module<Tensor, Tensor> act, pool;

    /// <summary>The network for <paramref name="channels"/>-channel images, <paramref name="classes"/> logits.</summary>
    public PreActResNet(long channels, int classes, int blocksPerStage, Activation activation, bool bias) : base(nameof(PreActResNet))
    {
        if (blocksPerStage < 1) throw new ArgumentException($"a ResNet needs at least one block per stage, got {blocksPerStage}.");
        stem = nn.Conv2d(channels, Widths[0], kernel_size: 3, padding: 1, bias: false);
        var list = new List<PreActBlock>();
        long width = Widths[0];
        for (int s = 0; s < Widths.Count; ++s)
            for (int b = 0; b < blocksPerStage; ++b)
            {
                list.Add(new PreActBlock($"s{s}b{b}", width, Widths[s], s > 0 && b == 0 ? 2 : 1, activation));
                width = Widths[s];
            }
        blocks = nn.ModuleList(list.ToArray());
        bn = nn.BatchNorm2d(width);
        act = ModelFactory.ActivationModule(activation);
        pool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(width, classes, hasBias: bias);
        RegisterComponents();
    }

    /// <summary>Logits [B, classes] of images [B, C, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = stem.call(x);
        foreach (var block in blocks) h = block.call(h);
        return fc.call(pool.call(act.call(bn.call(h))).flatten(1)).MoveToOuterDisposeScope();
    }
}
