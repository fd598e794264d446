using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Runs;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary><c>hybrid info</c>: versions, the native build, and which backends run here and why not.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var json = new Option<bool>("--json") { Description = "Print the information as JSON instead of tables." };
        var command = new Command("info", "Show versions, the native library's build and which backends are available.");
        command.Options.Add(json);
        command.SetAction(parse => Run(parse.GetValue(json)));
        return command;
    }

    private static int Run(bool asJson)
    {
        var r = RunEnvironment.Capture();
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var about = new List<IReadOnlyList<string>>
        {
            new[] { "version", r.Hybrid }, new[] { "runtime", r.DotNet }, new[] { "os", r.Os },
            new[] { "cpu", $"{r.Cpu} ({r.LogicalCpus} logical)" },
        };
        if (r.Native is { } n)
        {
            about.Add(["libhybrid", $"{n.Version} (ABI {n.Abi}), {n.BuildType}, {n.Compiler}"]);
            about.Add(["cpu kernels", $"{n.Simd}, {n.Threading}, {n.Threads} threads" + (n.Sanitizers ? ", ASan+UBSan" : "")]);
            about.Add(["cuda", n.CudaCompiled ? $"compiled in (CUDA {n.CudaVersion})" : "not compiled in"]);
            about.Add(["loaded from", n.LoadedFrom]);
        }
        about.Add(["torchsharp", $"{r.TorchSharp}: {r.TorchRuntimeDetail}"]);
        about.Add(["libtorch threads", $"{r.TorchThreads} intra-op, OMP_WAIT_POLICY={r.OmpWaitPolicy ?? "unset"}"]);
        about.Add(["torchsharp runtime", Hybrid.Training.TorchSharpRuntime.Description]);
        Tables.Write(["Hybrid", ""], about);
        Tables.Write(["backend", "available", "detail"], r.Backends.Select(b => (IReadOnlyList<string>)[b.Name, b.Available ? "yes" : "no", b.Detail]));
        return 0;
    }
}
