namespace Hybrid.Synapse.Energy.Architectures;

/// <summary>One priced row: its step's energy per layer and pass, and the counts behind it.</summary>
public sealed record CostResult(CostRow Row, PricedStep Priced, double Macs, double StateBytes, double WeightBytes)
{
    /// <summary>Energy by pass, compute and memory.</summary>
    public IReadOnlyList<(Pass Pass, double ComputePj, double MemoryPj)> Passes =>
        Enum.GetValues<Pass>().Select(p => { var (c, m) = Priced.OfPass(p); return (p, c, m); }).ToList();
}

/// <summary>A ratio of two rows' step energies at one point of a curve.</summary>
/// <param name="Row">The row.</param>
/// <param name="Baseline">The row it is compared with (named beside every ratio).</param>
/// <param name="X">The curve's parameter (SRAM KiB, moment bits).</param>
/// <param name="RowPj">The row's energy.</param>
/// <param name="BaselinePj">The baseline's energy.</param>
public sealed record RatioPoint(string Row, string Baseline, double X, double RowPj, double BaselinePj)
{
    /// <summary>How many times less energy the row takes than the baseline.</summary>
    public double Ratio => BaselinePj / RowPj;
}

/// <summary>
/// Prices rows on a network (no training): the full-step energy of every row, and the curves of issue 25 — the energy
/// ratio of each row against a named baseline over SRAM size and over optimiser-state precision. Library computation
/// only (no files, no console): <c>hybrid cost</c> and <c>hybrid compare</c> present it.
/// </summary>
public static class CostStudy
{
    /// <summary>Every row of <paramref name="rows"/> on <paramref name="network"/> at <paramref name="batch"/>.</summary>
    public static IReadOnlyList<CostResult> Price(NetworkSpec network, long batch, IReadOnlyList<CostRow> rows, EnergyTable table, MemoryHierarchy memory)
    {
        var results = new List<CostResult>();
        foreach (var row in rows)
        {
            var ledger = StepCosts.Count(network, batch, row.Formats, row.Update);
            var priced = ledger.Price(table, memory);
            double macs = ledger.Compute.Where(c => c.Event.EndsWith("Mac", StringComparison.Ordinal)).Sum(c => c.Count);
            double state = ledger.Tensors.Values.Where(t => t.Name.EndsWith(".state", StringComparison.Ordinal)).Sum(t => t.Bytes);
            double weights = ledger.Tensors.Values.Where(t => t.Lifetime == TensorLifetime.Persistent && !t.Name.EndsWith(".state", StringComparison.Ordinal)).Sum(t => t.Bytes);
            results.Add(new CostResult(row, priced, macs, state, weights));
        }
        return results;
    }

    /// <summary>SRAM sizes (KiB) the curves run over: 0 and every size the table prices.</summary>
    public static IReadOnlyList<long> SramSizes(EnergyTable table) =>
        [0, .. table.Costs.Keys.Select(SramKib).Where(k => k > 0).Select(k => k!.Value).Distinct().Order()];

    private static long? SramKib(string evt) =>
        evt.StartsWith("sram", StringComparison.Ordinal) && evt.EndsWith("KiB64", StringComparison.Ordinal) &&
        long.TryParse(evt[4..^5], out long k) ? k : null;

    /// <summary>The ratio of every row against each of <paramref name="baselines"/> at each SRAM size of <paramref name="sramKib"/>.</summary>
    public static IReadOnlyList<RatioPoint> OverSram(NetworkSpec network, long batch, IReadOnlyList<CostRow> rows, IReadOnlyList<string> baselines,
        IReadOnlyList<long> sramKib, EnergyTable table, MemoryHierarchy memory)
    {
        var ledgers = rows.ToDictionary(r => r.Key, r => StepCosts.Count(network, batch, r.Formats, r.Update));
        foreach (var b in baselines.Where(b => !ledgers.ContainsKey(b)))
            throw new ArgumentException($"baseline '{b}' is not a row; rows: {string.Join(", ", ledgers.Keys)}.", nameof(baselines));
        var points = new List<RatioPoint>();
        foreach (long kib in sramKib)
        {
            var m = memory with { SramBytes = 1024 * kib };
            var pj = ledgers.ToDictionary(kv => kv.Key, kv => kv.Value.Price(table, m).TotalPj);
            foreach (var b in baselines)
                foreach (var r in rows) points.Add(new RatioPoint(r.Key, b, kib, pj[r.Key], pj[b]));
        }
        return points;
    }

    /// <summary>The ratio of each row with its moments at fp32, bf16 and FP8 (x: bits a moment value) against
    /// <paramref name="baseline"/> as given (its own state precision).</summary>
    public static IReadOnlyList<RatioPoint> OverMomentPrecision(NetworkSpec network, long batch, IReadOnlyList<CostRow> rows, string baseline,
        EnergyTable table, MemoryHierarchy memory)
    {
        var b = rows.SingleOrDefault(r => r.Key == baseline) ?? throw new ArgumentException($"baseline '{baseline}' is not a row.", nameof(baseline));
        double bp = StepCosts.Count(network, batch, b.Formats, b.Update).Price(table, memory).TotalPj;
        var points = new List<RatioPoint>();
        foreach (var r in rows)
            foreach (var (f, bits) in new[] { (StateFormat.Fp32, 32), (StateFormat.Bf16, 16), (StateFormat.Fp8, 8) })
            {
                var u = r.Update with { MomentFormat = f };
                if (u.Rule != UpdateRule.Adam && u.Moment == Hybrid.Synapse.MomentMode.None) continue;
                double pj = StepCosts.Count(network, batch, r.Formats, u).Price(table, memory).TotalPj;
                points.Add(new RatioPoint(r.Key, baseline, bits, pj, bp));
            }
        return points;
    }
}
