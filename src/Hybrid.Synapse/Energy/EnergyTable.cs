using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy;

/// <summary>The price of one event in picojoules, and where the figure comes from.</summary>
public sealed record EnergyCost(double Picojoules, string Source);

/// <summary>
/// Energy per event, in picojoules, each figure with its source: what turns a ledger's counts into
/// an estimate. Events are named (<see cref="Events"/>: fp32Mac, lns8Mac, dram64, randomBit, …);
/// pricing an event the table lacks is an error naming it /// (an <see cref="InvalidDataException"/>), never a silent zero, so a table must be complete for the ledgers priced with it
/// (<see cref="Require"/> checks that before anything runs). The default,
/// <see cref="Horowitz45nm"/>, is Horowitz (ISSCC 2014, 45 nm) plus the LNS-Madam paper's
/// processing-element ratios anchored at Horowitz's float32 MAC. Every figure Hybrid shows from
/// it is a model estimate — counts of events times a per-event cost — not a measurement.
/// </summary>
public sealed class EnergyTable
{
    private readonly Dictionary<string, EnergyCost> _costs;

    /// <summary>A table of <paramref name="costs"/> described by <paramref name="source"/>.</summary>
    public EnergyTable(string source, IReadOnlyDictionary<string, EnergyCost> costs)
    {
        Source = source;
        _costs = new Dictionary<string, EnergyCost>(costs, StringComparer.Ordinal);
    }

    /// <summary>Where the table as a whole comes from.</summary>
    public string Source { get; }

    /// <summary>Every priced event.</summary>
    public IReadOnlyDictionary<string, EnergyCost> Costs => _costs;

    /// <summary>The price of <paramref name="evt"/> in pJ.</summary>
    /// <exception cref="InvalidDataException">The table has no such event (<see cref="MissingEnergyEventException"/>).</exception>
    public double this[string evt] =>
        _costs.TryGetValue(evt, out var c) ? c.Picojoules : throw MissingEnergyEventException.Create([evt], Source);

    /// <summary>Whether the table prices <paramref name="evt"/>.</summary>
    public bool Has(string evt) => _costs.ContainsKey(evt);

    /// <summary>Throws naming every event of <paramref name="events"/> the table lacks.</summary>
    public void Require(IEnumerable<string> events)
    {
        var missing = events.Distinct().Where(e => !_costs.ContainsKey(e)).OrderBy(e => e, StringComparer.Ordinal).ToList();
        if (missing.Count > 0) throw MissingEnergyEventException.Create(missing, Source);
    }

    /// <summary>The default: Horowitz 45 nm primitives and memories, and MACs per operand format.</summary>
    public static readonly EnergyTable Horowitz45nm = MakeDefault();

