using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Optimizers;

/// <summary>
/// Issue 15 item 2: lns-madam (now lns-madam-sim) crashed about one run in ten with "For integral input
/// tensors, argument alpha must not be a floating point number" or "Expected false to be true …
/// toDouble". Cause: TorchSharp 0.107's <c>Scalar</c> is a raw native pointer with a finalizer, and
/// its tensor methods pass <c>scalar.Handle</c> to P/Invoke without keeping the Scalar alive
/// (<c>add_(Tensor)</c> even makes its own alpha = 1). A Scalar made by an implicit conversion
/// (<c>t.mul_(0.5)</c>) is garbage as soon as its handle is read, so a GC during the native call
/// lets the finalizer thread free it while libtorch reads it — and the freed block is soon another
/// (float) Scalar. These tests step every optimiser and layer while another thread forces
/// collections and finalizers without pause: any Scalar left to the finalizer shows up as an
/// exception or as weights that differ from a calm run.
/// </summary>
public class ScalarLifetimeTests
{
    private static (nn.Module<Tensor, Tensor> Model, optim.Optimizer Optimizer) Build(string name)
    {
        var spec = new ModelSpec(ModelKind.Mlp, [12], 3, Depth: 1, Width: 24);
        var optimizerSpec = new OptimizerSpec(name);
        var model = OptimizerCatalog.PrepareModel(optimizerSpec, ModelFactory.Build(spec, 5));
        return (model, OptimizerCatalog.Create(optimizerSpec, model, 5));
    }

    private static float[] Train(string name, int steps, Func<nn.Module<Tensor, Tensor>, optim.Optimizer>? optimizerFor = null)
    {
        var (model, optimizer) = Build(name);
        if (optimizerFor is not null)
        {
            optimizer.Dispose();
            optimizer = optimizerFor(model);
        }
        using var _ = model;
        using var __ = optimizer;
        var g = new Generator(7);
        using var x = torch.randn([32, 12], generator: g);
        using var y = torch.randint(0, 3, [32], generator: g);
        for (int i = 0; i < steps; ++i)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
            optimizer.step();
        }
        return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }

    [Test]
    public void EveryOptimiserStepsTheSameUnderConstantGarbageCollection([ValueSource(typeof(OptimizerCatalog), nameof(OptimizerCatalog.Names))] string name)
    {
        const int steps = 20;
        var calm = Train(name, steps);
        using var stop = new CancellationTokenSource();
        var collector = Collector(stop.Token, pause: TimeSpan.FromMicroseconds(20));
        try
        {
            float[] stressed = [];
            Assert.DoesNotThrow(() => stressed = Train(name, steps));
            Assert.That(stressed, Is.EqualTo(calm), "a collection during a step must not change the step");
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }

    /// <summary>A thread that collects without pause (or with a busy <paramref name="pause"/> between collections), as a
    /// busy allocating thread would make the GC do. Without a pause each collection suspends the stepping thread again
    /// before it moves on, and how long 20 steps then take depends on the scheduler (on one 2-core machine madam's case
    /// alone once took 4 min, the 13 cases 2.5 min in another run); with 20 µs the harness below still caught TorchSharp's implicit alpha after 9980 calls (4.2 s), and the
    /// 13 optimisers' runs took 15 s in all (a 5 µs pause: 40 s; none: 2.5 min and once 7).</summary>
    private static Thread Collector(CancellationToken stop, TimeSpan pause = default)
    {
        var t = new Thread(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(0);
                if (pause <= TimeSpan.Zero) continue;
                var until = clock.Elapsed + pause;
                while (clock.Elapsed < until) Thread.SpinWait(20);
            }
        }) { IsBackground = true };
        t.Start();
        return t;
    }

    /// <summary>
    /// Whether the collector thread catches TorchSharp's own implicit alpha within 20 s depends on the scheduler: on a
    /// loaded 2-core machine it once saw no failure in 94 s (issue 22 item 17). CI must not pass or fail by chance, so
    /// this runs only when asked for (<c>dotnet test --filter Name=TheHarnessCatchesAnImplicitScalar</c>); the rule it
    /// backs is held deterministically by <see cref="ScalarRuleTests"/>, which compiles every source that calls TorchSharp.
    /// </summary>
    [Test, Explicit("timing-dependent: the collector must hit a native call's window; the rule itself is ScalarRuleTests")]
    public void TheHarnessCatchesAnImplicitScalar()
    {
        // the harness can fail: TorchSharp's own add_(Tensor), whose alpha Scalar nobody keeps alive,
        // goes wrong under it within seconds (an exception, or a sum that is not 1 per call)
        using var stop = new CancellationTokenSource();
        var collector = Collector(stop.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long calls = 0;
        string? failure = null;
        using var k = torch.zeros(64, ScalarType.Int32);
        using var one = torch.ones(64, ScalarType.Int32);
        try
        {
            while (failure is null && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                for (int i = 0; i < 1000; ++i, ++calls) k.add_(one);
                // a Scalar passed by keeping it alive is the control: one_ is the same value, never freed early
                if (k[0].item<int>() != calls) failure = $"sum {k[0].item<int>()} after {calls} calls";
            }
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            failure = e.Message.Split('\n')[0];
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        TestContext.Out.WriteLine($"after {calls} calls in {clock.Elapsed.TotalSeconds:F1} s: {failure ?? "no failure"}");
        Assert.That(failure, Is.Not.Null, "TorchSharp's implicit alpha survived constant collections: the harness would not catch the bug");
    }

    [Test]
    public void KeptScalarsAdamAndSgdStepExactlyLikeTorchSharps()
    {
        // the catalog's adam and sgd are TorchSharp's classes with only the Scalars' lifetime changed
        Assert.That(Train("adam", 20), Is.EqualTo(Train("adam", 20, m => torch.optim.Adam(m.parameters(), 1e-3, 0.9, 0.999, 1e-8, 0))));
        Assert.That(Train("sgd", 20), Is.EqualTo(Train("sgd", 20, m => torch.optim.SGD(m.parameters(), 0.1, 0.9))));
        Assert.That(Train("sgd", 20, m => new KeptScalarsSgd(m.parameters(), 0.05, 0.5, 1e-3)),
            Is.EqualTo(Train("sgd", 20, m => torch.optim.SGD(m.parameters(), 0.05, 0.5, weight_decay: 1e-3))));
        Assert.That(Train("adam", 20, m => new KeptScalarsAdam(m.parameters(), 1e-2, 0.8, 0.99, 1e-6, 1e-3)),
            Is.EqualTo(Train("adam", 20, m => torch.optim.Adam(m.parameters(), 1e-2, 0.8, 0.99, 1e-6, 1e-3))));
    }
}
