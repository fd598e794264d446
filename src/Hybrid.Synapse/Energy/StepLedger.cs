namespace Hybrid.Synapse.Energy;

/// <summary>The passes of a training step.</summary>
public enum Pass
{
    /// <summary>y = x·Wᵀ (+ b), and the quantisers of weights and activations.</summary>
    Forward = 0,
    /// <summary>The error into the layer below: e_in = e·W.</summary>
    BackwardData = 1,
    /// <summary>The weight gradient: ∇W = eᵀ·x, and the quantisers of errors and gradients.</summary>
    BackwardWeight = 2,
    /// <summary>The optimiser step.</summary>
    Update = 3,
}

/// <summary>Events of one kind in one layer and pass.</summary>
public sealed record ComputeEntry(string Layer, Pass Pass, string Event, double Count);

/// <summary>Bytes one pass of one layer reads and writes of one tensor.</summary>
public sealed record TrafficEntry(string Layer, Pass Pass, string Tensor, double BytesRead, double BytesWritten);

/// <summary>
/// The events of one training step (or a sum of steps), per layer and pass: arithmetic by kind
/// (MACs by operand format, LNS datapath events, quantiser conversions, the update step, random
/// bits) and memory traffic by tensor with each tensor's footprint. <see cref="Price"/> places the
/// tensors in a <see cref="MemoryHierarchy"/> and prices everything with an <see cref="EnergyTable"/>.
/// Built by <see cref="StepCosts.Count"/>.
/// </summary>
public sealed class StepLedger(IReadOnlyList<ComputeEntry> compute, IReadOnlyList<TrafficEntry> traffic,
    IReadOnlyDictionary<string, double> footprints)
{
    /// <summary>Arithmetic events.</summary>
    public IReadOnlyList<ComputeEntry> Compute { get; } = compute;
    /// <summary>Memory traffic.</summary>
    public IReadOnlyList<TrafficEntry> Traffic { get; } = traffic;
    /// <summary>Bytes each tensor occupies (what placement works from).</summary>
    public IReadOnlyDictionary<string, double> Footprints { get; } = footprints;

    /// <summary>The total count of <paramref name="evt"/> (optionally in one pass).</summary>
    public double Count(string evt, Pass? pass = null) =>
        Compute.Where(c => c.Event == evt && (pass is null || c.Pass == pass)).Sum(c => c.Count);

    /// <summary>Bytes read plus written of <paramref name="tensor"/> (optionally in one pass).</summary>
    public double Bytes(string tensor, Pass? pass = null) =>
        Traffic.Where(t => t.Tensor == tensor && (pass is null || t.Pass == pass)).Sum(t => t.BytesRead + t.BytesWritten);

    /// <summary>Every event pricing this ledger in <paramref name="memory"/> needs.</summary>
    public IEnumerable<string> EventsNeeded(MemoryHierarchy memory) =>
        Compute.Select(c => c.Event).Concat(memory.EventsFor(Place(memory).Values)).Distinct();

    /// <summary>Where each tensor lives (<see cref="MemoryHierarchy.Place"/>).</summary>
    public IReadOnlyDictionary<string, MemoryLevel> Place(MemoryHierarchy memory) =>
        memory.Place(Footprints, Traffic.GroupBy(t => t.Tensor).ToDictionary(g => g.Key, g => g.Sum(t => t.BytesRead + t.BytesWritten)));

    /// <summary>The energy of every layer and pass, compute and memory apart.</summary>
    /// <exception cref="InvalidDataException">The table lacks events this ledger needs (all of them are named).</exception>
    public PricedStep Price(EnergyTable table, MemoryHierarchy memory)
    {
        var place = Place(memory);
        table.Require(EventsNeeded(memory));
        var cells = new Dictionary<(string, Pass), (double Compute, double Sram, double Dram)>();
        foreach (var c in Compute)
        {
            var k = (c.Layer, c.Pass);
            var v = cells.GetValueOrDefault(k);
            cells[k] = (v.Compute + c.Count * table[c.Event], v.Sram, v.Dram);
        }
        foreach (var t in Traffic)
        {
            var k = (t.Layer, t.Pass);
            var v = cells.GetValueOrDefault(k);
            var level = place[t.Tensor];
            double pj = (t.BytesRead + t.BytesWritten) / 8.0 * table[memory.EventOf(level)];
            cells[k] = level == MemoryLevel.Sram ? (v.Compute, v.Sram + pj, v.Dram) : (v.Compute, v.Sram, v.Dram + pj);
        }
        var rows = cells.Select(kv => new PricedCell(kv.Key.Item1, kv.Key.Item2, kv.Value.Compute, kv.Value.Sram, kv.Value.Dram))
            .OrderBy(c => c.Layer, StringComparer.Ordinal).ThenBy(c => c.Pass).ToList();
        return new PricedStep(rows, place);
    }

    /// <summary>This ledger with every count and byte scaled by <paramref name="k"/> (footprints unchanged).</summary>
    public StepLedger Scale(double k) => new(
        Compute.Select(c => c with { Count = c.Count * k }).ToList(),
        Traffic.Select(t => t with { BytesRead = t.BytesRead * k, BytesWritten = t.BytesWritten * k }).ToList(),
        Footprints);

    /// <summary>The sum of two ledgers (footprints: the larger of each tensor's).</summary>
    public static StepLedger operator +(StepLedger a, StepLedger b)
    {
        var fp = new Dictionary<string, double>(a.Footprints);
        foreach (var (k, v) in b.Footprints) fp[k] = Math.Max(v, fp.GetValueOrDefault(k));
        return new StepLedger([.. a.Compute, .. b.Compute], [.. a.Traffic, .. b.Traffic], fp);
    }
}

/// <summary>The energy of one layer and pass, in pJ.</summary>
public sealed record PricedCell(string Layer, Pass Pass, double ComputePj, double SramPj, double DramPj)
{
    /// <summary>Memory energy.</summary>
    public double MemoryPj => SramPj + DramPj;
    /// <summary>Everything.</summary>
    public double TotalPj => ComputePj + SramPj + DramPj;
}

/// <summary>A priced step: energy per layer and pass, and where each tensor was placed.</summary>
public sealed record PricedStep(IReadOnlyList<PricedCell> Cells, IReadOnlyDictionary<string, MemoryLevel> Placement)
{
    /// <summary>Total energy in pJ.</summary>
    public double TotalPj => Cells.Sum(c => c.TotalPj);
    /// <summary>Arithmetic energy in pJ.</summary>
    public double ComputePj => Cells.Sum(c => c.ComputePj);
    /// <summary>Memory energy in pJ.</summary>
    public double MemoryPj => Cells.Sum(c => c.MemoryPj);
    /// <summary>Energy of one pass (all layers): compute and memory.</summary>
    public (double ComputePj, double MemoryPj) OfPass(Pass pass) =>
        (Cells.Where(c => c.Pass == pass).Sum(c => c.ComputePj), Cells.Where(c => c.Pass == pass).Sum(c => c.MemoryPj));
}
