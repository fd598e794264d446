using System.CommandLine;
using System.Runtime.CompilerServices;

namespace Hybrid.Cli.Commands;

/// <summary>
/// How each command turns its parsed options into its settings record, kept so that tests (and
/// sweeps) can read a command line into settings without running anything.
/// </summary>
public static class Settings
{
    private static readonly ConditionalWeakTable<Command, Func<ParseResult, object>> Readers = new();

    /// <summary>Registers <paramref name="command"/>'s reader.</summary>
    public static void Add<T>(Command command, Func<ParseResult, T> read) where T : notnull =>
        Readers.AddOrUpdate(command, p => read(p));

    /// <summary>
    /// Parses <paramref name="args"/> (a command name and its options) with the real command tree and
    /// returns the settings they ask for.
    /// </summary>
    /// <exception cref="ArgumentException">A parse error (unknown option, bad value); the message lists every error.</exception>
    public static T Read<T>(params string[] args) => Read<T>(Program.BuildRoot(), args);

    /// <summary>As <see cref="Read{T}(string[])"/>, with the command tree <paramref name="root"/> (one built from another registry).</summary>
    /// <exception cref="ArgumentException">A parse error (unknown option, bad value); the message lists every error.</exception>
    public static T Read<T>(RootCommand root, params string[] args)
    {
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
            throw new ArgumentException(string.Join("; ", result.Errors.Select(e => e.Message)));
        var command = result.CommandResult.Command;
        if (!Readers.TryGetValue(command, out var read))
            throw new ArgumentException($"'{command.Name}' has no settings reader.");
        return (T)read(result);
    }
}
