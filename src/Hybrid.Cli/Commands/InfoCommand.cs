using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
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
        var about = new Table().Border(TableBorder.Rounded).AddColumn("Hybrid").AddColumn("");
        about.AddRow("version", Markup.Escape(r.Hybrid));
        about.AddRow("runtime", Markup.Escape(r.DotNet));
        about.AddRow("os", Markup.Escape(r.Os));
        about.AddRow("cpu", Markup.Escape($"{r.Cpu} ({r.LogicalCpus} logical)"));
        if (r.Native is { } n)
        {
            about.AddRow("libhybrid", Markup.Escape($"{n.Version} (ABI {n.Abi}), {n.BuildType}, {n.Compiler}"));
            about.AddRow("cpu kernels", Markup.Escape($"{n.Simd}, {n.Threading}, {n.Threads} threads" +
                                                      (n.Sanitizers ? ", ASan+UBSan" : "")));
            about.AddRow("cuda", Markup.Escape(n.CudaCompiled ? $"compiled in (CUDA {n.CudaVersion})" : "not compiled in"));
            about.AddRow("loaded from", Markup.Escape(n.LoadedFrom));
        }
        about.AddRow("torchsharp", Markup.Escape($"{r.TorchSharp}: {r.TorchRuntimeDetail}"));
        AnsiConsole.Write(about);

        var backends = new Table().Border(TableBorder.Rounded).AddColumn("backend").AddColumn("available").AddColumn("detail");
        foreach (var b in r.Backends)
            backends.AddRow(Markup.Escape(b.Name), b.Available ? "[green]yes[/]" : "[yellow]no[/]", Markup.Escape(b.Detail));
        AnsiConsole.Write(backends);
        return 0;
    }
}
