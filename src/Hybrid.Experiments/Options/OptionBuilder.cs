namespace Hybrid.Experiments.Options;

/// <summary>
/// Makes the options of an experiment whose settings are <typeparamref name="T"/>: one method per kind of
/// value, and (SharedOptions.cs) the options every experiment that has them defines alike — data, task,
/// sizes, seeds, epochs, batch size, model, widths and depths, optimisers, learning-rate span. Each takes
/// the setter (<c>(s, v) =&gt; s with { Width = v }</c>) and what help shows as the default (<c>s =&gt; s.Width</c>).
/// </summary>
public sealed partial class OptionBuilder<T> where T : class
{
    /// <summary>A flag: present means true.</summary>
    public SettingOption<T> Flag(string name, string description, Func<T, bool, T>? set) =>
        new SettingOption<T, bool>(name, description, set);

    /// <summary>An integer.</summary>
    public SettingOption<T> Int(string name, string description, Func<T, int, T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, int>(name, description, set, show);

    /// <summary>A 64-bit integer.</summary>
    public SettingOption<T> Long(string name, string description, Func<T, long, T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, long>(name, description, set, show);

    /// <summary>A finite number.</summary>
    public SettingOption<T> Number(string name, string description, Func<T, double, T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, double>(name, description, set, show);

    /// <summary>A finite number stored as float32.</summary>
    public SettingOption<T> Single(string name, string description, Func<T, float, T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, float>(name, description, set, show);

    /// <summary>A string.</summary>
    public SettingOption<T> Text(string name, string description, Func<T, string, T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, string>(name, description, set, show);

    /// <summary>A comma-separated list of integers ("" or none: empty).</summary>
    public SettingOption<T> Ints(string name, string description, Func<T, int[], T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, int[]>(name, description, set, show);

    /// <summary>A comma-separated list of numbers ("" or none: empty).</summary>
    public SettingOption<T> Numbers(string name, string description, Func<T, double[], T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, double[]>(name, description, set, show);

    /// <summary>A comma-separated list of names, lower-cased ("" or none: empty).</summary>
    public SettingOption<T> Names(string name, string description, Func<T, string[], T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, string[]>(name, description, set, show);

    /// <summary>A string given once per value (<c>--quantize a --quantize b</c>).</summary>
    public SettingOption<T> Repeated(string name, string description, Func<T, string[], T>? set, Func<T, object?>? show = null) =>
        new SettingOption<T, string[]>(name, description, set, show, repeatable: true);
}
