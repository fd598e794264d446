using Hybrid.Experiments.Runs;
using Hybrid.Training.Trainer;
using Spectre.Console;

namespace Hybrid.Cli.Output;

/// <summary>
/// Shows training progress on the console: a live Spectre.Console progress display when the
/// output is an interactive terminal, plain one-line-per-epoch logs otherwise (CI, files, pipes).
/// </summary>
public static class ConsoleProgress
{
    /// <summary>Whether the live display will be used.</summary>
    public static bool Interactive =>
        AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="body"/> with an observer that reports to the console.</summary>
    public static T Run<T>(Func<ITrainingObserver, T> body)
    {
        if (!Interactive) return body(new PlainObserver());
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => result = body(new LiveObserver(ctx)));
        return result;
    }

    /// <summary>The epoch line both displays print.</summary>
    public static string Describe(EpochMetrics m) =>
        $"epoch {m.Epoch,3}: train loss {m.TrainLoss:F4} acc {100 * m.TrainAccuracy:F2}% | " +
        $"test loss {m.TestLoss:F4} acc {100 * m.TestAccuracy:F2}% | {m.ExamplesPerSecond:F0} ex/s, {m.EpochSeconds:F1} s";

    private sealed class PlainObserver : ITrainingObserver
    {
        private string _name = "";

        public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch)
        {
            _name = name;
            Console.WriteLine($"[{name}] epochs {firstEpoch}..{epochs}, {batchesPerEpoch} batches each");
        }

        public void Batch(int epoch, long batch, double loss) { }
        public void Epoch(EpochMetrics metrics) => Console.WriteLine($"[{_name}] {Describe(metrics)}");
        public void Message(string text) => Console.WriteLine($"[{_name}] {text}");
    }

    private sealed class LiveObserver(ProgressContext ctx) : ITrainingObserver
    {
        private ProgressTask? _task;
        private long _batches;
        private string _name = "";

        public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch)
        {
            _name = name;
            _batches = batchesPerEpoch;
            _task = ctx.AddTask(Markup.Escape(name), maxValue: Math.Max(1, (epochs - firstEpoch + 1) * batchesPerEpoch));
        }

        public void Batch(int epoch, long batch, double loss)
        {
            if (_task is null) return;
            _task.Increment(1);
            if (batch % 20 == 0) _task.Description = Markup.Escape($"{_name} · epoch {epoch} · loss {loss:F4}");
        }

        public void Epoch(EpochMetrics metrics) =>
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(_name)}[/] {Markup.Escape(Describe(metrics))}");

        public void Message(string text) => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(_name)}: {Markup.Escape(text)}[/]");
    }
}

/// <summary>The console's progress display (<see cref="ConsoleProgress"/>) as the host's <see cref="IProgressDisplay"/>.</summary>
public sealed class ConsoleProgressDisplay : IProgressDisplay
{
    /// <summary>The one instance.</summary>
    public static readonly ConsoleProgressDisplay Instance = new();

    /// <inheritdoc />
    public T Run<T>(Func<ITrainingObserver, T> body) => ConsoleProgress.Run(body);
}
