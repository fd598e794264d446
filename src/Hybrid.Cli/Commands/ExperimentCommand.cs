using System.CommandLine;
using Spectre.Console;
using Hybrid.Cli.Output;
using Hybrid.Experiments.Runs;

namespace Hybrid.Cli.Commands;

/// <summary>
/// What the experiment commands (margin, bpm, uncertainty, trust, depth, transfer) share with train and
/// compare: the run folder that <c>--out</c>/<c>--resume</c> name, checked before anything is written and
/// locked for the command's life (a second process on it is refused, naming the holder), and bad input as
/// one line on stderr with exit code 2.
/// </summary>
public static class ExperimentCommand
{
    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/>, with the user's errors reported in one line (exit 2).</summary>
    public static void SetAction(Command command, Func<ParseResult, int> body) =>
        command.SetAction(parse =>
        {
            try
            {
                return body(parse);
            }
            catch (Exception e) when (CliErrors.IsUserError(e))
            {
                return CliErrors.Report(e);
            }
        });

    /// <summary>The run folder of <paramref name="command"/> (default runs/&lt;command&gt;-&lt;time&gt;), locked until the returned lock is disposed.</summary>
    public static (RunFolder Folder, RunLock Lock) Open(string command, string? output, string? resume)
    {
        var folder = RunFolderOptions.Choose(output, resume, command);
        var held = RunFolderOptions.Lock(folder, resume is null ? "--out" : "--resume");
        Tables.Line($"[bold]hybrid {command}[/] → {Markup.Escape(folder.Path)}");
        return (folder, held);
    }
}
