using System.CommandLine;
using System.Globalization;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using Hybrid.Training.Trainer;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// What <c>margin</c>, <c>bpm</c> and <c>uncertainty</c> share: the data, seed, output and
/// schedule options (nullable, so that <c>--quick</c>'s values apply unless an option is given),
/// comma-separated lists, and running an experiment with progress and clear errors.
/// </summary>
public static class PartOneOptions
{
    /// <summary>Options every Part I command has.</summary>
    public sealed class Common
    {
        /// <summary>--quick.</summary>
        public readonly Option<bool> Quick = new("--quick") { Description = "A fast look (under a minute on 2 cores); options given explicitly still apply." };
        /// <summary>--data.</summary>
        public readonly Option<string?> Data = new("--data") { Description = "mnist (default; installed by scripts/setup.sh), fashion-mnist, teacher, mixture, or an MNIST-format folder." };
        /// <summary>--task.</summary>
        public readonly Option<string?> Task = new("--task") { Description = "odd-even (default), or none for the data's own classes." };
        /// <summary>--test-size.</summary>
        public readonly Option<int?> TestSize = new("--test-size") { Description = "Test examples: a fixed random subset of the test set (default: all of it; 2000 with --quick)." };
        /// <summary>--depth.</summary>
        public readonly Option<int?> Depth;
        /// <summary>--width.</summary>
        public readonly Option<int?> Width;
        /// <summary>--steps.</summary>
        public readonly Option<int?> Steps;
        /// <summary>--lr.</summary>
        public readonly Option<double?> Lr = new("--lr") { Description = "Nero's initial learning rate (0.01)." };
        /// <summary>--decay.</summary>
        public readonly Option<double?> Decay = new("--decay") { Description = "Learning-rate factor per step (default 0.99^(500/steps): the authors' 500 steps of ×0.99 end at the same rate)." };
        /// <summary>--seeds.</summary>
        public readonly Option<int?> Seeds;
        /// <summary>--seed.</summary>
        public readonly Option<long?> Seed = new("--seed") { Description = "The first seed (0)." };
        /// <summary>--threads.</summary>
        public readonly Option<int?> Threads = new("--threads")
        {
            Description = "TorchSharp intra-op threads (default 1: on a busy machine one thread per run costs far less CPU than two; 0: TorchSharp's default).",
        };
        /// <summary>--out.</summary>
        public readonly Option<string?> Out = new("--out") { Description = "Run folder (default: runs/<command>-<time>)." };
        /// <summary>--resume.</summary>
        public readonly Option<string?> Resume = new("--resume") { Description = "Continue the run in this folder (same settings); finished units are reused." };

        /// <summary>The options, with the command's defaults (and --quick's) in their help.</summary>
        public Common(int depth, int width, int steps, int seeds, int quickDepth, int quickWidth, int quickSteps)
        {
            Depth = new("--depth") { Description = $"Hidden layers of the MLP (default {depth}; {quickDepth} with --quick; the authors count layers: depth 7 = 6 hidden)." };
            Width = new("--width") { Description = $"Units per hidden layer (default {width}; {quickWidth} with --quick)." };
            Steps = new("--steps") { Description = $"Full-batch Nero steps per network (default {steps}; {quickSteps} with --quick)." };
            Seeds = new("--seeds") { Description = $"Seeds per grid point (default {seeds}); results are mean ± 95 % interval over them." };
        }

        /// <summary>Adds every option to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Quick, Data, Task, TestSize, Depth, Width, Steps, Lr, Decay, Seeds, Seed, Threads, Out, Resume })
                command.Options.Add(o);
        }
    }

    /// <summary>Parses "1,2,3" into integers.</summary>
    /// <exception cref="ArgumentException">Not a comma-separated list of integers (the message names <paramref name="option"/>).</exception>
    public static int[] Ints(string text, string option)
    {
        try
        {
            return Split(text).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--{option} '{text}' must be comma-separated integers, e.g. 50,100,200.", option);
        }
    }

    /// <summary>Parses "1e-3,0.01,1" into numbers.</summary>
    /// <exception cref="ArgumentException">Not a comma-separated list of numbers (the message names <paramref name="option"/>).</exception>
    public static double[] Doubles(string text, string option)
    {
        try
        {
            return Split(text).Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--{option} '{text}' must be comma-separated numbers, e.g. 1e-3,1e-2,0.1.", option);
        }
    }

    /// <summary>Parses <paramref name="args"/> with <paramref name="command"/>; a parse error becomes an <see cref="ArgumentException"/>.</summary>
    public static ParseResult Parse(Command command, string[] args)
    {
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0) throw new ArgumentException(string.Join("; ", parse.Errors.Select(e => e.Message)));
        return parse;
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Validates, opens the run folder, runs <paramref name="body"/> with console progress and
    /// Ctrl+C handling, and turns bad input into one red line (exit 2). Returns the body's exit code.
    /// </summary>
    public static int Execute(string command, Action validate, string? output, string? resume,
        Func<RunFolder, ITrainingObserver, CancellationToken, int> body)
    {
        try
        {
            validate();
            TorchRuntime.EnsureAvailable();
            var (folder, held) = ExperimentCommand.Open(command, output, resume);
            using var _ = held;
            using var cts = CliCancel.OnCtrlC();
            int code = ConsoleProgress.Run(observer => body(folder, observer, cts.Token));
            Tables.Line($"report: {Markup.Escape(folder.File("report.md"))}");
            return code;
        }
        catch (OperationCanceledException)
        {
            Tables.Line("[yellow]stopped; finished units are kept — rerun with --resume to continue.[/]");
            return 3;
        }
        catch (Exception e) when (CliErrors.IsUserError(e))
        {
            return CliErrors.Report(e);
        }
    }
}
