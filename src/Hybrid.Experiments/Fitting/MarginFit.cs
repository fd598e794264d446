using Hybrid.Training;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Margin;

/// <summary>The optimisation schedule of the control recipe.</summary>
/// <param name="Steps">Full-batch Nero steps (the authors: 500).</param>
/// <param name="Lr">Initial learning rate (0.01).</param>
/// <param name="Decay">Learning-rate factor per step (0.99: lr_t = lr·decay^t).</param>
public sealed record FitSchedule(int Steps = 500, double Lr = 0.01, double Decay = 0.99)
{
    /// <summary>Checks the values; the message names the option.</summary>
    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"--steps {Steps} must be >= 1.", "steps");
        if (!(Lr > 0) || !double.IsFinite(Lr)) throw new ArgumentException($"--lr {Lr} must be finite and > 0.", "lr");
        if (!(Decay > 0 && Decay <= 1)) throw new ArgumentException($"--decay {Decay} must be in (0, 1].", "decay");
    }

    /// <summary>
    /// The default decay for <paramref name="steps"/> steps: 0.99^(500/steps), so that the learning
    /// rate ends where the authors' 500 steps of ×0.99 end (lr·0.99⁵⁰⁰ ≈ 0.0066·lr) however many
    /// steps are taken; exactly 0.99 at 500 steps.
    /// </summary>
    public static double AuthorsDecay(int steps) => steps < 1 ? 0.99 : Math.Pow(0.99, 500.0 / steps);
}

/// <summary>What an ensemble fit produced, per member (all on the CPU, float64).</summary>
/// <param name="TrainOutputs">[k, n, outputs] after the last step.</param>
/// <param name="TestOutputs">[k, T, outputs].</param>
/// <param name="NormProducts">[k]: Π_l ‖W_l‖_F of each member.</param>
/// <param name="FinalLoss">[k]: ‖f(X) − targets‖_F of each member after the last step.</param>
/// <param name="Seconds">Wall time of the fit (training and evaluation).</param>
public sealed record FitResult(Tensor TrainOutputs, Tensor TestOutputs, Tensor NormProducts, double[] FinalLoss, double Seconds)
    : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        TrainOutputs.Dispose();
        TestOutputs.Dispose();
        NormProducts.Dispose();
    }
}

/// <summary>
/// The normalised-margin control recipe (SCIENCE.md Part I; alexfarhang/margin, jxbz/bpm): k
/// bias-free ReLU·√2 MLPs trained at once as an <see cref="EnsembleMlp"/> by the project's Nero
/// (constraints on, so every layer's rows stay zero-mean and unit-norm and Π‖W‖_F is fixed), full
/// batch, on the loss Σ_members ‖f(X) − targets‖_F (the norm, not its square, as in the authors'
/// code), learning rate lr·decay^t at step t = 0, 1, ….
/// </summary>
public static class MarginFit
{
    private const int EvalChunk = 2048;
    // a process-lifetime Scalar: an implicit one could be freed mid-call (TorchScalars)
    private static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

