using Hybrid.Training.Optimizers;
using TorchSharp;
using static Hybrid.Training.Tests.Optimizers.OptimizerTestKit;
using static Hybrid.Training.Tests.Optimizers.SuccessorKit;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>Muon (KellerJordan/Muon): the Newton–Schulz iteration, hand-computed steps, AdamW for the rest.</summary>
public class MuonTests
{
    // The reference's quintic p(x) = a x + b x³ + c x⁵ applied five times to a singular value of X = G/(‖G‖_F + 1e-7).
    private static double Ns5(double x)
    {
        for (int i = 0; i < 5; ++i) x = Muon.A * x + Muon.B * x * x * x + Muon.C * x * x * x * x * x;
        return x;
    }

    // Closed form of NS5: G = U·S·Vᵀ (SVD in double) gives U·p⁵(S/(‖S‖₂ + ε))·Vᵀ.
    private static Tensor Ns5ClosedForm(Tensor g)
    {
        var (u, s, vh) = torch.linalg.svd(g.to(ScalarType.Float64), fullMatrices: false);
        double fro = s.norm().item<double>() + Muon.NormEps;
        var mapped = torch.tensor(s.data<double>().ToArray().Select(v => Ns5(v / fro)).ToArray(), ScalarType.Float64);
        return u.matmul(torch.diag(mapped)).matmul(vh);
    }

    [TestCase(8, 5)]
    [TestCase(5, 8)]
    [TestCase(16, 16)]
    public void Ns5SingularValuesLandInThePublishedBand(int rows, int cols)
    {
        // For σᵢ/‖G‖_F in [0.01, 0.99] five steps of the quintic end in [0.6818, 1.1344] (scanned in double); a Gaussian
        // matrix of these sizes has its relative singular values well inside that range, so every one must land there.
        using var g = torch.randn(rows, cols, generator: new torch.Generator(11));
        using var o = Muon.NewtonSchulz5(g);
        var sv = torch.linalg.svdvals(o).data<float>().ToArray();
        Assert.That(sv, Has.All.InRange(0.68f, 1.14f));
        Assert.That(o.shape, Is.EqualTo(new long[] { rows, cols }));
    }

    [TestCase(4, 6)]
    [TestCase(6, 4)]
    public void Ns5MatchesItsClosedFormOnAKnownSvd(int rows, int cols)
    {
        // G = U·diag(3, 2, 1, 0.5)·Vᵀ with U, V orthonormal (QR of seeded Gaussians): NS5 acts on the singular values only.
        var gen = new torch.Generator(5);
        var (u, _) = torch.linalg.qr(torch.randn(rows, 4, generator: gen, dtype: ScalarType.Float64));
        var (v, _) = torch.linalg.qr(torch.randn(cols, 4, generator: gen, dtype: ScalarType.Float64));
        using var g = u.matmul(torch.diag(torch.tensor(new[] { 3.0, 2.0, 1.0, 0.5 }))).matmul(v.t());
        using var got = Muon.NewtonSchulz5(g.to(ScalarType.Float32));
        using var want = Ns5ClosedForm(g);
        Assert.That(got.to(ScalarType.Float64).allclose(want, rtol: 0, atol: 2e-5), Is.True,
            $"max |Δ| = {(got.to(ScalarType.Float64) - want).abs().max().item<double>():G3}");
    }

    [TestCase(3, 2)]
    [TestCase(2, 3)]
    public void TwoStepsMatchTheHandComputedUpdate(int rows, int cols)
    {
        // W [3, 2] (rows > cols: NS on the transpose, scale √(3/2)) or [2, 3] (scale 1), β = 0.95, Nesterov, lr 0.02:
        // step 1: m = 0.05·g1, u = 0.05·g1 + 0.95·m;  step 2: m ← 0.95·m + 0.05·g2, u = 0.05·g2 + 0.95·m;
        // W ← W − 0.02·√1.5·NS5(u) each time (closed form of NS5 from the SVD in double).
        var w0 = new[] { 0.3f, -0.2f, 0.1f, 0.4f, -0.5f, 0.25f };
        var p = Param(w0, rows, cols);
        double scale = Math.Sqrt(Math.Max(1, rows / (double)cols));
        using var opt = new Muon([new Muon.ParamGroup([p])]);
        var g1 = torch.tensor(new[] { 1.0, 2.0, -0.5, 0.3, 0.8, -1.2 }, ScalarType.Float64).reshape(rows, cols);
        var g2 = torch.tensor(new[] { -0.4, 0.9, 1.5, 0.2, -0.7, 0.6 }, ScalarType.Float64).reshape(rows, cols);
        SetGrad(p, g1.to(ScalarType.Float32));
        opt.step();
        var m = 0.05 * g1;
        var want = torch.tensor(w0.Select(x => (double)x).ToArray()).reshape(rows, cols) - 0.02 * scale * Ns5ClosedForm(0.05 * g1 + 0.95 * m);
        Assert.That(p.detach().to(ScalarType.Float64).allclose(want, rtol: 0, atol: 1e-6), Is.True, "step 1");
        SetGrad(p, g2.to(ScalarType.Float32));
        opt.step();
        m = 0.95 * m + 0.05 * g2;
        want = want - 0.02 * scale * Ns5ClosedForm(0.05 * g2 + 0.95 * m);
        Assert.That(p.detach().to(ScalarType.Float64).allclose(want, rtol: 0, atol: 2e-6), Is.True, "step 2");
    }

