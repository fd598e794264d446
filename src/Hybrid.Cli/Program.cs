using System.CommandLine;
using Hybrid.Cli.Commands;
using Hybrid.Experiments;
using Hybrid.Experiments.Runs;

namespace Hybrid.Cli;

/// <summary>Entry point of the <c>hybrid</c> command.</summary>
public static class Program
{
    /// <summary>Builds the command tree: info, sweep, one command per experiment of <paramref name="registry"/>
    /// (default <see cref="ExperimentRegistry.All"/>), then pareto (it reads a sweep's runs); exposed so tests can parse without running.</summary>
    public static RootCommand BuildRoot(IReadOnlyList<IExperiment>? registry = null)
    {
        var root = new RootCommand(
            "Hybrid: low-precision LNS synapses trained by multiplicative updates, compared with float32 training.");
        root.Subcommands.Add(InfoCommand.Build());
        root.Subcommands.Add(SweepCommand.Build());
        foreach (var experiment in registry ?? ExperimentRegistry.All) root.Subcommands.Add(ExperimentCommand.Build(experiment));
        root.Subcommands.Add(ParetoCommand.Build());
        return root;
    }

    /// <summary>Runs the command line. A parse error (an unknown option, a value that does not parse) is one line on stderr
    /// and exit code 2, like every other bad input (<see cref="ExitCodes.BadInput"/>).</summary>
    public static int Main(string[] args) => Run(BuildRoot(), args);

    /// <summary>Parses and runs <paramref name="args"/> with <paramref name="root"/>.</summary>
    public static int Run(RootCommand root, params string[] args)
    {
        var parse = root.Parse(args);
        return parse.Errors.Count > 0 ? CliErrors.Report(parse.Errors.Select(e => e.Message)) : parse.Invoke();
    }
}
