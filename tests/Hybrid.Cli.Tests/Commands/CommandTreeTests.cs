using System.CommandLine;

namespace Hybrid.Cli.Tests;

/// <summary>The command tree: every command is there and parses its own --help.</summary>
public class CommandTreeTests
{
    [Test]
    public void EveryCommandIsRegistered()
    {
        var root = Program.BuildRoot();
        Assert.That(root.Subcommands.Select(c => c.Name), Is.SupersetOf(new[] { "info", "train", "compare" }));
    }

    [TestCase("info"), TestCase("train"), TestCase("compare")]
    public void HelpParsesWithoutErrors(string command)
    {
        var result = Program.BuildRoot().Parse([command, "--help"]);
        Assert.That(result.Errors, Is.Empty);
    }
}