    [Test]
    public void HiddenMatricesGoToMuonAndEverythingElseToAdamW()
    {
        // Depth 3: fc1 (input) and out (head) are AdamW's with the biases; fc2, fc3 are Muon's. AdamW's first step is
        // −lr·g/(|g| + 1e-10) at lr = 0.015·lr_muon (3e-4 at the default 0.02); decoupled decay multiplies first.
        var spec = new OptimizerSpec("muon", 0.02);
        var (model, opt) = Make(spec, Spec(16, depth: 3));
        var kinds = GroupOptions<Muon.Options>(model, opt).ToDictionary(kv => kv.Key, kv => kv.Value.use_muon!.Value);
        Assert.That(kinds.Where(kv => kv.Value).Select(kv => kv.Key), Is.EquivalentTo(new[] { "fc2.weight", "fc3.weight" }));
        var lr = GroupLr(model, opt);
        Assert.That(lr["fc1.weight"], Is.EqualTo(3e-4).Within(1e-12));
        Assert.That(lr["fc2.weight"], Is.EqualTo(0.02));
        var w0 = Snapshot(model);
        Backward(model, opt, 1);
        var g = Grads(model);
        opt.step();
        var w1 = Snapshot(model);
        foreach (var name in new[] { "fc1.weight", "fc1.bias", "fc3.bias", "out.weight", "out.bias" })
            for (int i = 0; i < g[name].Length; ++i)
                Assert.That(w1[name][i], Is.EqualTo(w0[name][i] - 3e-4 * g[name][i] / (Math.Abs(g[name][i]) + 1e-10)).Within(1e-7), $"{name}[{i}]");
        // a Muon step moves the matrix by lr·NS5(u) (scale 1 for a square matrix): its nonzero singular values are
        // ~0.02·[0.68, 1.14]; a batch of 16 through ReLUs leaves the gradient rank-deficient, and zeros stay zero
        using var delta = torch.tensor(w1["fc2.weight"].Zip(w0["fc2.weight"], (a, b) => (float)(b - a)).ToArray()).reshape(16, 16);
        var sv = torch.linalg.svdvals(delta).data<float>().ToArray();
        Assert.That(sv.Where(v => v > 1e-6f), Has.All.InRange(0.02f * 0.6f, 0.02f * 1.2f));
        Assert.That(sv.Count(v => v > 1e-6f), Is.GreaterThanOrEqualTo(8), "most directions moved");
        opt.Dispose(); model.Dispose();
    }

    [Test]
    public void AdamLrAndWeightDecayOptionsReachTheirGroups()
    {
        var (model, opt) = Make(new OptimizerSpec("muon", 0.05, WeightDecay: 0.1) { AdamLr = 1e-3, NsSteps = 7 }, Spec(16, depth: 3));
        var o = GroupOptions<Muon.Options>(model, opt);
        Assert.That(GroupLr(model, opt)["out.weight"], Is.EqualTo(1e-3));
        Assert.That(o["fc2.weight"].ns_steps, Is.EqualTo(7));
        Assert.That(o["fc2.weight"].weight_decay, Is.EqualTo(0.1));
        Assert.That(o["out.bias"].weight_decay, Is.EqualTo(0.1));
        opt.Dispose(); model.Dispose();
    }

    [Test]
    public void AOneDimensionalParameterInAMuonGroupIsRefused()
    {
        var b = Param([1f, 2f]);
        var e = Assert.Throws<ArgumentException>(() => new Muon([new Muon.ParamGroup([b])]));
        Assert.That(e!.Message, Does.Contain("belongs in an AdamW group"));
        e = Assert.Throws<ArgumentException>(() => new Muon([new Muon.ParamGroup([Param([1f, 2f, 3f, 4f], 2, 2)])], momentum: 1));
        Assert.That(e!.Message, Does.Contain("momentum 1 must be in [0, 1)"));
    }

    [Test]
    public void AModelWithoutHiddenMatricesIsAllAdamW()
    {
        var (model, opt) = Make(new OptimizerSpec("muon"), Spec(16, depth: 1));
        Assert.That(GroupOptions<Muon.Options>(model, opt).Values.Select(o => o.use_muon), Is.All.False);
        opt.Dispose(); model.Dispose();
    }
}
