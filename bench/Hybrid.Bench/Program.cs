using BenchmarkDotNet.Running;
using Hybrid.Bench;
using Hybrid.Bench.Accuracy;
using Hybrid.Bench.Training;

// Hybrid's benchmark suites (BenchmarkSwitcher: --filter, --job, --list etc. from the command
// line). bench/run.sh runs them all with the short job; CI runs them once with --job Dry.
// Exit status 1 when a benchmark failed or nothing ran, so a rotted benchmark fails CI.
// `random-bits [epochs] [seeds] [bits]` instead trains the LNS model once per number of random bits
// (the accuracy side of that decision; Accuracy/RandomBitsAccuracy.cs).
// `training-profile [bits] [threads] [calls]` times a training step's pieces (Training/TrainingStepProfile.cs);
// `arith-profile [calls]` times the full-LNS and FP8 steps in one process (Training/StepArithmeticProfile.cs).
if (args.Length > 0 && args[0] == "random-bits") return RandomBitsAccuracy.Run(args[1..]);
if (args.Length > 0 && args[0] == "training-profile") return TrainingStepProfile.Run(args[1..]);
if (args.Length > 0 && args[0] == "arith-profile") return StepArithmeticProfile.Run(args[1..]);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly)
    .Run(args, BenchConfig.Create(BenchConfig.RepoRoot()))
    .ToList();
if (args.Any(a => a is "--list" or "--help" or "-h" or "--version" or "--info")) return 0;
var failed = summaries.SelectMany(s => s.Reports.Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo))
    .Concat(summaries.Where(s => s.HasCriticalValidationErrors).Select(s => $"{s.Title}: validation errors"))
    .ToList();
if (summaries.Sum(s => s.Reports.Length) == 0)
{
    Console.Error.WriteLine("hybrid-bench: no benchmark ran (check --filter).");
    return 1;
}
foreach (var f in failed) Console.Error.WriteLine($"hybrid-bench: FAILED {f}");
return failed.Count == 0 ? 0 : 1;
