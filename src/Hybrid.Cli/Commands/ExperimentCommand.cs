using System.CommandLine;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Options;
using Hybrid.Experiments.Runs;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary>
/// The one builder of an experiment's command (docs/architecture.md, "Adding an experiment"): an option per
/// <see cref="IExperiment.Options"/> entry (its help showing the default, and the <c>--quick</c> one where it
/// differs), then <c>--out</c>, <c>--resume</c>, <c>--threads</c> (where the experiment has a default thread count)
/// and <c>--quick</c> (where it has quick settings). The action reads the options into settings, validates them
/// once (bad input: one line on stderr, exit 2, nothing written), chooses the run folder, runs the experiment
/// through <see cref="ExperimentHost"/> with the console's progress display and Ctrl+C as cancellation, draws the
/// outcome's <see cref="ConsoleSummary"/> (box-drawn on a terminal, Markdown in a pipe) and exits with
/// <see cref="ExitCodes.Of(ExperimentOutcome)"/>.
/// </summary>
public static class ExperimentCommand
{
    /// <summary>Builds <paramref name="experiment"/>'s command.</summary>
    public static Command Build(IExperiment experiment)
    {
        var command = new Command(experiment.Name, experiment.Description);
        var bound = new List<(SettingOption Option, BoundOption Bound)>();
        foreach (var option in experiment.Options)
        {
            var b = BoundOption.For(option, Help(option, experiment));
            bound.Add((option, b));
            command.Options.Add(b.Symbol);
        }
        var output = BoundOption.Text("--out", $"The run folder (default: runs/{experiment.Name}-<time>).");
        var resume = BoundOption.Text("--resume", "Continue the run in this folder (same settings required): finished units are read back, " +
                                                  "an interrupted one continues from its checkpoint.");
        command.Options.Add(output);
        command.Options.Add(resume);
        Option<string>? threads = null;
        if (experiment.DefaultThreads is int defaultThreads)
        {
            threads = BoundOption.Text("--threads", $"libtorch's CPU threads for the run (default {defaultThreads}; 0: libtorch's own, every core). " +
                                                    "Restored afterwards; an execution choice, not part of the run's settings.", (t, o) => Values.Int(t, o));
            command.Options.Add(threads);
        }
        Option<bool>? quick = null;
        if (experiment.Quick is not null && experiment.Options.All(o => o.Name != "--quick"))
        {
            quick = new Option<bool>("--quick") { Description = "A small version that finishes in about a minute (what the tests run); options given still apply." };
            command.Options.Add(quick);
        }

        Func<ParseResult, object> read = parse =>
        {
            var values = new Dictionary<string, object>();
            foreach (var (option, b) in bound)
                if (b.TryGet(parse, out var v)) values[option.Name] = v;
            bool isQuick = quick is not null ? parse.GetValue(quick) : values.TryGetValue("--quick", out var q) && q is true;
            return experiment.Read(new GivenOptions(values, isQuick));
        };
        command.SetAction(parse => CliErrors.Guarded(() =>
        {
            var settings = read(parse);
            int? n = threads is null ? null : OptionValues.Int(parse, threads) ?? experiment.DefaultThreads;
            return Run(experiment, settings, parse.GetValue(output), parse.GetValue(resume), n);
        }));
        Settings.Add(command, read);
        return command;
    }

    /// <summary>Runs <paramref name="experiment"/> on <paramref name="settings"/> as the command line asked and prints its summary; the exit code.</summary>
    public static int Run(IExperiment experiment, object settings, string? output, string? resume, int? threads)
    {
        // validated once, here, before any folder is chosen or created; the host trusts it (RunRequest.Validated)
        experiment.Validate(settings);
        ThreadScope.Validate(threads ?? 0);
        var folder = RunFolders.Choose(output, resume, experiment.Name);
        Tables.Line($"[bold]hybrid {Markup.Escape(experiment.Name)}[/] → {Markup.Escape(folder.Path)}");
        using var cts = CliCancel.OnCtrlC();
        var request = new RunRequest(folder)
        {
            Resume = resume is not null,
            Threads = threads,
            Progress = ConsoleProgressDisplay.Instance,
            Log = line => Tables.Line(Markup.Escape(line)),
            Warn = line => Console.Error.WriteLine(line),
            Cancel = cts.Token,
            Validated = true,
        };
        var outcome = ExperimentHost.Run(experiment, settings, request);
        Write(outcome.Summary);
        if (outcome.Status == Hybrid.Training.Trainer.RunStatus.Cancelled)
            Console.Error.WriteLine($"not finished: {outcome.Message} (the same command with --resume {folder.Path} continues it)");
        return ExitCodes.Of(outcome);
    }

    /// <summary>Draws a summary: its tables (box-drawn on a terminal, Markdown when piped) and lines (notes muted).</summary>
    public static void Write(ConsoleSummary summary)
    {
        foreach (var part in summary.Parts)
            switch (part)
            {
                case SummaryTable t:
                    Tables.Write(t.Header, t.Rows, t.Right);
                    break;
                case SummaryLine { Note: true } l:
                    Tables.Line($"[grey]{Markup.Escape(l.Text)}[/]");
                    break;
                case SummaryLine l:
                    Tables.Line(Markup.Escape(l.Text));
                    break;
            }
    }

    // the option's help with its default ("(default 256; --quick 64)")
    private static string Help(SettingOption option, IExperiment experiment)
    {
        if (option.DefaultText(experiment.Defaults, experiment.Quick) is not { } d) return option.Description;
        var text = option.Description.TrimEnd();
        return text.EndsWith('.') ? $"{text[..^1]} (default {d})." : $"{text} (default {d})";
    }
}
