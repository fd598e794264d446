using Hybrid.Synapse.Backends;
using Hybrid.Training;
using Hybrid.Training.Optimizers;
using TorchSharp;

namespace Hybrid.Bench.Training;

/// <summary>
/// Where a training step's time goes (issue 13's LNS ≤ 1.1× Adam target): the models and batch of
/// <see cref="TrainingStepBenchmarks"/>, each piece timed on its own with a Stopwatch — the whole
/// step, forward + backward, the optimiser's update, and inside the LNS update every layer's synapse
/// step and decode. A profile to read next to the BenchmarkDotNet run, not a benchmark: each number
/// is the lower quartile of single calls (robust to a busy machine), in µs.
/// <code>
/// dotnet run -c Release --project bench/Hybrid.Bench -- training-profile [bits] [threads] [calls]
/// </code>
/// Defaults: B = 8, 1 thread (TorchSharp and libhybrid alike; 0 = their defaults), 200 calls per piece.
/// </summary>
public static class TrainingStepProfile
{
    /// <summary>Runs the profile and prints its table; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        int bits = args.Length > 0 ? int.Parse(args[0]) : 8;
        int threads = args.Length > 1 ? int.Parse(args[1]) : 1;
        int calls = args.Length > 2 ? int.Parse(args[2]) : 200;
        var b = new TrainingStepBenchmarks { Bits = bits, Threads = threads };
        b.Setup();
        try
        {
            var lns = b.LnsOptimizer;
            var settings = lns.Settings with { Step = 5 };
            b.LnsForwardBackward();
            var grads = lns.Layers.Select(l => TensorMemory.Float32(l.Weight.grad!, "gradient").ToArray()).ToList();
            double synapse = lns.Layers.Select((l, i) => Time(() => l.Synapses.Step(settings, grads[i]), calls)).Sum();
            double decode = lns.Layers.Select(l => Time(l.Decode, calls)).Sum();
            var rows = new (string Piece, double Adam, double Lns)[]
            {
                ("whole step", Time(b.Float32Adam, calls), Time(b.LnsSynapses, calls)),
                ("zero_grad + forward + backward", Time(b.AdamForwardBackward, calls), Time(b.LnsForwardBackward, calls)),
                ("update (optimiser step)", Time(b.AdamUpdate, calls), Time(b.LnsUpdate, calls)),
                ("  of which synapse steps", double.NaN, synapse),
                ("  of which decodes", double.NaN, decode),
            };
            long synapses = lns.Layers.Sum(l => l.Synapses.Count);
            Console.WriteLine($"B = {bits}, {threads} thread(s), {lns.Layers.Count} LNS layers, {synapses} synapses, " +
                              $"lower quartile of {calls} calls, µs");
            Console.WriteLine();
            Console.WriteLine("| piece | float32 Adam | LNS | LNS ÷ Adam |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (var (piece, adam, l) in rows)
                Console.WriteLine(double.IsNaN(adam)
                    ? $"| {piece} | | {l:F1} ({l * 1000 / synapses:F2} ns/synapse) | |"
                    : $"| {piece} | {adam:F1} | {l:F1} | {l / adam:F2} |");
            return 0;
        }
        finally
        {
            b.Cleanup();
        }
    }

    private static double Time(Action a, int calls) => StepTiming.LowerQuartileMicroseconds(a, calls);
}
