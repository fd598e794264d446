using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using RoundingMode = Hybrid.Synapse.RoundingMode;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// A measurement, not a unit test (run on demand; docs/compare.md records its output): how far the exact
/// LNS datapath and the fast mode (grid values multiplied in float32) differ on the real layers of the
/// default MLP (784-256-256-10, LNS-Madam's GEMM format lns8/8, weights stored at 12 bits) on a batch of
/// 128 Fashion-MNIST test images, forward outputs and weight gradients.
/// <code>dotnet test tests/Hybrid.Training.Tests -c Release --filter Name=FastAndExactOnFashionMnist --logger "console;verbosity=detailed"</code>
/// </summary>
public class GemmModeMeasurement
{
    [Test, Explicit("a measurement for docs/compare.md; needs Fashion-MNIST (scripts/setup.sh)")]
    public void FastAndExactOnFashionMnist()
    {
        using var data = DataSets.FashionMnist();
        using var norm = InputNormalization.Fit(NormalizationKind.Standardize, data.TrainX);
        using var x = norm.Apply(data.TestX.narrow(0, 0, 128));
        using var y = data.TestY.narrow(0, 0, 128);
        var q = new QuantizerSpec(NumberFormat.Lns(8, 8));
        var e = q with { Rounding = RoundingMode.Stochastic };
        var spec = new ModelSpec(ModelKind.Mlp, data.InputShape, data.Classes, 2, 256);
        Sequential Model(GemmMode mode)
        {
            var m = LnsModels.FromFloat(ModelFactory.Build(spec, 0), 12, LnsModels.DefaultGamma(12), MomentMode.PerSynapse,
                NativeCpuBackend.Instance);
            LnsModels.WithArithmetic(m, new StepArithmetic(q, q, e, e, mode), 0);
            return m;
        }
        using var fast = Model(GemmMode.Fast);
        using var exact = Model(GemmMode.Exact);
        var outputs = new Dictionary<string, (Tensor Fast, Tensor Exact)>();
        foreach (var (model, which) in new[] { (fast, 0), (exact, 1) })
        {
            model.train();
            Tensor h = x;
            foreach (var (name, layer) in model.named_children())
            {
                h = ((nn.Module<Tensor, Tensor>)layer).call(h);
                if (layer is LnsLinear)
                    outputs[name] = which == 0 ? (h, null!) : (outputs[name].Fast, h);
            }
            nn.functional.cross_entropy(h, y).backward();
        }
        TestContext.Out.WriteLine("| layer | forward: max rel. error | mean rel. error | ∇W: max rel. error | mean rel. error |");
        TestContext.Out.WriteLine("|---|---:|---:|---:|---:|");
        var fastLayers = fast.modules().OfType<LnsLinear>().ToList();
        var exactLayers = exact.modules().OfType<LnsLinear>().ToList();
        int i = 0;
        foreach (var (name, (f, ex)) in outputs)
        {
            var (maxY, meanY) = Errors(f, ex);
            var (maxG, meanG) = Errors(fastLayers[i].Weight.grad!, exactLayers[i].Weight.grad!);
            ++i;
            TestContext.Out.WriteLine($"| {name} | {maxY:E2} | {meanY:E2} | {maxG:E2} | {meanG:E2} |");
            Assert.That(maxY, Is.LessThan(1e-3), name);
        }
    }

    // relative to |fast| over elements above 1e-3 of the tensor's largest; max and mean
    private static (double Max, double Mean) Errors(Tensor fast, Tensor exact)
    {
        using var f = fast.detach();
        using var d = (exact.detach() - f).abs();
        using var mask = f.abs().gt(f.abs().max() * 1e-3);
        using var rel = d.masked_select(mask) / f.abs().masked_select(mask);
        return (rel.max().item<float>(), rel.mean().item<float>());
    }
}
