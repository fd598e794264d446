using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Sweeps;

/// <summary>
/// The fields of an experiment's settings record as a sweep file names them: the camelCase JSON
/// names of config.json (<see cref="RunFolder.Json"/>), settable fields only. Derived read-only
/// properties (<c>optimizer.effectiveBackend</c>, <c>trainBase</c>, …) are left out of both the
/// contract and the canonical form, because some depend on the machine (the default backend is
/// native-cpu only where libhybrid loads) and a run's id must not. Unknown fields are errors,
/// never silently ignored.
/// </summary>
public static class SettingsContract
{
    /// <summary>RunFolder.Json with derived properties removed and unknown members refused.</summary>
    public static readonly JsonSerializerOptions Json = new(RunFolder.Json)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SettableOnly } },
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    private static void SettableOnly(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        var ctorNames = info.Type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(c => c.GetParameters()).Select(p => p.Name ?? "").ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (int i = info.Properties.Count - 1; i >= 0; --i)
        {
            var p = info.Properties[i];
            bool settable = p.Set is not null || ctorNames.Contains(PropertyName(p));
            if (!settable) info.Properties.RemoveAt(i);
        }
    }

    private static string PropertyName(JsonPropertyInfo p) => (p.AttributeProvider as MemberInfo)?.Name ?? p.Name;

    /// <summary>A settable field: its JSON name, type, and whether it may be null.</summary>
    public sealed record Field(string Name, Type Type, bool AllowsNull);

    /// <summary>The settable fields of <paramref name="type"/> (JSON names, declaration order).</summary>
    public static IReadOnlyList<Field> Fields(Type type)
    {
        var info = Json.GetTypeInfo(Unwrap(type));
        return info.Kind == JsonTypeInfoKind.Object
            ? info.Properties.Select(p => new Field(p.Name, p.PropertyType,
                p.PropertyType.IsValueType ? Nullable.GetUnderlyingType(p.PropertyType) is not null : p.IsSetNullable)).ToList()
            : [];
    }

    /// <summary>
    /// The field at a dotted <paramref name="path"/> (<c>optimizer.lr</c>) of <paramref name="root"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A segment that is not a field; the message lists the valid ones.</exception>
    public static Field FieldAt(Type root, string path, string what)
    {
        var type = root;
        Field? field = null;
        string at = "";
        foreach (var segment in path.Split('.'))
        {
            var fields = Fields(type);
            if (fields.Count == 0)
                throw new ArgumentException($"{what} '{path}': '{at}' is {Describe(type)}, it has no field '{segment}'.");
            var match = fields.Where(f => f.Name == segment).ToList();
            if (match.Count == 0)
                throw new ArgumentException($"{what} '{path}': {(at == "" ? "the settings have" : $"'{at}' has")} no field '{segment}'; " +
                                            $"valid: {string.Join(", ", fields.Select(f => f.Name))}.");
            field = match[0];
            type = field.Type;
            at = at == "" ? segment : $"{at}.{segment}";
        }
        return field ?? throw new ArgumentException($"{what} is empty.");
    }

    /// <summary>
    /// Checks every field of <paramref name="node"/> (recursively into nested settings) against
    /// <paramref name="type"/>: known names, values of the right JSON type.
    /// </summary>
    /// <exception cref="ArgumentException">The first bad field, named with its dotted path.</exception>
    public static void CheckObject(JsonObject node, Type type, string what, string prefix = "")
    {
        foreach (var (name, value) in node)
        {
            string path = prefix + name;
            var field = FieldAt(type, name, what + (prefix == "" ? "" : $" '{prefix.TrimEnd('.')}'") + " field");
            if (value is JsonObject inner && Fields(field.Type).Count > 0)
                CheckObject(inner, Unwrap(field.Type), what, path + ".");
            else
                CheckValue(value, field, $"{what} field '{path}'");
        }
    }

    /// <summary>Checks that <paramref name="value"/> reads as <paramref name="field"/>'s type.</summary>
    /// <exception cref="ArgumentException">It does not; the message names <paramref name="what"/>, the value and the expected type.</exception>
    public static void CheckValue(JsonNode? value, Field field, string what)
    {
        var type = field.Type;
        try
        {
            var read = value.Deserialize(type, Json);
            if (read is null && !field.AllowsNull) throw new JsonException();
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"{what}: {Show(value)} is not {Describe(type)}" +
                                        (e is JsonException { Path: { Length: > 1 } p } && p != "$" ? $" (at {p.TrimStart('$', '.')})" : "") + ".");
        }
    }

    /// <summary>Reads settings of <paramref name="type"/> from <paramref name="node"/>.</summary>
    /// <exception cref="ArgumentException">A field that is unknown or of the wrong type.</exception>
    public static object Read(JsonObject node, Type type, string what)
    {
        CheckObject(node, type, what);
        try
        {
            return node.Deserialize(type, Json) ?? throw new ArgumentException($"{what}: empty settings.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{what}: {e.Message}");
        }
    }

    /// <summary>The settings as a JSON object (settable fields only, nulls left out).</summary>
    public static JsonObject ToNode(object settings) =>
        JsonSerializer.SerializeToNode(settings, settings.GetType(), Json)!.AsObject();

    /// <summary>The canonical one-line JSON of <paramref name="settings"/>: what a run's id is a hash of.</summary>
    public static string Canonical(object settings) => JsonSerializer.Serialize(settings, settings.GetType(), Compact);

    /// <summary>A JSON value as a short label ("0.01", "adam", "[8,4]").</summary>
    public static string Show(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    /// <summary>
    /// A JSON value as people read it in a report, a legend or a tick: a scalar as <see cref="Show"/> gives it, a list of
    /// scalars comma-joined (<c>["sgd"]</c> → <c>sgd</c>, <c>[8,4]</c> → <c>8, 4</c>), an object as <c>key=value</c> pairs
    /// (<c>name=sgd, lr=0.1</c>) with nested lists and objects as compact JSON; an empty list or object, or a list holding
    /// lists or objects, as compact JSON. Not an identity: <see cref="Show"/> is (plan.json), and <see cref="Labels"/>
    /// falls back to it where two values of an axis would read alike.
    /// </summary>
    public static string Label(JsonNode? value) => value switch
    {
        JsonArray { Count: > 0 } a when a.All(IsScalar) => string.Join(", ", a.Select(Show)),
        JsonObject { Count: > 0 } o => string.Join(", ", o.Select(kv => $"{kv.Key}={Show(kv.Value)}")),
        _ => Show(value),
    };

    /// <summary>The <see cref="Label"/> of each of an axis's values; where two would read alike (<c>["a","b"]</c> and
    /// <c>["a, b"]</c>), every value's <see cref="Show"/> instead, so that no two rows of a table look the same.</summary>
    public static IReadOnlyList<string> Labels(IReadOnlyList<JsonNode?> values)
    {
        var labels = values.Select(Label).ToList();
        return labels.Distinct(StringComparer.Ordinal).Count() == labels.Count ? labels : values.Select(Show).ToList();
    }

    private static bool IsScalar(JsonNode? node) => node is null or JsonValue;

    private static Type Unwrap(Type t) => Nullable.GetUnderlyingType(t) ?? t;

    /// <summary>"an integer", "a number", "a list of integers", …</summary>
    public static string Describe(Type type)
    {
        type = Unwrap(type);
        if (type == typeof(int) || type == typeof(long) || type == typeof(short)) return "an integer";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type))}";
        if (type.IsArray) return $"a list of {Describe(type.GetElementType()!).Replace("an ", "").Replace("a ", "")}s";
        return $"an object ({type.Name})";
    }
}
