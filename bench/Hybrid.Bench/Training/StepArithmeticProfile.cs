
namespace Hybrid.Bench.Training;

/// <summary>
/// The steps of <see cref="StepArithmeticBenchmarks"/> (float32 Adam, full LNS fast and exact, FP8 Adam) timed
/// in one process with a Stopwatch, lower quartile of single calls (robust to a busy machine), in ms — a
/// cross-check of the BenchmarkDotNet short job, whose three iterations are few for steps of 10–100 ms.
/// <code>dotnet run -c Release --project bench/Hybrid.Bench -- arith-profile [calls]</code>
/// </summary>
public static class StepArithmeticProfile
{
    /// <summary>Runs the profile and prints its table; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        int calls = args.Length > 0 ? int.Parse(args[0]) : 60;
        var b = new StepArithmeticBenchmarks();
        b.Setup();
        try
        {
            double adam = Time(b.Float32Adam, calls);
            Console.WriteLine($"lower quartile of {calls} calls, ms");
            Console.WriteLine();
            Console.WriteLine("| step | ms | ÷ float32 Adam |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine($"| float32 Adam | {adam:F2} | 1.00 |");
            foreach (var (name, step) in new (string, Action)[] { ("full LNS, fast", b.FullLnsFast), ("full LNS, exact", b.FullLnsExact), ("FP8 Adam", b.Fp8Adam) })
            {
                double t = Time(step, name.Contains("exact") ? Math.Max(10, calls / 5) : calls);
                Console.WriteLine($"| {name} | {t:F2} | {t / adam:F2} |");
            }
            return 0;
        }
        finally
        {
            b.Cleanup();
        }
    }

    private static double Time(Action a, int calls) => StepTiming.LowerQuartileMicroseconds(a, calls) / 1000;
}
