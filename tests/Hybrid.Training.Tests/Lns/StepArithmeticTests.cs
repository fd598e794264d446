using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Models;
using Hybrid.Training.Trainer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>LNS arithmetic in the whole step: the quantisers as autograd functions, fast and exact GEMMs,
/// FP8/INT8 baselines, learning with every quantiser on, identity across backends, and bad settings.</summary>
public class StepArithmeticTests
{
    private static readonly QuantizerSpec Lns8 = new(NumberFormat.Lns(8, 8));
    private static readonly StepArithmetic Full = new(Lns8, Lns8, Lns8 with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic }, Lns8);

    private static DataSet Data() => Synthetic.Mixture(new MixtureOptions(Train: 1200, Test: 400, Dim: 16, Classes: 4), seed: 5);

    private static Sequential LnsModel(DataSet d, StepArithmetic a, ISynapseBackend backend, int bits = 12)
    {
        var m = LnsModels.FromFloat(ModelFactory.Build(new ModelSpec(ModelKind.Mlp, d.InputShape, d.Classes, Depth: 1, Width: 32), 3),
            bits, LnsModels.DefaultGamma(bits), MomentMode.PerSynapse, backend);
        LnsModels.WithArithmetic(m, a, 7);
        return m;
    }

    private static TrainResult Train(DataSet data, StepArithmetic a, ISynapseBackend backend, IRunStore store, int epochs = 3,
        float lr = 0.05f) =>
        Hybrid.Training.Trainer.Trainer.Run(new TrainingJob
        {
            Name = "lns-full",
            BuildModel = _ => LnsModel(data, a, backend),
            BuildOptimizer = m => new LnsMadamOptimizer(m, new LnsMadamSettings(new LnsFormat(12, 128, 1), 1, lr, Seed: 9,
                NonFinite: NonFinitePolicy.Skip)),
            Data = data,
            Epochs = epochs,
            BatchSize = 64,
            Seed = 3,
            Config = new { a = a.ToString(), epochs },
        }, store, SilentObserver.Instance);

    [Test]
    public void QuantisersAreAutogradFunctions()
    {
        torch.manual_seed(4);
        using var lin = nn.Linear(10, 6);
        using var layer = new LnsLinear("fc", lin, 12, 128, MomentMode.PerSynapse, 0, ManagedBackend.Instance);
        layer.UseArithmetic(new StepArithmetic(Lns8, Lns8, Lns8, Lns8), 0, 7);
        layer.train();
        using var x = torch.randn(5, 10);
        var y = layer.call(x);
        // forward: y = Q_a(x)·Q_w(W)ᵀ + b exactly as the backend quantises them
        var xq = Quantize(x, 0f);
        var wq = Quantize(layer.Weight.detach(), layer.Synapses.Format.WMax);
        Assert.That(y.allclose(nn.functional.linear(xq, wq, layer.Bias!.detach()), rtol: 1e-6, atol: 1e-6), Is.True);
        // backward: the incoming error is quantised (errors), the weight gradient too (gradients): on the LNS grid
        y.sum().backward();
        var g = layer.Weight.grad!;
        var gq = Quantize(g, 0f);
        Assert.That(g.data<float>().ToArray(), Is.EqualTo(gq.data<float>().ToArray()), "the weight gradient lies on its grid");
        var stats = layer.Arithmetic!.Stats;
        Assert.That(stats.Quantizers[TensorRole.Activations].Elements, Is.EqualTo(50));
        Assert.That(stats.Quantizers[TensorRole.Weights].Elements, Is.EqualTo(60));
        Assert.That(stats.Quantizers[TensorRole.Errors].Elements, Is.EqualTo(30));
        Assert.That(stats.Quantizers[TensorRole.Gradients].Elements, Is.EqualTo(60));
    }

    private static Tensor Quantize(Tensor t, float scale)
    {
        var y = t.detach().contiguous().clone();
        float s = scale > 0 ? scale : y.abs().max().item<float>();
        var span = Hybrid.Training.TensorMemory.Float32(y, "t");
        ManagedBackend.Instance.LnsQuantize(new LnsQuantizeSettings(new LnsFormat(8, 8, s)), span, span);
        return y;
    }

    [Test]
    public void EveryQuantiserOnLearnsASyntheticTask()
    {
        using var data = Data();
        var r = Train(data, Full, NativeCpuBackend.Instance, new MemoryRunStore());
        Assert.That(r.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(r.FinalTestAccuracy, Is.GreaterThan(0.6), "chance is 0.25");
        var a = r.Optimizer!.Arithmetic!;
        Assert.That(a.Quantizers.Keys, Is.EquivalentTo(Enum.GetValues<TensorRole>()));
        Assert.That(a.Quantizers[TensorRole.Activations].Elements, Is.GreaterThan(0));
    }

    [Test]
    public void ExactGemmModeLearnsAndIsIdenticalOnEveryBackend()
    {
        using var data = Data();
        var exact = Full with { Gemm = GemmMode.Exact };
        var runs = new ISynapseBackend[] { ManagedBackend.Instance, NativeCpuBackend.Instance }
            .Select(b => Train(data, exact, b, new MemoryRunStore(), epochs: 2)).ToList();
        Assert.That(runs[1].Epochs.Select(e => e.TrainLoss), Is.EqualTo(runs[0].Epochs.Select(e => e.TrainLoss)),
            "managed and native-cpu: the same losses, bit for bit");
        Assert.That(runs[0].FinalTestAccuracy, Is.GreaterThan(0.6));
        Assert.That(runs[0].Optimizer!.Arithmetic!.Gemm.Macs, Is.GreaterThan(0));
    }

    [Test]
    public void ExactAndFastAgreeOnALayer()
    {
        torch.manual_seed(6);
        using var lin = nn.Linear(64, 32);
        var fastLayer = new LnsLinear("fc", lin, 12, 128, MomentMode.PerSynapse, 0, NativeCpuBackend.Instance);
        var exactLayer = new LnsLinear("fc", lin, 12, 128, MomentMode.PerSynapse, 0, NativeCpuBackend.Instance);
        fastLayer.UseArithmetic(new StepArithmetic(Lns8, Lns8, Lns8), 0, 1);
        exactLayer.UseArithmetic(new StepArithmetic(Lns8, Lns8, Lns8, Gemm: GemmMode.Exact), 0, 1);
        using var x = torch.randn(16, 64).relu();
        var yf = fastLayer.call(x);
        var ye = exactLayer.call(x);
        double rel = ((ye - yf).abs().max() / yf.abs().max()).item<float>();
        Assert.That(rel, Is.LessThan(1e-4), "the datapath drops only products below 2^-24 of the largest and rounds once");
        yf.sum().backward();
        ye.sum().backward();
        double grel = ((exactLayer.Weight.grad! - fastLayer.Weight.grad!).abs().max() / fastLayer.Weight.grad!.abs().max()).item<float>();
        Assert.That(grel, Is.LessThan(1e-4));
    }

    [Test]
    public void BaselineQuantisersLandOnTheirGrids()
    {
        torch.manual_seed(8);
        using var lin = nn.Linear(20, 4);
        var int8 = new QuantizerSpec(NumberFormat.Int8);
        var fp8 = new QuantizerSpec(NumberFormat.Fp8E4M3);
        using var qi = new QuantizedLinear("fc", lin, new StepArithmetic(Activations: int8), 0, 1, ManagedBackend.Instance);
        using var qf = new QuantizedLinear("fc", lin, new StepArithmetic(Activations: fp8), 0, 1, ManagedBackend.Instance);
        using var x = torch.randn(8, 20);
        float s = x.abs().max().item<float>();
        var yi = qi.call(x);
        var xi = (x / (s / 127)).round().clamp(-127, 127) * (s / 127);
        Assert.That(yi.allclose(nn.functional.linear(xi, lin.weight!, lin.bias!), rtol: 1e-5, atol: 1e-5), Is.True, "INT8: multiples of s/127");
        var q = new TensorQuantizer(fp8, TensorRole.Activations, 0, 1, ManagedBackend.Instance);
        var (y, _, _) = q.Apply(x, 1, true, null, float.NaN);
        foreach (float v in (y * (448f / s)).data<float>().ToArray())
        {
            if (v == 0) continue;
            int e = (int)Math.Floor(Math.Log2(Math.Abs(v)));
            double steps = v / Math.Pow(2, Math.Max(e, -6) - 3);
            Assert.That(steps, Is.EqualTo(Math.Round(steps)).Within(1e-3), $"{v} has at most 3 mantissa bits");
            Assert.That(Math.Abs(v), Is.LessThanOrEqualTo(448));
        }
        Assert.That(qf.call(x).shape, Is.EqualTo(new long[] { 8, 4 }));
    }

    [Test]
    public void RunningScaleSaturatesAndIsCounted()
    {
        var spec = new QuantizerSpec(NumberFormat.Lns(8, 8), Scale: ScaleMode.Running);
        torch.manual_seed(9);
        using var lin = nn.Linear(4, 2);
        using var layer = new QuantizedLinear("fc", lin, new StepArithmetic(Activations: spec), 0, 1, ManagedBackend.Instance);
        layer.train();
        using var small = torch.ones(2, 4) * 0.1f;
        using var big = torch.ones(2, 4) * 10f;
        layer.call(small);
        Assert.That(layer.Arithmetic.RunningScale(TensorRole.Activations), Is.EqualTo(0.1f).Within(1e-7));
        layer.call(big); // uses 0.1: all 8 values saturate; then the running max moves to 0.9·0.1 + 0.1·10
        Assert.That(layer.Arithmetic.Stats.Quantizers[TensorRole.Activations].Saturated, Is.EqualTo(8));
        Assert.That(layer.Arithmetic.RunningScale(TensorRole.Activations), Is.EqualTo(0.9f * 0.1f + 0.1f * 10f).Within(1e-6));
    }

    [TestCase("weights=lns17", "outside [2, 16]")]
    [TestCase("weights=lns8/0", "(0, 4096]")]
    [TestCase("weights=lns8/NaN", "finite")]
    [TestCase("weights=lns16/1", "octaves")]
    [TestCase("biases=lns8", "unknown tensor 'biases'")]
    [TestCase("weights=posit8", "formats:")]
    [TestCase("weights=lns8:floor", "option 'floor'")]
    [TestCase("errors=int8:stochastic", "LNS quantisers only")]
    [TestCase("weights", "TENSOR=FORMAT")]
    public void BadQuantiserSettingsAreRejected(string assignment, string mentions)
    {
        var ex = Assert.Catch<ArgumentException>(() => StepArithmetic.Off.With(assignment).Validate());
        Assert.That(ex!.Message, Does.Contain(mentions));
    }

    [Test]
    public void BadExactGemmSettingsAreRejected()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new StepArithmetic(Lns8, Lns8, Gemm: GemmMode.Exact).Validate())!.Message,
            Does.Contain("errors is off"));
        var gamma4 = new QuantizerSpec(NumberFormat.Lns(8, 4));
        Assert.That(Assert.Throws<ArgumentException>(() => new StepArithmetic(Lns8, gamma4, Lns8, Gemm: GemmMode.Exact).Validate())!.Message,
            Does.Contain("one γ"));
        Assert.That(Assert.Throws<ArgumentException>(() => (Full with { Gemm = GemmMode.Exact, AccumulatorBits = 8, FractionBits = 7 }).Validate())!.Message,
            Does.Contain("too small for one product"));
        var g12 = new QuantizerSpec(NumberFormat.Lns(8, 12));
        Assert.That(Assert.Throws<ArgumentException>(() => new StepArithmetic(g12, g12, g12, Gemm: GemmMode.Exact).Validate())!.Message,
            Does.Contain("power of two"));
    }
}
