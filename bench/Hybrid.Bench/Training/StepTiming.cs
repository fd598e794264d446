using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Bench.Training;

/// <summary>What the training-step suites and their profiles share: one step, and a robust single-call timer.</summary>
internal static class StepTiming
{
    /// <summary>One training step: zero_grad, forward, cross-entropy, backward, the optimiser's update.</summary>
    public static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer opt, Tensor x, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        opt.zero_grad();
        var loss = nn.functional.cross_entropy(model.call(x), y);
        loss.backward();
        opt.step();
    }

    /// <summary>The lower quartile of <paramref name="calls"/> single calls after a warm-up (robust to a busy machine), in µs.</summary>
    public static double LowerQuartileMicroseconds(Action a, int calls)
    {
        for (int i = 0; i < Math.Max(3, calls / 10); i++) a();
        var t = new double[calls];
        var sw = new Stopwatch();
        for (int i = 0; i < calls; i++)
        {
            sw.Restart();
            a();
            t[i] = sw.Elapsed.TotalMicroseconds;
        }
        Array.Sort(t);
        return t[calls / 4];
    }
}
