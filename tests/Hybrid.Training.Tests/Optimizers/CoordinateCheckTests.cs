using System.Globalization;
using System.Text;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>μP's coordinate check (mup/coord_check.py): flat in μP with μP's Adam, growing with width in SP with Adam.</summary>
public class CoordinateCheckTests
{
    private static readonly int[] Widths = [64, 128, 256, 512];
    private static readonly ModelSpec Template = new(ModelKind.Mlp, [32], 10, Depth: 2, Width: 64);

    private static (Tensor X, Tensor Y) Batch()
    {
        var gen = new torch.Generator(17);
        return (torch.randn(64, 32, generator: gen), torch.randint(0, 10, [64], generator: gen));
    }

    private static CoordinateCheckResult Check(OptimizerSpec spec)
    {
        var (x, y) = Batch();
        using (x)
        using (y)
            return CoordinateCheck.Run(Template, spec, Widths, x, y, steps: 3, seeds: 2);
    }

    [Test]
    public void StandardAdamBlowsUpWithWidthAndMupAdamStaysFlat()
    {
        // lr 0.01 (mup's tip: a large lr shows what a small one hides). After one Adam step in SP the hidden and output
        // coordinates grow about ∝ width (Δ(W·h) ~ lr·n per coordinate); in μP (base 64) they do not.
        var sp = Check(new OptimizerSpec("adam", 0.01));
        var mu = Check(new OptimizerSpec("mup-adam", 0.01) { BaseWidth = 64 });
        Report(sp);
        Report(mu);
        foreach (var module in new[] { "fc2", "out", "output" })
            Assert.That(sp.Slope(module, 3), Is.GreaterThan(0.5), $"SP {module}: l1 grows with width");
        foreach (var module in new[] { "fc1", "act1", "fc2", "act2", "out", "output" })
            Assert.That(Math.Abs(mu.Slope(module, 3)), Is.LessThan(0.2), $"μP {module}: l1 flat in width");
        Assert.That(mu.Slope("fc1", 1), Is.EqualTo(sp.Slope("fc1", 1)).Within(1e-12), "at initialisation the input layer is the same");
    }

    [Test]
    public void RecordsEveryModuleAtEveryWidthStepAndSeed()
    {
        var r = Check(new OptimizerSpec("sgd", 0.1));
        Assert.That(r.Widths, Is.EqualTo(Widths));
        Assert.That(r.Steps, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(r.Modules, Is.SupersetOf(new[] { "flatten", "fc1", "act1", "fc2", "act2", "out", "output" }));
        Assert.That(r.Records, Has.Count.EqualTo(Widths.Length * 3 * 2 * r.Modules.Count));
        Assert.That(r.ToCsv().Split('\n')[0], Is.EqualTo("width,seed,step,module,l1"));
        Assert.Throws<ArgumentException>(() => CoordinateCheck.Run(Template, new OptimizerSpec("adam"), [0], Batch().X, Batch().Y));
    }

    /// <summary>
    /// The coordinate-check report (CSV per optimiser and a markdown table of slopes) for μP's and SP's Adam and SGD on
    /// Fashion-MNIST's first 64 training images when installed (else the synthetic batch), widths 64…1024. Writes to
    /// $HYBRID_COORD_CHECK_DIR (default: the test's work directory). Run with
    /// <c>dotnet test tests/Hybrid.Training.Tests -c Release --filter Name=CoordinateCheckReport</c>.
    /// </summary>
    [Test, Explicit("writes the coordinate-check report; minutes on two cores")]
    public void CoordinateCheckReport()
    {
        var dir = Environment.GetEnvironmentVariable("HYBRID_COORD_CHECK_DIR") ?? TestContext.CurrentContext.WorkDirectory;
        Directory.CreateDirectory(dir);
        int[] widths = [64, 128, 256, 512, 1024];
        var (x, y, template, source) = ReportBatch();
        var md = new StringBuilder($"# Coordinate check ({source}; MLP depth 2, widths {string.Join(", ", widths)}, 3 steps, 3 seeds)\n\n");
        md.Append("Slope of log mean|x| against log width per module (0 = flat, 1 = ∝ width), at steps 1 (init), 2, 3.\n\n");
        md.Append("| optimiser | lr | module | t=1 | t=2 | t=3 |\n|---|---:|---|---:|---:|---:|\n");
        foreach (var spec in new[]
                 {
                     new OptimizerSpec("adam", 0.01), new OptimizerSpec("mup-adam", 0.01) { BaseWidth = 64 },
                     new OptimizerSpec("sgd", 0.1), new OptimizerSpec("mup-sgd", 0.1) { BaseWidth = 64 },
                 })
        {
            var r = CoordinateCheck.Run(template, spec, widths, x, y, steps: 3, seeds: 3);
            File.WriteAllText(Path.Combine(dir, $"coord-check-{spec.Key}.csv"), r.ToCsv());
            foreach (var m in r.Modules.Where(m => m != "flatten"))
                md.Append(CultureInfo.InvariantCulture,
                    $"| {spec.Key} | {spec.EffectiveLr:G3} | {m} | {r.Slope(m, 1):F2} | {r.Slope(m, 2):F2} | {r.Slope(m, 3):F2} |\n");
        }
        File.WriteAllText(Path.Combine(dir, "coord-check.md"), md.ToString());
        TestContext.Out.WriteLine(md.ToString());
    }

    private static (Tensor X, Tensor Y, ModelSpec Template, string Source) ReportBatch()
    {
        if (Hybrid.Training.Data.DataSets.FashionMnistInstalled)
        {
            var data = Hybrid.Training.Data.DataSets.Resolve(null, new Hybrid.Training.Data.DataOptions(Flatten: true)).Data;
            var x = data.TrainX[..64].to(ScalarType.Float32);
            x = (x - x.mean()) / x.std();
            return (x, data.TrainY[..64], new ModelSpec(ModelKind.Mlp, [x.shape[1]], data.Classes, 2, 64), "Fashion-MNIST, first 64 training images, standardised");
        }
        var (sx, sy) = Batch();
        return (sx, sy, Template, "synthetic Gaussian batch of 64, 32 features");
    }

    private static void Report(CoordinateCheckResult r)
    {
        foreach (var m in r.Modules)
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Optimizer} {m}: slopes {r.Slope(m, 1):F2} {r.Slope(m, 2):F2} {r.Slope(m, 3):F2}"));
    }
}
