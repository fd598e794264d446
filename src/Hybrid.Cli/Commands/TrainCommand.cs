using System.CommandLine;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Train;
using Hybrid.Training;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using Spectre.Console;

namespace Hybrid.Cli.Commands;

/// <summary><c>hybrid train</c>: one model, one optimiser, one data set; a run folder with metrics and plots.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var d = new TrainSettings();
        var model = new Option<string>("--model") { Description = "Model family: mlp or cnn.", DefaultValueFactory = _ => d.Model };
        var depth = new Option<int>("--depth") { Description = "Hidden layers (MLP), or hidden head layers (CNN).", DefaultValueFactory = _ => d.Depth };
        var width = new Option<int>("--width") { Description = "Units per hidden layer.", DefaultValueFactory = _ => d.Width };
        var activation = new Option<string>("--activation") { Description = "relu, tanh, gelu or relu-sqrt2.", DefaultValueFactory = _ => d.Activation };
        var noBias = new Option<bool>("--no-bias") { Description = "Layers without biases." };
        var initScale = new Option<double>("--init-scale") { Description = "Multiplies the default initialisation.", DefaultValueFactory = _ => d.InitScale };
        var optimizer = new OptimizerOptions();
        var epochs = new Option<int>("--epochs") { Description = "Epochs to train.", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Examples per batch.", DefaultValueFactory = _ => d.BatchSize };
        var seed = new Option<long>("--seed") { Description = "Seed of the initial weights, batch order and rounding.", DefaultValueFactory = _ => d.Seed };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => d.Device };
        var data = new Option<string?>("--data") { Description = DataSelectionOptions.DataDescription };
        var task = DataSelectionOptions.Task();
        var trainSize = DataSelectionOptions.TrainSize();
        var normalize = new Option<string>("--normalize") { Description = "Input normalisation: none, standard or sphere.", DefaultValueFactory = _ => d.Normalize };
        var schedule = new Option<string>("--lr-schedule") { Description = "constant or cosine (annealed to 0 over the epochs).", DefaultValueFactory = _ => d.LrSchedule };
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/train-<time>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder (same settings required)." };
        var driftTime = new Option<string?>("--drift-time")
        {
            Description = "After training, evaluate the analog weights drifted by these times (e.g. 1h,1d,1mo; units s, min, h, d, w, mo, y).",
        };

        var command = new Command("train", "Train one model with one optimiser and write a run folder (config, metrics, summary, learning curve).");
        foreach (var o in new Option[] { model, depth, width, activation, noBias, initScale }.Concat(optimizer.All)
                     .Concat([epochs, batch, seed, device, data, task, trainSize, normalize, schedule, output, resume, driftTime]))
            command.Options.Add(o);
        Func<ParseResult, TrainSettings> read = parse => new TrainSettings(parse.GetValue(model)!, parse.GetValue(depth),
            parse.GetValue(width), parse.GetValue(activation)!, !parse.GetValue(noBias), parse.GetValue(initScale),
            optimizer.Read(parse), parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(seed),
            parse.GetValue(device)!, parse.GetValue(data), parse.GetValue(normalize)!, parse.GetValue(schedule)!,
            parse.GetValue(task), parse.GetValue(trainSize),
            parse.GetValue(driftTime) is { } dt ? Hybrid.Training.Devices.DriftEvaluation.ParseTimes(dt) : null);
        command.SetAction(parse =>
        {
            TrainSettings settings;
            try { settings = read(parse); }
            catch (ArgumentException e) { return CliErrors.Report(e); } // a bad --drift-time
            return Run(settings, parse.GetValue(output), parse.GetValue(resume));
        });
        Settings.Add(command, read);
        return command;
    }

    private static int Run(TrainSettings settings, string? output, string? resume)
    {
        try
        {
            settings.Validate();
            TorchRuntime.EnsureAvailable();
            var folder = RunFolderOptions.Choose(output, resume, "train");
            using var held = RunFolderOptions.Lock(folder, resume is null ? "--out" : "--resume");
            var (job, note) = settings.BuildJob();
            using var data = job.Data;
            Tables.Line($"[bold]{Markup.Escape(job.Name)}[/]  data: {Markup.Escape(data.Summary)}");
            Tables.Line($"[grey]{Markup.Escape(note)}[/]");
            using var cts = CliCancel.OnCtrlC();
            var result = ConsoleProgress.Run(obs => TrainingRun.Execute(job, folder, obs, resume is not null, cts.Token));
            Tables.Line(
                $"[bold]{result.Status}[/]: {Markup.Escape(result.Message)}; final test accuracy " +
                $"{100 * result.FinalTestAccuracy:F2}%, {result.MeanEpochSeconds:F1} s/epoch. Run folder: {Markup.Escape(folder.Path)}");
            return result.Status == RunStatus.Completed ? 0 : 3;
        }
        catch (Exception e) when (CliErrors.IsUserError(e))
        {
            return CliErrors.Report(e);
        }
    }
}

/// <summary>Ctrl+C asks a run to stop after the current epoch instead of killing it.</summary>
public static class CliCancel
{
    /// <summary>A token cancelled by the first Ctrl+C (a second one kills the process as usual).</summary>
    public static CancellationTokenSource OnCtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cts.IsCancellationRequested) return;
            e.Cancel = true;
            cts.Cancel();
            Console.Error.WriteLine("stopping after this epoch (Ctrl+C again to kill)...");
        };
        return cts;
    }
}

/// <summary>How the CLI reports a bad input: one line on stderr naming the problem, exit code 2.</summary>
public static class CliErrors
{
    /// <summary>Whether <paramref name="e"/> is a problem with the user's input or files (reported in one line), not a bug.</summary>
    public static bool IsUserError(Exception e) =>
        e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or NotSupportedException
            or UnauthorizedAccessException or Hybrid.Training.Data.IdxFormatException;

    /// <summary>Prints the error (without .NET's "(Parameter 'x')" suffix) to stderr and returns 2.</summary>
    public static int Report(Exception e)
    {
        var message = e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "") : e.Message;
        // one line, whatever the message holds
        Console.Error.WriteLine($"error: {string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}");
        if (Environment.GetEnvironmentVariable("HYBRID_DEBUG") == "1") Console.Error.WriteLine(e);
        return 2;
    }
}
