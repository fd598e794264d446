using System.CommandLine;
using Hybrid.Cli.Commands;

namespace Hybrid.Cli;

/// <summary>Entry point of the <c>hybrid</c> command.</summary>
public static class Program
{
    /// <summary>Builds the command tree; exposed so tests can parse without running.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "Hybrid: low-precision LNS synapses trained by multiplicative updates, compared with float32 training.");
        root.Subcommands.Add(InfoCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(CompareCommand.Build());
        root.Subcommands.Add(CostCommand.Build());
        root.Subcommands.Add(MarginCommand.Build());
        root.Subcommands.Add(MarginAttackCommand.Build());
        root.Subcommands.Add(BpmCommand.Build());
        root.Subcommands.Add(UncertaintyCommand.Build());
        root.Subcommands.Add(TrustCommand.Build());
        root.Subcommands.Add(DepthCommand.Build());
        root.Subcommands.Add(TransferCommand.Build());
        root.Subcommands.Add(SweepCommand.Build());
        root.Subcommands.Add(ParetoCommand.Build());
        return root;
    }

    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();
}
