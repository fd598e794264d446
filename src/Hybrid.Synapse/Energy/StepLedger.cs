using Hybrid.Synapse.Energy.Dataflow;

namespace Hybrid.Synapse.Energy;

/// <summary>The passes of a training step.</summary>
public enum Pass
{
    /// <summary>y = x·Wᵀ (+ b), float operations, and the quantisers of weights and activations.</summary>
    Forward = 0,
    /// <summary>The errors into the layer below: e_in = e·W, and the backward of float operations.</summary>
    BackwardData = 1,
    /// <summary>Parameter gradients: ∇W = eᵀ·x, and the quantisers of errors and gradients.</summary>
    BackwardWeight = 2,
    /// <summary>The optimiser step.</summary>
    Update = 3,
}

/// <summary>Events of one kind in one layer and pass; <see cref="Option"/> names the alternative of a
/// <see cref="LedgerChoice"/> it belongs to ("key=option"; null: always counted).</summary>
public sealed record ComputeEntry(string Layer, Pass Pass, string Event, double Count)
{
    /// <summary>The choice alternative this entry belongs to, or null.</summary>
    public string? Option { get; init; }
}

/// <summary>
/// Bytes one pass of one layer reads and writes of one tensor, at the tensor's home level (SRAM or DRAM).
/// <see cref="Phase"/> orders the step (forward layers, then backward layers in reverse, then updates): a tensor
/// lives from its first to its last access. <see cref="Operand"/>: the access is an operand of a GEMM, which the
/// dataflow memory model re-counts through its loop nest.
/// </summary>
public sealed record TrafficEntry(string Layer, Pass Pass, string Tensor, double BytesRead, double BytesWritten)
{
    /// <summary>Position in the step's order.</summary>
    public int Phase { get; init; }
    /// <summary>The choice alternative this entry belongs to, or null.</summary>
    public string? Option { get; init; }
    /// <summary>The GEMM operand this access is (null: not a GEMM operand).</summary>
    public GemmOperand? Operand { get; init; }
}

/// <summary>An access that is operand <paramref name="Index"/> of GEMM <paramref name="Gemm"/>
/// (<see cref="LoopProblem.Operands"/>), whose values take <paramref name="WordBytes"/> bytes on chip (the GEMM format).</summary>
public sealed record GemmOperand(string Gemm, int Index, double WordBytes);

/// <summary>A GEMM (or convolution) of one layer and pass, as a loop nest the dataflow model maps.</summary>
public sealed record GemmRecord(string Id, string Layer, Pass Pass, LoopProblem Problem);

/// <summary>How long a tensor occupies memory.</summary>
public enum TensorLifetime
{
    /// <summary>From its first access to its last within the step (activations, errors, gradients).</summary>
    Transient = 0,
    /// <summary>Across steps (weights, optimiser state).</summary>
    Persistent = 1,
    /// <summary>Off chip by definition (the data set).</summary>
    External = 2,
}

/// <summary>A tensor of the step: its footprint in bytes, lifetime, and the order it was created in (the last
/// tie-break of placement).</summary>
public sealed record LedgerTensor(string Name, double Bytes, TensorLifetime Lifetime, int Order);

/// <summary>
/// Two ways to get a GEMM operand into its format for a second pass: <see cref="Lean"/> (re-read the stored tensor and
/// convert it again; no new tensor) or <see cref="Alternative"/> (write a converted copy in the first pass and read it
/// in the second). Pricing takes the cheaper (<see cref="StepLedger.Price"/>).
/// </summary>
/// <param name="Key">The copy tensor's name; entries say "Key=Lean" or "Key=Alternative".</param>
/// <param name="Source">The stored tensor both alternatives start from.</param>
public sealed record LedgerChoice(string Key, string Source)
{
    /// <summary>Re-read and convert.</summary>
    public const string Lean = "requantize";
    /// <summary>Keep a converted copy.</summary>
    public const string Alternative = "copy";

    /// <summary>The option tag of <paramref name="option"/>.</summary>
    public string Tag(string option) => $"{Key}={option}";
}

/// <summary>
/// The events of one training step, per layer and pass: arithmetic by kind (MACs by operand format, LNS datapath
/// events, quantiser conversions, float operations, the update step, random bits) and memory traffic by tensor,
/// with each tensor's footprint and lifetime, the copy-or-reconvert choices, and the GEMMs as loop nests.
/// <see cref="Price"/> places the tensors in a <see cref="MemoryHierarchy"/> and prices everything with an
/// <see cref="EnergyTable"/>. Built by <see cref="StepCosts"/>.
/// </summary>
public sealed class StepLedger
{
    /// <summary>A ledger of these entries.</summary>
    public StepLedger(IReadOnlyList<ComputeEntry> compute, IReadOnlyList<TrafficEntry> traffic, IReadOnlyList<LedgerTensor> tensors,
        IReadOnlyList<LedgerChoice>? choices = null, IReadOnlyList<GemmRecord>? gemms = null)
    {
        Compute = compute;
        Traffic = traffic;
        Tensors = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Choices = choices ?? [];
        Gemms = gemms ?? [];
        foreach (var t in traffic.Where(t => !Tensors.ContainsKey(t.Tensor)))
            throw new InvalidOperationException($"tensor '{t.Tensor}' is accessed but has no footprint.");
    }

