using SharpFuzz;

namespace Hybrid.Fuzz;

/// <summary>
/// <c>Hybrid.Fuzz &lt;target&gt;</c>: runs a target under afl-fuzz (SharpFuzz's out-of-process loop; without AFL it
/// reads one input from stdin). <c>Hybrid.Fuzz &lt;target&gt; FILE…</c>: replays files (a crash reproduces with its stack).
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args is ["--write-seeds", var dir])
        {
            Seeds.Write(dir);
            return 0;
        }
        if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: Hybrid.Fuzz <target> [file…]; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
            return 2;
        }
        if (args.Length > 1)
        {
            foreach (var file in args.Skip(1)) target(File.ReadAllBytes(file));
            return 0;
        }
        // load TorchSharp and build the tiny model before AFL's first timed input (seconds on a busy machine); no
        // instrumented code may run before Fuzzer.OutOfProcess.Run has mapped AFL's coverage map
        FuzzTargets.Warm();
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            target(ms.ToArray());
        });
        return 0;
    }
}
