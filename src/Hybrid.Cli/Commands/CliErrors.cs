using Hybrid.Experiments.Runs;

namespace Hybrid.Cli.Commands;

/// <summary>Ctrl+C asks a run to stop after the current epoch or unit instead of killing it.</summary>
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

/// <summary>How the CLI reports a bad input: one line on stderr naming the problem, exit code 2 (<see cref="ExitCodes.BadInput"/>).</summary>
public static class CliErrors
{
    /// <summary>Whether <paramref name="e"/> is a problem with the user's input or files (reported in one line), not a bug.</summary>
    public static bool IsUserError(Exception e) =>
        e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or NotSupportedException
            or UnauthorizedAccessException or Hybrid.Training.Data.IdxFormatException;

    /// <summary>Prints the error (without .NET's "(Parameter 'x')" suffix) to stderr and returns 2.</summary>
    public static int Report(Exception e)
    {
        // every such suffix, also one an outer message copied from an inner exception (--full-lr's rate check)
        var message = Hybrid.Experiments.Options.Values.PlainMessage(e);
        Line(message);
        if (Environment.GetEnvironmentVariable("HYBRID_DEBUG") == "1") Console.Error.WriteLine(e);
        return ExitCodes.BadInput;
    }

    /// <summary>Prints the parser's errors (an unknown option, a value that does not parse, a missing argument) as one line; returns 2.</summary>
    public static int Report(IEnumerable<string> parseErrors)
    {
        Line(string.Join("; ", parseErrors.Distinct()));
        return ExitCodes.BadInput;
    }

    // one line, whatever the message holds
    private static void Line(string message) =>
        Console.Error.WriteLine($"error: {string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}");

    /// <summary>Runs <paramref name="body"/>, reporting the user's errors in one line (exit 2).</summary>
    public static int Guarded(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            return Report(e);
        }
    }
}
