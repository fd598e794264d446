using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>Small models and steps for the successors' tests (μP, Muon, modular Adam).</summary>
internal static class SuccessorKit
{
    /// <summary>An MLP spec: 12 inputs, 5 classes, the given depth and width.</summary>
    public static ModelSpec Spec(int width, int depth = 2, Activation activation = Activation.Relu) =>
        new(ModelKind.Mlp, [12], 5, depth, width, activation);

    /// <summary>The model and optimiser the catalog makes for <paramref name="spec"/> (PrepareModel, then Create).</summary>
    public static (nn.Module<Tensor, Tensor> Model, optim.Optimizer Optimizer) Make(OptimizerSpec optimizer, ModelSpec spec, long seed = 3)
    {
        var model = OptimizerCatalog.PrepareModel(optimizer, ModelFactory.Build(spec, seed));
        return (model, OptimizerCatalog.Create(optimizer, model, (ulong)seed));
    }

    /// <summary>Sets every gradient from one cross-entropy backward pass on fixed data (no step).</summary>
    public static void Backward(nn.Module<Tensor, Tensor> model, optim.Optimizer opt, int dataSeed)
    {
        var gen = new torch.Generator((ulong)dataSeed);
        using var x = torch.randn(16, 12, generator: gen);
        using var y = torch.randint(0, 5, [16], generator: gen);
        opt.zero_grad();
        using var loss = nn.functional.cross_entropy(model.call(x), y);
        loss.backward();
    }

    /// <summary>One training step on fixed data.</summary>
    public static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer opt, int dataSeed)
    {
        Backward(model, opt, dataSeed);
        opt.step();
    }

    /// <summary>Parameters by name, as double arrays.</summary>
    public static Dictionary<string, double[]> Snapshot(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().data<float>().ToArray().Select(v => (double)v).ToArray());

    /// <summary>Gradients by name, as double arrays.</summary>
    public static Dictionary<string, double[]> Grads(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.data<float>().ToArray().Select(v => (double)v).ToArray());

    /// <summary>The learning rate and weight decay of the group that holds each parameter, by name.</summary>
    public static Dictionary<string, double> GroupLr(nn.Module model, optim.Optimizer opt)
    {
        var groups = ((OptimizerHelper)opt).ParamGroups.Cast<ParamGroup>().ToList();
        return model.named_parameters().ToDictionary(p => p.name,
            p => groups.Single(g => g.Parameters.Contains(p.parameter)).LearningRate);
    }

    /// <summary>The group options of each parameter, by name.</summary>
    public static Dictionary<string, T> GroupOptions<T>(nn.Module model, optim.Optimizer opt) where T : OptimizerOptions
    {
        var groups = ((OptimizerHelper)opt).ParamGroups.Cast<ParamGroup>().ToList();
        return model.named_parameters().ToDictionary(p => p.name,
            p => (T)groups.Single(g => g.Parameters.Contains(p.parameter)).Options);
    }
}