    /// <summary>
    /// Trains members initialised by <c>ModelFactory.Build(spec, seeds[i])</c> to their targets
    /// [k, n, outputs] on <paramref name="problem"/>'s training inputs, then evaluates them on the
    /// training and test inputs. Progress: one <see cref="ITrainingObserver.Batch"/> per step
    /// (the "epoch" is the step), with the mean member loss.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was cancelled (nothing is returned).</exception>
    public static FitResult Fit(MarginProblem problem, ModelSpec spec, IReadOnlyList<long> seeds, Tensor targets,
        FitSchedule schedule, ITrainingObserver observer, string name, CancellationToken cancel = default)
    {
        if (targets.dim() != 3 || targets.shape[0] != seeds.Count || targets.shape[1] != problem.N || targets.shape[2] != spec.Classes)
            throw new ArgumentException(
                $"targets must be [{seeds.Count}, {problem.N}, {spec.Classes}], got [{string.Join(", ", targets.shape)}].", nameof(targets));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var model = EnsembleMlp.Build(spec, seeds);
        using var opt = new Nero(model.parameters(), lr: schedule.Lr, ensembleDims: 1);
        int k = seeds.Count;
        observer.Started(name, 1, schedule.Steps, 1);
        for (int t = 0; t < schedule.Steps; ++t)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            foreach (var g in opt.ParamGroups) g.LearningRate = schedule.Lr * Math.Pow(schedule.Decay, t);
            opt.zero_grad();
            var residual = model.call(problem.TrainX) - targets;
            var perMember = residual.reshape(k, -1).norm(1);
            var loss = perMember.sum();
            loss.backward();
            opt.step();
            observer.Batch(t + 1, 0, loss.item<float>() / k);
        }
        using var noGrad = torch.no_grad();
        var train = Evaluate(model, problem.TrainX);
        var test = Evaluate(model, problem.TestX);
        using var finalLoss = (train - targets.to_type(ScalarType.Float64)).reshape(k, -1).norm(1);
        using var norms = model.LayerNorms();
        var products = norms.to_type(ScalarType.Float64).prod(1);
        return new FitResult(train, test, products, finalLoss.data<double>().ToArray(), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Outputs [k, N, outputs] (float64) of every member on <paramref name="x"/>, in chunks.</summary>
    public static Tensor Evaluate(EnsembleMlp model, Tensor x)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += EvalChunk)
        {
            using var chunk = x.narrow(0, start, Math.Min(EvalChunk, x.shape[0] - start));
            using var y = model.call(chunk);
            parts.Add(y.to_type(ScalarType.Float64));
        }
        var all = torch.cat(parts, 1);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>
    /// The normalised margin of every example under every member (SCIENCE.md Part I):
    /// γ = (f_y(x) − max_{j≠y} f_j(x)) / (Π_l ‖W_l‖_F · ‖x‖₂) with the true maximum over wrong
    /// classes; for one output (binary, y = ±1) γ = y·f(x) / (Π_l ‖W_l‖_F · ‖x‖₂).
    /// </summary>
    /// <param name="outputs">[k, N, outputs] (float64).</param>
    /// <param name="labels">[N] int64 classes.</param>
    /// <param name="inputs">[N, d] the inputs (for ‖x‖).</param>
    /// <param name="normProducts">[k] Π‖W_l‖_F.</param>
    /// <returns>[k, N] float64.</returns>
    public static Tensor NormalisedMargins(Tensor outputs, Tensor labels, Tensor inputs, Tensor normProducts)
    {
        using var scope = torch.NewDisposeScope();
        var xNorm = inputs.to_type(ScalarType.Float64).norm(1); // [N]
        Tensor raw;
        if (outputs.shape[2] == 1)
            raw = outputs.squeeze(2) * (labels.to_type(ScalarType.Float64) * TorchScalars.Two - TorchScalars.One);
        else
        {
            var index = labels.reshape(1, -1, 1).expand(outputs.shape[0], -1, 1);
            var correct = outputs.gather(2, index).squeeze(2);
            var isLabel = nn.functional.one_hot(labels, outputs.shape[2]).to_type(ScalarType.Bool).unsqueeze(0);
            var others = outputs.masked_fill(isLabel, NegativeInfinity); // the true max over wrong classes
            raw = correct - others.max(2).values;
        }
        return (raw / (normProducts.unsqueeze(1) * xNorm.unsqueeze(0))).MoveToOuterDisposeScope();
    }

    /// <summary>Predicted classes [k, N] from outputs [k, N, outputs] (binary: f &gt; 0 → class 1).</summary>
    public static Tensor Predictions(Tensor outputs) =>
        outputs.shape[2] == 1 ? outputs.squeeze(2).gt(TorchScalars.Zero).to_type(ScalarType.Int64) : outputs.argmax(2);
}
