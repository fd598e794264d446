using System.CommandLine;
using System.CommandLine.Parsing;
using Hybrid.Experiments.Options;

namespace Hybrid.Cli.Commands;

/// <summary>
/// An option of the <c>hybrid</c> command line bound to its value kind: the parser keeps its text and checks it
/// with <see cref="Values"/> while parsing, so a bad value (2147483648 for an integer, Inf, 8,,4) is a parse error
/// in Hybrid's words — naming the option, never a .NET type — and every command reads numbers and lists alike.
/// </summary>
public sealed class BoundOption
{
    private BoundOption(Option symbol, Func<string, object> parse, bool flag, bool repeated)
    {
        Symbol = symbol;
        _parse = parse;
        _flag = flag;
        _repeated = repeated;
    }

    private readonly Func<string, object> _parse;
    private readonly bool _flag, _repeated;

    /// <summary>The parser's option.</summary>
    public Option Symbol { get; }

    /// <summary>Binds an experiment's option; <paramref name="help"/> is its description with the default.</summary>
    public static BoundOption For(SettingOption option, string help)
    {
        if (option.ValueType == typeof(bool)) return new BoundOption(new Option<bool>(option.Name) { Description = help }, _ => true, flag: true, repeated: false);
        if (option.Repeatable)
        {
            var many = new Option<string[]>(option.Name) { Description = help, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };
            return new BoundOption(many, option.Parse, flag: false, repeated: true);
        }
        var one = new Option<string>(option.Name) { Description = help };
        Check(one, option.Parse);
        return new BoundOption(one, option.Parse, flag: false, repeated: false);
    }

    /// <summary>An option of one of the CLI's own commands (sweep, info) that takes a value of <paramref name="parse"/>'s kind.</summary>
    public static Option<string> Text(string name, string description, Func<string, string, object>? parse = null, bool required = false)
    {
        var option = new Option<string>(name) { Description = description, Required = required };
        if (parse is not null) Check(option, text => parse(text, name[2..]));
        return option;
    }

    /// <summary>Whether the command line gave the option, and its value.</summary>
    public bool TryGet(ParseResult parse, out object value)
    {
        value = null!;
        if (parse.GetResult(Symbol) is not { Implicit: false }) return false;
        if (_flag)
        {
            if (!parse.GetValue((Option<bool>)Symbol)) return false;
            value = true;
        }
        else if (_repeated) value = parse.GetValue((Option<string[]>)Symbol) ?? [];
        else value = _parse(parse.GetValue((Option<string>)Symbol)!);
        return true;
    }

    // the value is checked as it is parsed: a bad one is a parse error (exit 2, one line)
    private static void Check(Option<string> option, Func<string, object> parse) =>
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                try
                {
                    parse(token.Value);
                }
                catch (ArgumentException e)
                {
                    result.AddError(Hybrid.Experiments.Options.Values.PlainMessage(e));
                }
            }
        });
}

/// <summary>Typed values of the CLI's own options, read by the one rule (<see cref="Values"/>).</summary>
public static class OptionValues
{
    /// <summary>An integer option's value, or null when it was not given.</summary>
    public static int? Int(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) is { } text ? Values.Int(text, option.Name[2..]) : null;
}
