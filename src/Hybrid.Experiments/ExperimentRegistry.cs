using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Compare;
using Hybrid.Experiments.Depth;
using Hybrid.Experiments.Margin;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Train;
using Hybrid.Experiments.Transfer;
using Hybrid.Experiments.Trust;
using Hybrid.Experiments.Uncertainty;

namespace Hybrid.Experiments;

/// <summary>
/// Every experiment: the <c>hybrid</c> command has one subcommand per entry, and a sweep file may name any of them.
/// A new experiment joins with one line here (docs/architecture.md, "Adding an experiment").
/// </summary>
public static class ExperimentRegistry
{
    /// <summary>The registered experiments, in the order help lists them.</summary>
    public static readonly IReadOnlyList<IExperiment> All =
    [
        new TrainExperiment(),
        new CompareExperiment(),
        new Cost.CostExperiment(),
        new MarginAttack.MarginAttackExperiment(),
        new MarginExperiment(),
        new BpmExperiment(),
        new UncertaintyExperiment(),
        new TrustExperiment(),
        new DepthExperiment(),
        new TransferExperiment(),
    ];

    /// <summary>Their names.</summary>
    public static IReadOnlyList<string> Names => All.Select(e => e.Name).ToList();

    /// <summary>The experiment called <paramref name="name"/> in <paramref name="registry"/> (default: <see cref="All"/>).</summary>
    /// <exception cref="ArgumentException">No such experiment; the message lists the valid names.</exception>
    public static IExperiment Get(string name, IReadOnlyList<IExperiment>? registry = null)
    {
        registry ??= All;
        return registry.FirstOrDefault(e => e.Name == name)
               ?? throw new ArgumentException($"unknown experiment '{name}'; valid: {string.Join(", ", registry.Select(e => e.Name))}.", "experiment");
    }
}
