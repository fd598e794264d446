using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>Helpers: parameters with a chosen gradient, and small deterministic models.</summary>
internal static class OptimizerTestKit
{
    /// <summary>A parameter holding <paramref name="values"/>.</summary>
    public static Parameter Param(float[] values, params long[] shape) =>
        new(torch.tensor(values, shape.Length == 0 ? [values.Length] : shape), requires_grad: true);

    /// <summary>Sets p.grad to exactly <paramref name="grad"/> (via the gradient of (p ⊙ grad).sum()).</summary>
    public static void SetGrad(Parameter p, Tensor grad)
    {
        p.grad?.zero_();
        using var loss = (p * grad.detach()).sum();
        loss.backward();
    }

    /// <summary>Sets the gradient from values.</summary>
    public static void SetGrad(Parameter p, float[] values) => SetGrad(p, torch.tensor(values, p.shape));

    /// <summary>A parameter's values.</summary>
    public static float[] Values(Tensor p) => p.detach().cpu().data<float>().ToArray();

    /// <summary>A small MLP with a fixed seed (two weight matrices, two biases).</summary>
    public static Sequential Mlp(int seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4));
    }

    /// <summary>One training step of <paramref name="model"/> on fixed random data.</summary>
    public static void TrainStep(Module<Tensor, Tensor> model, optim.Optimizer opt, int dataSeed)
    {
        var gen = new torch.Generator((ulong)dataSeed);
        using var x = torch.randn(32, 20, generator: gen);
        using var y = torch.randint(0, 4, [32], generator: gen);
        opt.zero_grad();
        using var loss = nn.functional.cross_entropy(model.call(x), y);
        loss.backward();
        opt.step();
    }

    /// <summary>All parameters of a model flattened into one array.</summary>
    public static float[] Flat(Module model) => model.parameters().SelectMany(p => Values(p)).ToArray();
}
