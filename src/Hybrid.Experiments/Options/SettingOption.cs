using System.Collections;
using System.Globalization;

namespace Hybrid.Experiments.Options;

/// <summary>
/// One option of an experiment's command, as data: its name, its help, the kind of value it takes
/// (<see cref="ValueType"/>: bool, int, long, double, float, string, int[], double[] or string[]), what it
/// does to the experiment's settings, and how its default is shown. The CLI turns it into a parser option
/// (<c>System.CommandLine</c>); the values are read by <see cref="Values"/>, one rule for every command.
/// An option without a setter is read by the experiment itself (<c>--quick</c>, compare's <c>--preset</c>:
/// they choose the settings the other options change).
/// </summary>
public abstract class SettingOption
{
    private protected SettingOption(string name, string description, Type valueType, bool repeatable)
    {
        if (!name.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"option '{name}' must start with --.", nameof(name));
        Name = name;
        Description = description;
        ValueType = valueType;
        Repeatable = repeatable;
    }

    /// <summary>"--width".</summary>
    public string Name { get; }

    /// <summary>The name without its dashes ("width"), as error messages and exceptions' parameter names use it.</summary>
    public string Key => Name[2..];

    /// <summary>The help text (the CLI appends the default).</summary>
    public string Description { get; }

    /// <summary>bool, int, long, double, float, string, int[], double[] or string[].</summary>
    public Type ValueType { get; }

    /// <summary>For string[]: given once per value (<c>--quantize a --quantize b</c>) instead of comma-separated.</summary>
    public bool Repeatable { get; }

    /// <summary>Whether the option changes the settings (false: the experiment reads it while choosing its base settings).</summary>
    public abstract bool SetsValue { get; }

    /// <summary>Reads the option's text as its value (<see cref="Values"/>).</summary>
    /// <exception cref="ArgumentException">Not a value of the option's kind; the message names the option.</exception>
    public object Parse(string text) => ValueType switch
    {
        var t when t == typeof(bool) => Values.Flag(text, Key),
        var t when t == typeof(int) => Values.Int(text, Key),
        var t when t == typeof(long) => Values.Long(text, Key),
        var t when t == typeof(double) => Values.Number(text, Key),
        var t when t == typeof(float) => Values.Single(text, Key),
        var t when t == typeof(int[]) => Values.Ints(text, Key),
        var t when t == typeof(double[]) => Values.Numbers(text, Key),
        var t when t == typeof(string[]) && !Repeatable => Values.Names(text, Key),
        _ => text,
    };

    /// <summary>The default as help shows it ("256", "16,8,4", "none"), from the command's default settings and, when it differs,
    /// its <c>--quick</c> settings; null when the option shows no default.</summary>
    public abstract string? DefaultText(object defaults, object? quick);

    /// <summary>The settings with this option's value applied.</summary>
    public abstract object ApplyTo(object settings, object value);

    /// <summary>A value as help shows it: invariant culture, lists comma-separated, null as "none".</summary>
    public static string Show(object? value) => value switch
    {
        null => "none",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        float f => f.ToString("G", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => e.Cast<object?>().Any() ? string.Join(",", e.Cast<object?>().Select(Show)) : "none",
        _ => value.ToString() ?? "",
    };
}

/// <summary>An option of an experiment whose settings are <typeparamref name="TSettings"/>.</summary>
public abstract class SettingOption<TSettings> : SettingOption where TSettings : class
{
    private protected SettingOption(string name, string description, Type valueType, bool repeatable)
        : base(name, description, valueType, repeatable) { }

    /// <summary>The settings with this option's value applied.</summary>
    public abstract TSettings Apply(TSettings settings, object value);

    /// <summary>The same option over settings <typeparamref name="TOuter"/> that hold a <typeparamref name="TSettings"/>
    /// (uncertainty's options are bpm's, applied to its <c>Bpm</c>).</summary>
    public abstract SettingOption<TOuter> Over<TOuter>(Func<TOuter, TSettings> get, Func<TOuter, TSettings, TOuter> set) where TOuter : class;

    /// <inheritdoc />
    public override object ApplyTo(object settings, object value) => Apply((TSettings)settings, value);
}

/// <summary>An option whose value is a <typeparamref name="TValue"/>.</summary>
public sealed class SettingOption<TSettings, TValue> : SettingOption<TSettings> where TSettings : class where TValue : notnull
{
    private readonly Func<TSettings, TValue, TSettings>? _set;
    private readonly Func<TSettings, object?>? _show;

    /// <summary>An option; <paramref name="set"/> null for one the experiment reads itself, <paramref name="show"/> null for one that shows no default.</summary>
    public SettingOption(string name, string description, Func<TSettings, TValue, TSettings>? set, Func<TSettings, object?>? show = null,
        bool repeatable = false) : base(name, description, typeof(TValue), repeatable)
    {
        _set = set;
        _show = show;
    }

    /// <inheritdoc />
    public override bool SetsValue => _set is not null;

    /// <inheritdoc />
    public override TSettings Apply(TSettings settings, object value) =>
        _set is null ? settings : _set(settings, (TValue)value);

    /// <inheritdoc />
    public override string? DefaultText(object defaults, object? quick)
    {
        if (_show is null) return null;
        string d = Show(_show((TSettings)defaults));
        if (quick is not TSettings q) return d;
        string qd = Show(_show(q));
        return qd == d ? d : $"{d}; --quick {qd}";
    }

    /// <inheritdoc />
    public override SettingOption<TOuter> Over<TOuter>(Func<TOuter, TSettings> get, Func<TOuter, TSettings, TOuter> set) =>
        new SettingOption<TOuter, TValue>(Name, Description, _set is null ? null : (o, v) => set(o, _set(get(o), v)),
            _show is null ? null : o => _show(get(o)), Repeatable);
}

/// <summary>
/// The options a command line gave (name → value, read by <see cref="SettingOption.Parse"/>), and whether it
/// asked for <c>--quick</c>. Options left out are absent: the settings keep their default.
/// </summary>
public sealed class GivenOptions(IReadOnlyDictionary<string, object> values, bool quick = false)
{
    /// <summary>No options.</summary>
    public static GivenOptions None { get; } = new(new Dictionary<string, object>());

    /// <summary>Whether <c>--quick</c> was given.</summary>
    public bool Quick { get; } = quick;

    /// <summary>Whether <paramref name="name"/> ("--epochs") was given.</summary>
    public bool Has(string name) => values.ContainsKey(name);

    /// <summary>The value of <paramref name="name"/>, if given.</summary>
    public bool TryGet(string name, out object value) => values.TryGetValue(name, out value!);

    /// <summary>The value of <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public T Get<T>(string name, T fallback) => values.TryGetValue(name, out var v) ? (T)v : fallback;
}