    private static EnergyTable MakeDefault()
    {
        const string h = "Horowitz, ISSCC 2014, 45 nm";
        const string lns = "LNS-Madam (Zhao et al., IEEE TC 2022): an 8-bit LNS PE is 11x / 4.6x / 2.2x more efficient than " +
                           "FP32 / FP16 / FP8 PEs (gate level, sub-16 nm); used as ratios to Horowitz's fp32 MAC (3.7 + 0.9 pJ)";
        double fp32Mac = 3.7 + 0.9, lns8 = fp32Mac / 11;
        var c = new Dictionary<string, EnergyCost>
        {
            [Events.Int8Add] = new(0.03, h),
            [Events.Int32Add] = new(0.1, h),
            [Events.Int8Mult] = new(0.2, h),
            [Events.Int32Mult] = new(3.1, h),
            [Events.Fp16Add] = new(0.4, h),
            [Events.Fp16Mult] = new(1.1, h),
            [Events.Fp32Add] = new(0.9, h),
            [Events.Fp32Mult] = new(3.7, h),
            [Events.Mac(NumberKind.Fp32, 32)] = new(fp32Mac, h + ": fp32 multiply + add"),
            [Events.Mac(NumberKind.Fp16, 16)] = new(1.1 + 0.4, h + ": fp16 multiply + add"),
            [Events.Mac(NumberKind.Int8, 8)] = new(0.2 + 0.1, h + ": int8 multiply + int32 accumulate"),
            [Events.Mac(NumberKind.Fp8E4M3, 8)] = new(lns8 * 2.2, lns + "; FP8 = 2.2 x LNS8"),
            [Events.Mac(NumberKind.Lns, 8)] = new(lns8, lns + "; LNS8 = fp32 MAC / 11"),
            [Events.LnsExponentAdd] = new(0, "included in lns8Mac (the PE figure covers the exponent add)"),
            [Events.LnsBucketAccumulate] = new(0, "included in lns8Mac (the PE figure covers the shift and bucket add)"),
            // decision (issue 25): the bucket scalings and sums are the PE's LNS-to-integer conversion and partial-sum
            // accumulation, which the LNS-Madam PE figure includes (its abstract: the datapath "reduces energy overhead
            // incurred by LNS-to-integer conversion and partial sum accumulation"); counted, priced here at 0
            [Events.LnsBucketScale] = new(0, "included in lns8Mac: the LNS-Madam PE figure covers its LNS-to-integer conversion (a table may price it: one int32 multiply per bucket and output is 3.1 pJ)"),
            [Events.LnsBucketSum] = new(0, "included in lns8Mac: the LNS-Madam PE figure covers its partial-sum accumulation (a table may price it: one int32 add is 0.1 pJ)"),
            [Events.Quantize(NumberKind.Lns)] = new(3.1, "assumption: one int32 multiply's worth (leading-one detection and a gamma-entry table) per value converted to LNS"),
            [Events.Quantize(NumberKind.Fp8E4M3)] = new(3.7, "assumption: one fp32 multiply (per-tensor scale) per value converted to FP8"),
            [Events.Quantize(NumberKind.Int8)] = new(3.7, "assumption: one fp32 multiply (per-tensor scale) per value converted to INT8"),
            [Events.Quantize(NumberKind.Fp16)] = new(0.1, "assumption: rounding float32 to a 16-bit float is one int32 add (round to nearest even)"),
            [Events.DecodeLns] = new(3.1, "assumption: priced as quantizeLns, an upper bound (sign, exponent field and a gamma-entry mantissa table)"),
            [Events.RandomBit] = new(16.5 / 32, "Philox4x32-10 from Horowitz int32 ops: (20 x 3.1 + 40 x 0.1) pJ per 4 words of 32 bits"),
            [Events.Sram(8)] = new(10, h + ": 64-bit access of an 8 KB SRAM"),
            [Events.Sram(32)] = new(20, h + ": 64-bit access of a 32 KB SRAM"),
            [Events.Sram(1024)] = new(100, h + ": 64-bit access of a 1 MB SRAM"),
            // the dataflow model: Eyeriss's relative costs (register file 1x, PE array 2x, global buffer 6x, DRAM 200x a
            // 16-bit MAC), anchored so that 200x is Horowitz's DRAM access per 16 bits (1300 pJ / 4)
            [Events.RegisterFile16] = new(1300.0 / 4 / 200, "Eyeriss (Chen, Emer, Sze, ISCA 2016): a register-file access costs 1x a MAC, DRAM 200x; anchored at Horowitz's DRAM per 16 bits"),
            [Events.Array16] = new(2 * 1300.0 / 4 / 200, "Eyeriss (ISCA 2016): moving a word across the PE array costs 2x a MAC; anchored as rf16"),
            [Events.Dram64] = new(1300, h + ": 64-bit DRAM access, lower end of 1.3-2.6 nJ"),
            [Events.DevicePulse] = new(1.0, "assumption: one programming pulse of a filamentary RRAM-like device, " +
                                            "V x I x t = 1 V x 10 uA x 100 ns = 1 pJ; replace with the device's measured figure"),
        };
        foreach (long kib in InterpolatedSramKib) c[Events.Sram(kib)] = new(SramPj(kib), SramSource(kib));
        return new EnergyTable("Horowitz ISSCC 2014 (45 nm) with LNS-Madam PE ratios", c);
    }

    /// <summary>SRAM sizes (KiB) the default table prices by interpolating Horowitz's three figures (8 KB 10 pJ, 32 KB
    /// 20 pJ, 1 MB 100 pJ per 64-bit access) linearly in log(size)–log(energy), and beyond 1 MB by extending the last
    /// segment's slope (energy ∝ size^0.46): estimates, labelled as such, for the curves over SRAM size.</summary>
    public static IReadOnlyList<long> InterpolatedSramKib => [16, 64, 128, 256, 512, 2048, 4096, 8192, 16384, 32768, 65536];

    /// <summary>The interpolated 64-bit access energy of an SRAM of <paramref name="kib"/> KiB (see <see cref="InterpolatedSramKib"/>).</summary>
    public static double SramPj(double kib)
    {
        (double Kib, double Pj)[] points = [(8, 10), (32, 20), (1024, 100)];
        int seg = kib <= 32 ? 0 : 1;
        var (k0, e0) = points[seg];
        var (k1, e1) = points[seg + 1];
        double slope = Math.Log(e1 / e0) / Math.Log(k1 / k0);
        return e0 * Math.Pow(kib / k0, slope);
    }

