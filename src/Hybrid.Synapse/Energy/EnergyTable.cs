using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hybrid.Synapse.Energy;

/// <summary>
/// Energy per event, in picojoules: what turns a <see cref="Ledger"/>'s counts into an estimate.
/// The default is Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC
/// 2014, 45 nm, as quoted in SCIENCE.md. Every figure Hybrid shows from it is a model
/// estimate — counts of events times a per-event cost — not a measurement.
/// </summary>
/// <param name="Int8Add">8-bit integer add (0.03 pJ).</param>
/// <param name="Int32Add">32-bit integer add (0.1 pJ); used for code updates wider than 8 bits.</param>
/// <param name="Int8Mult">8-bit integer multiply (0.2 pJ).</param>
/// <param name="Int32Mult">32-bit integer multiply (3.1 pJ).</param>
/// <param name="Fp32Add">float32 add (0.9 pJ).</param>
/// <param name="Fp32Mult">float32 multiply (3.7 pJ); divisions and square roots are counted as multiplies.</param>
/// <param name="Memory64">One 64-bit access of the memory holding weights and optimiser state (8 KB SRAM: 10 pJ;
/// DRAM would be 1300–2600).</param>
/// <param name="RandomBit">One random bit: Philox4x32-10 costs 20 32-bit multiplies and about 40 32-bit adds/xors
/// per 128 bits, so (20 · 3.1 + 40 · 0.1) / 128 = 0.516 pJ. A stochastic rounding draws r of them (4 … 32, the
/// model's random_bits); replace the figure with a cheaper generator's (an LFSR) to study that choice.</param>
/// <param name="Source">Where the numbers come from.</param>
public sealed record EnergyTable(double Int8Add, double Int32Add, double Int8Mult, double Int32Mult, double Fp32Add,
    double Fp32Mult, double Memory64, double RandomBit, string Source)
{
    /// <summary>Horowitz (ISSCC 2014), 45 nm, with on-chip SRAM for weights and state.</summary>
    public static readonly EnergyTable Horowitz45nm = new(0.03, 0.1, 0.2, 3.1, 0.9, 3.7, 10, 66.0 / 128,
        "Horowitz, ISSCC 2014, 45 nm (8 KB SRAM for weights and state; random bit = Philox4x32-10 from int32 ops / 128)");

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>This table as JSON (the format <see cref="Load"/> reads).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>
    /// Reads a table from JSON: every cost (int8Add, int32Add, int8Mult, int32Mult, fp32Add, fp32Mult,
    /// memory64, randomBit) must be present, finite and ≥ 0; "source" is optional; unknown keys are errors.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such a table; the message names the file and the problem.</exception>
    public static EnergyTable Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"energy table {path}: cannot read it ({e.Message}).", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses a table (see <see cref="Load"/>); <paramref name="name"/> appears in errors.</summary>
    public static EnergyTable Parse(string json, string name)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InvalidDataException($"energy table {name}: not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"energy table {name}: expected a JSON object of costs in pJ.");
            string[] keys = ["int8Add", "int32Add", "int8Mult", "int32Mult", "fp32Add", "fp32Mult", "memory64", "randomBit"];
            var values = new Dictionary<string, double>();
            var seen = new HashSet<string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name))
                    throw new InvalidDataException($"energy table {name}: key '{p.Name}' appears twice; each cost is given once.");
                if (p.Name == "source") continue;
                if (!keys.Contains(p.Name))
                    throw new InvalidDataException($"energy table {name}: unknown key '{p.Name}'; valid: {string.Join(", ", keys)}, source.");
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out double v) || !double.IsFinite(v) || v < 0)
                    throw new InvalidDataException($"energy table {name}: '{p.Name}' must be a finite number >= 0 (pJ), not {p.Value}.");
                values[p.Name] = v;
            }
            var missing = keys.Where(k => !values.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"energy table {name}: missing {string.Join(", ", missing)}.");
            string source = doc.RootElement.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()! : name;
            return new EnergyTable(values["int8Add"], values["int32Add"], values["int8Mult"], values["int32Mult"],
                values["fp32Add"], values["fp32Mult"], values["memory64"], values["randomBit"], source);
        }
    }
}