    /// <summary>Arithmetic events (every alternative of every choice).</summary>
    public IReadOnlyList<ComputeEntry> Compute { get; }
    /// <summary>Memory traffic (every alternative of every choice).</summary>
    public IReadOnlyList<TrafficEntry> Traffic { get; }
    /// <summary>Every tensor, by name.</summary>
    public IReadOnlyDictionary<string, LedgerTensor> Tensors { get; }
    /// <summary>Copy-or-reconvert choices.</summary>
    public IReadOnlyList<LedgerChoice> Choices { get; }
    /// <summary>The GEMMs, as loop nests.</summary>
    public IReadOnlyList<GemmRecord> Gemms { get; }

    /// <summary>Bytes each tensor occupies.</summary>
    public IReadOnlyDictionary<string, double> Footprints => Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Bytes, StringComparer.Ordinal);

    /// <summary>The total count of <paramref name="evt"/> (optionally in one pass), with the choices made by
    /// <paramref name="chosen"/> (null: entries of no choice only).</summary>
    public double Count(string evt, Pass? pass = null, IReadOnlySet<string>? chosen = null) =>
        Compute.Where(c => c.Event == evt && (pass is null || c.Pass == pass) && Active(c.Option, chosen)).Sum(c => c.Count);

    /// <summary>Bytes read plus written of <paramref name="tensor"/> (optionally in one pass; choices as in <see cref="Count"/>).</summary>
    public double Bytes(string tensor, Pass? pass = null, IReadOnlySet<string>? chosen = null) =>
        Traffic.Where(t => t.Tensor == tensor && (pass is null || t.Pass == pass) && Active(t.Option, chosen)).Sum(t => t.BytesRead + t.BytesWritten);

    internal static bool Active(string? option, IReadOnlySet<string>? chosen) => option is null || (chosen?.Contains(option) ?? false);

    /// <summary>Every event pricing this ledger in <paramref name="memory"/> may need (every alternative, both levels
    /// where anything could land in either).</summary>
    public IEnumerable<string> EventsNeeded(MemoryHierarchy memory) =>
        Compute.Select(c => c.Event).Concat(memory.EventsFor(this)).Distinct();

    /// <summary>The choices pricing takes, and where each tensor then lives (<see cref="StepPricing"/>).</summary>
    public (IReadOnlySet<string> Chosen, Placement Placement) Resolve(EnergyTable table, MemoryHierarchy memory) =>
        StepPricing.Resolve(this, table, memory);

    /// <summary>Where each tensor lives with the choices pricing makes.</summary>
    public Placement Place(MemoryHierarchy memory, EnergyTable? table = null) => Resolve(table ?? EnergyTable.Horowitz45nm, memory).Placement;

    /// <summary>The energy of every layer and pass, compute and memory apart, under <paramref name="memory"/>'s model.</summary>
    /// <exception cref="InvalidDataException">The table lacks events this ledger needs (all of them are named).</exception>
    public PricedStep Price(EnergyTable table, MemoryHierarchy memory) => StepPricing.Price(this, table, memory);

    /// <summary>This ledger with every count and byte scaled by <paramref name="k"/> (footprints unchanged).</summary>
    public StepLedger Scale(double k) => new(
        Compute.Select(c => c with { Count = c.Count * k }).ToList(),
        Traffic.Select(t => t with { BytesRead = t.BytesRead * k, BytesWritten = t.BytesWritten * k }).ToList(),
        Tensors.Values.ToList(), Choices, Gemms.Select(g => g with { Problem = g.Problem with { Repeat = g.Problem.Repeat * k } }).ToList());
}

/// <summary>The energy of one layer and pass, in pJ: compute, and memory by level (register files and the PE array
/// only in the dataflow model).</summary>
public sealed record PricedCell(string Layer, Pass Pass, double ComputePj, double SramPj, double DramPj, double RegisterPj = 0, double ArrayPj = 0)
{
    /// <summary>Memory energy.</summary>
    public double MemoryPj => SramPj + DramPj + RegisterPj + ArrayPj;
    /// <summary>Everything.</summary>
    public double TotalPj => ComputePj + MemoryPj;
}

/// <summary>A priced step: energy per layer and pass, where each tensor was placed, and which copies were kept.</summary>
public sealed record PricedStep(IReadOnlyList<PricedCell> Cells, Placement Placement, IReadOnlySet<string> Chosen)
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
    /// <summary>Memory energy by level: SRAM, DRAM, register files, PE array.</summary>
    public (double Sram, double Dram, double Register, double Array) MemoryByLevel =>
        (Cells.Sum(c => c.SramPj), Cells.Sum(c => c.DramPj), Cells.Sum(c => c.RegisterPj), Cells.Sum(c => c.ArrayPj));
}