    private static string SramSource(long kib) => kib > 1024
        ? "extrapolated from Horowitz's 32 KB and 1 MB figures (energy ~ size^0.46): an estimate beyond his largest SRAM"
        : "interpolated log-log between Horowitz's 8 KB / 32 KB / 1 MB SRAM figures: an estimate";

    /// <summary>This table as JSON (the format <see cref="Load"/> reads).</summary>
    public string ToJson()
    {
        var events = new JsonObject();
        foreach (var (name, cost) in _costs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            events[name] = new JsonObject { ["pj"] = cost.Picojoules, ["source"] = cost.Source };
        return new JsonObject { ["source"] = Source, ["events"] = events }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Reads a table from JSON: <c>{"source": "…", "events": {"fp32Add": 0.9, "lns8Mac": {"pj": 0.42, "source": "…"}}}</c>.
    /// Each event is a number (pJ) or an object with "pj" and an optional "source"; every price must be finite
    /// and ≥ 0. The table replaces the default entirely: an event it lacks is an error when a ledger needs it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such a table; the message names the file and the problem.</exception>
    public static EnergyTable Load(string path)
    {
        string text;
        try { text = Files.RegularFile.ReadText(path, "an energy table (JSON)"); }
        catch (FileNotFoundException e)
        {
            throw new InvalidDataException($"energy table {path}: cannot read it ({e.Message}).", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses a table (see <see cref="Load"/>); <paramref name="name"/> appears in errors.</summary>
    public static EnergyTable Parse(string json, string name)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
                AllowDuplicateProperties = false, // a key given twice is an error, never "the last one wins" (issue 15 item 9)
            }); }
        catch (JsonException e) { throw new InvalidDataException($"energy table {name}: not valid JSON ({e.Message}).", e); }
        if (root is not JsonObject obj)
            throw new InvalidDataException($"energy table {name}: expected a JSON object with \"events\" (prices in pJ).");
        foreach (var (key, _) in obj)
            if (key is not ("source" or "events"))
                throw new InvalidDataException($"energy table {name}: unknown key '{key}'; valid: source, events.");
        if (obj["events"] is not JsonObject events)
            throw new InvalidDataException($"energy table {name}: \"events\" must be an object of event → pJ.");
        var costs = new Dictionary<string, EnergyCost>(StringComparer.Ordinal);
        foreach (var (evt, value) in events)
        {
            if (evt.Length == 0 || !evt.All(char.IsAsciiLetterOrDigit))
                throw new InvalidDataException($"energy table {name}: event name '{evt}' must be letters and digits (e.g. fp32Mac).");
            double pj;
            string source = name;
            if (value is JsonObject o)
            {
                foreach (var (k, _) in o)
                    if (k is not ("pj" or "source"))
                        throw new InvalidDataException($"energy table {name}: event '{evt}' has unknown key '{k}'; valid: pj, source.");
                pj = Number(o["pj"], name, evt);
                if (o["source"] is JsonValue sv && sv.TryGetValue(out string? s)) source = s;
            }
            else pj = Number(value, name, evt);
            costs[evt] = new EnergyCost(pj, source);
        }
        string tableSource = obj["source"] is JsonValue v && v.TryGetValue(out string? ts) ? ts : name;
        return new EnergyTable(tableSource, costs);
    }

    private static double Number(JsonNode? node, string name, string evt)
    {
        if (node is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d) && d >= 0) return d;
        throw new InvalidDataException($"energy table {name}: '{evt}' must be a finite number >= 0 (pJ), not {node?.ToJsonString() ?? "nothing"}.");
    }
}

/// <summary>The error for events an energy table lacks: an <see cref="InvalidDataException"/> naming every one
/// (also listed in its <c>Data["events"]</c>).</summary>
public static class MissingEnergyEventException
{
    /// <summary>The exception for <paramref name="events"/> missing from the table described by <paramref name="table"/>.</summary>
    public static InvalidDataException Create(IReadOnlyList<string> events, string table)
    {
        var e = new InvalidDataException($"energy table '{table}' has no price for {string.Join(", ", events)}; add " +
                                         (events.Count == 1 ? "it" : "them") + " to the table (pJ per event).");
        e.Data["events"] = events.ToArray();
        return e;
    }

    /// <summary>The events an exception from <see cref="Create"/> names (empty for any other exception).</summary>
    public static IReadOnlyList<string> EventsOf(Exception e) => e.Data["events"] as string[] ?? [];
}
