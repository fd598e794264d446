using System.Globalization;
using System.Text;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// μP's coordinate check (microsoft/mup <c>mup/coord_check.py</c>, <c>get_coord_data</c>; README "Coord Check"):
/// train models of several widths for a few steps on one fixed batch and record, before every step, the average
/// coordinate size l1 = mean |x| of every module's output. In a parametrisation that is right for the optimiser
/// the curves of l1 against width stay flat; in the standard parametrisation with Adam they grow with width
/// after the first step.
/// </summary>
/// <remarks>
/// As mup's defaults: the first batch is reused for every step, step t = 1 is measured at initialisation (before
/// any update), only l1 of module outputs is recorded, the loss is cross-entropy, and seed i seeds the i-th
/// repetition (here: the model's initialisation and, for optimisers that draw, their streams). Models come from
/// <see cref="ModelFactory"/> through <see cref="OptimizerCatalog.PrepareModel"/>, so <c>mup-adam</c> and
/// <c>mup-sgd</c> check their μP twins and every other optimiser the standard parametrisation. The network's
/// output (the logits) is recorded as module "output".
/// </remarks>
public static class CoordinateCheck
{
    /// <summary>Runs the check for <paramref name="template"/> at every width of <paramref name="widths"/>.</summary>
    /// <param name="template">The model; its width is replaced by each of <paramref name="widths"/>.</param>
    /// <param name="optimizer">The optimiser, by catalog spec.</param>
    /// <param name="widths">Hidden widths, each ≥ 1.</param>
    /// <param name="x">The fixed batch's inputs [B, ..input shape].</param>
    /// <param name="y">Its labels [B] (int64).</param>
    /// <param name="steps">Steps recorded (mup's nsteps, 3).</param>
    /// <param name="seeds">Repetitions, seeds 0…seeds−1 (mup's nseeds).</param>
    /// <exception cref="ArgumentException">A width, step count or seed count out of range, or a bad spec.</exception>
    public static CoordinateCheckResult Run(ModelSpec template, OptimizerSpec optimizer, IReadOnlyList<int> widths, Tensor x, Tensor y,
        int steps = 3, int seeds = 1)
    {
        if (widths.Count == 0 || widths.Any(w => w < 1)) throw new ArgumentException("widths must be non-empty, each >= 1.", nameof(widths));
        if (steps < 1) throw new ArgumentException($"steps {steps} must be >= 1.", nameof(steps));
        if (seeds < 1) throw new ArgumentException($"seeds {seeds} must be >= 1.", nameof(seeds));
        OptimizerCatalog.Validate(optimizer);
        var records = new List<CoordinateRecord>();
        for (int seed = 0; seed < seeds; ++seed)
            foreach (int width in widths)
                RunOne(template with { Width = width }, optimizer, seed, x, y, steps, records);
        return new CoordinateCheckResult(optimizer.Key, records);
    }

    private static void RunOne(ModelSpec spec, OptimizerSpec optimizerSpec, int seed, Tensor x, Tensor y, int steps, List<CoordinateRecord> records)
    {
        using var model = OptimizerCatalog.PrepareModel(optimizerSpec, ModelFactory.Build(spec, seed));
        using var optimizer = OptimizerCatalog.Create(optimizerSpec, model, (ulong)seed);
        for (int t = 1; t <= steps; ++t)
        {
            var hooks = new List<Action>();
            int step = t;
            foreach (var (name, module) in model.named_modules())
                if (module is nn.Module<Tensor, Tensor> m)
                {
                    var remover = m.register_forward_hook((_, _, output) =>
                    {
                        records.Add(new CoordinateRecord(spec.Width, seed, step, name, L1(output)));
                        return null!;
                    });
                    hooks.Add(remover.remove);
                }
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.call(x);
            records.Add(new CoordinateRecord(spec.Width, seed, step, "output", L1(logits)));
            var loss = nn.functional.cross_entropy(logits, y);
            loss.backward();
            optimizer.step();
            foreach (var remove in hooks) remove();
        }
    }

    private static double L1(Tensor t)
    {
        using var noGrad = torch.no_grad();
        using var a = t.abs();
        using var m = a.mean();
        return m.item<float>();
    }
}

/// <summary>One measurement: width, seed, step (1 = at initialisation), module and its output's mean |x|.</summary>
public sealed record CoordinateRecord(int Width, int Seed, int Step, string Module, double L1);

/// <summary>A coordinate check's records, with the seed means and the slope of log l1 against log width.</summary>
public sealed class CoordinateCheckResult(string optimizer, IReadOnlyList<CoordinateRecord> records)
{
    /// <summary>The optimiser checked.</summary>
    public string Optimizer { get; } = optimizer;

    /// <summary>Every measurement.</summary>
    public IReadOnlyList<CoordinateRecord> Records { get; } = records;

    /// <summary>Modules in the order first recorded.</summary>
    public IReadOnlyList<string> Modules => Records.Select(r => r.Module).Distinct().ToList();

    /// <summary>Widths, ascending.</summary>
    public IReadOnlyList<int> Widths => Records.Select(r => r.Width).Distinct().Order().ToList();

    /// <summary>Steps, ascending.</summary>
    public IReadOnlyList<int> Steps => Records.Select(r => r.Step).Distinct().Order().ToList();

    /// <summary>The mean l1 over seeds of one module at one width and step.</summary>
    public double Mean(string module, int width, int step)
    {
        var v = Records.Where(r => r.Module == module && r.Width == width && r.Step == step).Select(r => r.L1).ToList();
        return v.Count > 0 ? v.Average() : throw new ArgumentException($"no record of module '{module}' at width {width}, step {step}.");
    }

    /// <summary>
    /// The least-squares slope of log(mean l1) against log(width) for one module at one step: 0 is flat, 1 is
    /// l1 ∝ width. NaN when fewer than two widths were run or a mean is 0.
    /// </summary>
    public double Slope(string module, int step)
    {
        var points = Widths.Select(w => (X: Math.Log(w), Y: Math.Log(Mean(module, w, step)))).ToList();
        if (points.Count < 2 || points.Any(p => !double.IsFinite(p.Y))) return double.NaN;
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxy = points.Sum(p => (p.X - mx) * (p.Y - my)), sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxy / sxx;
    }

    /// <summary>The records as CSV (width,seed,step,module,l1), invariant culture.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("width,seed,step,module,l1\n");
        foreach (var r in Records)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Width},{r.Seed},{r.Step},{r.Module},{r.L1:R}\n");
        return sb.ToString();
    }
}
