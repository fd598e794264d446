namespace Hybrid.Cli.Tests;

/// <summary>Runs a command line in-process with Console.Out and Console.Error captured (and restored after).</summary>
public static class CliRun
{
    /// <summary>The exit code, stdout and stderr of <paramref name="main"/>(<paramref name="args"/>).</summary>
    public static (int Code, string Out, string Err) Capture(Func<string[], int> main, params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var o = new StringWriter();
        using var e = new StringWriter();
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            return (main(args), o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
