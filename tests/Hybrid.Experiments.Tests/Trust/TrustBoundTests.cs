using Hybrid.Experiments.Data;
using Hybrid.Experiments.Points;
using Hybrid.Experiments.Trust;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Tests;

/// <summary>
/// Deep relative trust measured: the radial direction meets the product bound exactly, random
/// perturbations of small nets stay under it, and the curvature slice moves and restores weights.
/// </summary>
public class TrustBoundTests
{
    private static readonly DataSpec Data = new("teacher");

    private static readonly Lazy<DataSet> Inputs = new(() => Synthetic.Teacher(new TeacherOptions(Train: 64, Test: 1, Dim: 20), seed: 5));

    private static (List<Tensor> Weights, Tensor X, Tensor Y) Net(BoundPoint p) =>
        (TrustBound.Weights(p, Inputs.Value.InputShape, Inputs.Value.Classes), Inputs.Value.TrainX, Inputs.Value.TrainY);

    [TestCase(1), TestCase(2), TestCase(3), TestCase(8), TestCase(16)]
    public void RadialPerturbationMeetsTheProductBoundToFloatPrecision(int layers)
    {
        var p = new BoundPoint(layers, 24, [1e-3, 1e-2, 1e-1, 0.5], ["radial"], 32, Seed: layers, Data);
        var (w, x, y) = Net(p);
        foreach (var r in TrustBound.Measure(p, w, x, y))
        {
            double exact = Math.Pow(1 + r.Epsilon, layers) - 1;
            Assert.That(r.Product, Is.EqualTo(exact).Within(1e-9).Percent, "the bound's own value");
            Assert.That(r.Ratio, Is.EqualTo(1.0).Within(1e-10), $"ε = {r.Epsilon}: f scales by exactly (1+ε)^L");
            Assert.That(r.MaxExampleChange, Is.EqualTo(exact).Within(1e-10).Percent, "and so does every single output");
        }
    }

    [Test]
    public void RandomPerturbationsOfSmallNetsStayUnderTheBound()
    {
        foreach (int layers in new[] { 2, 3, 4, 6 })
            for (int seed = 0; seed < 5; ++seed)
            {
                var p = new BoundPoint(layers, 32, [1e-3, 1e-2, 1e-1], ["random"], 64, seed, Data);
                var (w, x, y) = Net(p);
                foreach (var r in TrustBound.Measure(p, w, x, y))
                {
                    Assert.That(r.Ratio, Is.GreaterThan(0).And.LessThanOrEqualTo(1.0), $"L = {layers}, seed {seed}, ε = {r.Epsilon}");
                    Assert.That(r.Sum, Is.EqualTo(layers * r.Epsilon).Within(1e-9).Percent, "every layer moved by ε exactly");
                }
            }
    }

    [Test]
    public void TheGradientDirectionIsADescentDirection()
    {
        var p = new BoundPoint(3, 32, [1e-4], ["gradient"], 64, 1, Data);
        var (w, x, y) = Net(p);
        using var x64 = x.to_type(ScalarType.Float64);
        double before = nn.functional.cross_entropy(TrustBound.Forward(w, x64), y).item<double>();
        // the same construction as Measure: ΔW_k = −ε‖W_k‖ g_k/‖g_k‖
        var leaves = w.Select(t => t.detach().requires_grad_(true)).ToList();
        var grads = torch.autograd.grad([nn.functional.cross_entropy(TrustBound.Forward(leaves, x64), y)], leaves);
        var moved = w.Select((t, k) => t - 1e-4 * t.norm() / grads[k].norm() * grads[k]).ToList();
        double after = nn.functional.cross_entropy(TrustBound.Forward(moved, x64), y).item<double>();
        Assert.That(after, Is.LessThan(before));
        Assert.That(TrustBound.Measure(p, w, x, y).Single().Change, Is.GreaterThan(0));
    }

    [Test]
    public void ASliceStartsAtTheModelsOwnLossAndRestoresItsWeights()
    {
        var spec = new ModelSpec(ModelKind.Mlp, [20], 10, Depth: 2, Width: 16);
        using var model = ModelFactory.Build(spec, seed: 3);
        using var data = Synthetic.Teacher(new TeacherOptions(Train: 128, Test: 1, Dim: 20), seed: 1);
        var before = model.parameters().Select(q => q.detach().clone()).ToList();
        var curve = CurvatureSlices.Slice(model, [0.05, 0.01, 0.2], 0, 0, data.TrainX, data.TrainY);
        Assert.That(curve.Moves, Is.EqualTo(new[] { 0, 0.01, 0.05, 0.2 }));
        using (no_grad())
            Assert.That(curve.Loss[0], Is.EqualTo(nn.functional.cross_entropy(model.call(data.TrainX), data.TrainY).item<float>()).Within(1e-5));
        Assert.That(curve.GradChange[0], Is.EqualTo(0));
        Assert.That(curve.GradChange.Skip(1), Is.All.GreaterThan(0));
        Assert.That(curve.Loss[1], Is.LessThan(curve.Loss[0]), "a small step along −G lowers the loss");
        var after = model.parameters().ToList();
        for (int k = 0; k < after.Count; ++k) Assert.That(after[k].equal(before[k]).all().item<bool>(), Is.True, "weights restored");
    }
}
