using System.CommandLine;
using Hybrid.Experiments.Grid;

namespace Hybrid.Cli.Commands;

/// <summary>
/// The options the Part II grid commands (<c>trust</c>, <c>depth</c>, <c>transfer</c>) share:
/// data and its subsets, <c>--quick</c>, the run folder and resume. Options left out take the
/// default run's value, or the quick run's with <c>--quick</c>.
/// </summary>
public sealed class GridCommandOptions
{
    /// <summary>--data.</summary>
    public Option<string?> Data { get; } = new("--data") { Description = "mnist (the default: the authors' data, installed by scripts/setup.sh), fashion-mnist, teacher, mixture, or an MNIST-format folder." };
    /// <summary>--train-size.</summary>
    public Option<int?> TrainSize { get; } = new("--train-size") { Description = "Train on n examples: the first n of a fixed random permutation of the training set (the same for every seed of the runs); 0 for all." };
    /// <summary>--test-size.</summary>
    public Option<int?> TestSize { get; } = new("--test-size") { Description = "Test examples (the first ones); 0 for all." };
    /// <summary>--normalize.</summary>
    public Option<string?> Normalize { get; } = new("--normalize") { Description = "Input normalisation: none, standard (the authors' MNIST transform) or sphere." };
    /// <summary>--quick.</summary>
    public Option<bool> Quick { get; } = new("--quick") { Description = "A small version that finishes in under a minute (what the tests run)." };
    /// <summary>--out.</summary>
    public Option<string?> Out { get; } = new("--out") { Description = "The experiment's folder (default: runs/<command>-<time>)." };
    /// <summary>--resume.</summary>
    public Option<string?> Resume { get; } = new("--resume") { Description = "Continue the experiment in this folder (same settings): finished runs are read back, an interrupted one continues from its checkpoint." };

    /// <summary>--threads.</summary>
    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "TorchSharp's CPU threads (default 1: these grids are many small runs, where a second thread mostly spins, " +
                      "and on a shared machine it costs several times the CPU time).",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Quick, Data, TrainSize, TestSize, Normalize, Threads, Out, Resume }) command.Options.Add(o);
    }

    /// <summary>Sets TorchSharp's intra-op threads from --threads (checked: ≥ 1); call after the settings are validated.</summary>
    public void ApplyThreads(ParseResult parse)
    {
        int n = parse.GetValue(Threads);
        if (n < 1) throw new ArgumentException($"--threads {n} must be >= 1.", "threads");
        TorchSharp.torch.set_num_threads(n);
    }

    /// <summary>The data spec: <paramref name="fallback"/>'s values where an option was left out; a size of 0 means all.</summary>
    public DataSpec DataSpec(ParseResult parse, DataSpec fallback) => fallback with
    {
        Data = parse.GetValue(Data) ?? fallback.Data,
        TrainSize = parse.GetValue(TrainSize) is int n ? (n == 0 ? null : n) : fallback.TrainSize,
        TestSize = parse.GetValue(TestSize) is int m ? (m == 0 ? null : m) : fallback.TestSize,
        Normalize = parse.GetValue(Normalize) ?? fallback.Normalize,
    };

    /// <summary>
    /// Parses <paramref name="args"/> against a command built by <paramref name="addOptions"/> and
    /// returns the settings <paramref name="settings"/> makes of them — what the command would run
    /// (for tests). Parse errors throw <see cref="ArgumentException"/>; the settings are not validated.
    /// </summary>
    public static T Parse<T>(string name, Action<Command> addOptions, Func<ParseResult, T> settings, string[] args)
    {
        var command = new Command(name);
        addOptions(command);
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0) throw new ArgumentException(string.Join("; ", parse.Errors.Select(e => e.Message)));
        return settings(parse);
    }

    /// <summary>Parses a comma-separated integer list, or returns <paramref name="fallback"/> when the option is absent.</summary>
    public static int[] Ints(ParseResult parse, Option<string?> option, int[] fallback) =>
        parse.GetValue(option) is { } text ? GridMath.Ints(text, option.Name.TrimStart('-')) : fallback;

    /// <summary>Parses a comma-separated number list, or returns <paramref name="fallback"/> when the option is absent.</summary>
    public static double[] Doubles(ParseResult parse, Option<string?> option, double[] fallback) =>
        parse.GetValue(option) is { } text ? GridMath.Doubles(text, option.Name.TrimStart('-')) : fallback;

    /// <summary>Parses a comma-separated name list, or returns <paramref name="fallback"/> when the option is absent.</summary>
    public static string[] Names(ParseResult parse, Option<string?> option, string[] fallback) =>
        parse.GetValue(option) is { } text ? GridMath.Names(text) : fallback;
}
