using BenchmarkDotNet.Attributes;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Lns;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Bench.Training;

/// <summary>
/// One training step — forward, cross-entropy, backward, update — of the same MLP on the same
/// batch: TorchSharp float32 Adam (the baseline), TorchSharp float32 Madam (tensor ops), and the
/// LNS synapse model (LnsLinear layers, 8-bit codes updated by the native synapse kernel, then
/// decoded for the next forward). Model: Fashion-MNIST-shaped MLP 784-256-256-10, batch 128.
/// The LNS target (issue 13): at most 1.1× the float32 Adam step. Where the time goes, piece by
/// piece: <see cref="TrainingStepProfile"/> (<c>training-profile</c>).
/// </summary>
[BenchmarkCategory("TrainingStep")]
public class TrainingStepBenchmarks
{
    private nn.Module<Tensor, Tensor> _adamModel = null!, _madamModel = null!, _lnsModel = null!;
    private optim.Optimizer _adam = null!, _madam = null!;
    private LnsMadamOptimizer _lns = null!;
    private Tensor _x = null!, _y = null!;

    /// <summary>Bits per synapse of the LNS model.</summary>
    [Params(8, 16)]
    public int Bits { get; set; }

    /// <summary>Threads of TorchSharp and libhybrid alike: 1, or 0 for their defaults (every core). One thread
    /// compares the steps' work; the default is what a user gets, and on a shared 2-core machine it also measures
    /// how OpenMP copes with a busy core.</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    /// <summary>Builds the three models from the same seed and one random batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (Threads > 0)
        {
            torch.set_num_threads(Threads);
            SynapseBackends.NativeThreads = Threads;
        }
        var spec = new ModelSpec(ModelKind.Mlp, [1, 28, 28], 10, Depth: 2, Width: 256);
        _adamModel = ModelFactory.Build(spec, 1);
        _madamModel = ModelFactory.Build(spec, 1);
        _lnsModel = LnsModels.FromFloat(ModelFactory.Build(spec, 1), Bits, LnsModels.DefaultGamma(Bits),
            MomentMode.PerSynapse, NativeCpuBackend.Instance);
        _adam = torch.optim.Adam(_adamModel.parameters(), 1e-3);
        _madam = HybridOptim.Madam(_madamModel.parameters(), 0.01);
        _lns = new LnsMadamOptimizer(_lnsModel, new LnsMadamSettings(new LnsFormat(Bits, 8, 1), 1, 0.01f, Seed: 1,
            NonFinite: NonFinitePolicy.Skip));
        var gen = new torch.Generator(7);
        _x = torch.rand([128, 1, 28, 28], generator: gen);
        _y = torch.randint(0, 10, [128], generator: gen);
    }

    private void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer opt) => StepTiming.Step(model, opt, _x, _y);

    private void ForwardBackward(nn.Module<Tensor, Tensor> model, optim.Optimizer opt)
    {
        using var scope = torch.NewDisposeScope();
        opt.zero_grad();
        var loss = nn.functional.cross_entropy(model.call(_x), _y);
        loss.backward();
    }

    /// <summary>The Adam model's zero_grad, forward and backward (no update).</summary>
    internal void AdamForwardBackward() => ForwardBackward(_adamModel, _adam);
    /// <summary>The LNS model's zero_grad, forward and backward (no update).</summary>
    internal void LnsForwardBackward() => ForwardBackward(_lnsModel, _lns);
    /// <summary>Adam's update alone (on the gradients of the last backward).</summary>
    internal void AdamUpdate()
    {
        using var scope = torch.NewDisposeScope();
        _adam.step();
    }
    /// <summary>The LNS optimiser's update alone: every layer's synapse step and decode, float Madam on the biases.</summary>
    internal void LnsUpdate()
    {
        using var scope = torch.NewDisposeScope();
        _lns.step();
    }
    /// <summary>The LNS optimiser (its layers, for timing their synapse steps and decodes one at a time).</summary>
    internal LnsMadamOptimizer LnsOptimizer => _lns;

    /// <summary>TorchSharp float32 Adam.</summary>
    [Benchmark(Baseline = true)]
    public void Float32Adam() => Step(_adamModel, _adam);

    /// <summary>TorchSharp float32 Madam (Hybrid's tensor-op optimiser).</summary>
    [Benchmark]
    public void Float32Madam() => Step(_madamModel, _madam);

    /// <summary>The LNS synapse model (native synapse kernel, per-synapse moment, stochastic rounding).</summary>
    [Benchmark]
    public void LnsSynapses() => Step(_lnsModel, _lns);

    /// <summary>Frees the models and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var d in new IDisposable[] { _adam, _madam, _lns, _adamModel, _madamModel, _lnsModel, _x, _y }) d.Dispose();
    }
}
