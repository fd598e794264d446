using Hybrid.Synapse.Energy.Dataflow;

namespace Hybrid.Synapse.Energy;

/// <summary>Where a tensor lives.</summary>
public enum MemoryLevel
{
    /// <summary>On-chip SRAM (the global buffer).</summary>
    Sram = 0,
    /// <summary>Off-chip DRAM.</summary>
    Dram = 1,
}

/// <summary>How memory traffic is counted.</summary>
public enum MemoryModel
{
    /// <summary>Compulsory traffic: every tensor a pass uses is read (or written) once, at its home level (SRAM or DRAM).</summary>
    Compulsory = 0,
    /// <summary>GEMM operands counted through a loop-nest mapping (<see cref="DataflowSpec"/>) at register files, the PE
    /// array, the SRAM and DRAM; every other access as in <see cref="Compulsory"/>.</summary>
    Dataflow = 1,
}

/// <summary>Where the tensors of a step live: the fraction of each tensor's bytes held in SRAM (the rest in DRAM).</summary>
public sealed class Placement(IReadOnlyDictionary<string, double> sramFraction, long sramBytes)
{
    /// <summary>SRAM fraction per tensor, in [0, 1].</summary>
    public IReadOnlyDictionary<string, double> SramFraction { get; } = sramFraction;

    /// <summary>The capacity placed into.</summary>
    public long SramBytes { get; } = sramBytes;

    /// <summary>The fraction of <paramref name="tensor"/> in SRAM.</summary>
    public double this[string tensor] => SramFraction[tensor];

    /// <summary>The level holding most of <paramref name="tensor"/> (SRAM on a tie).</summary>
    public MemoryLevel LevelOf(string tensor) => SramFraction[tensor] >= 0.5 ? MemoryLevel.Sram : MemoryLevel.Dram;

    /// <summary>The tensors of both ledgers whose footprint fits <paramref name="sramBytes"/> in one and not in the other: where a
    /// change of placement between two rows is physics (a tensor outgrew the level), not an artefact of the order.</summary>
    public static IReadOnlyList<string> CapacityCrossings(StepLedger a, StepLedger b, long sramBytes) =>
        a.Tensors.Values.Where(t => b.Tensors.TryGetValue(t.Name, out var u) && (t.Bytes <= sramBytes) != (u.Bytes <= sramBytes))
            .Select(t => t.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The tensors split across both levels.</summary>
    public IEnumerable<string> Split => SramFraction.Where(kv => kv.Value is > 1e-12 and < 1 - 1e-12).Select(kv => kv.Key);
}

/// <summary>
/// The memory a training step's tensors live in: an on-chip SRAM of <see cref="SramBytes"/> (its 64-bit accesses priced by
/// the table's <c>sram&lt;KiB&gt;KiB64</c> event) and DRAM for what does not fit (<see cref="Events.Dram64"/>), counted by
/// <see cref="Model"/> (the dataflow model adds register files and a PE array: <see cref="Dataflow"/>).
/// <para>Placement (<see cref="Place"/>): each tensor occupies memory only while it is live — from its first access in the
/// step to its last (weights and optimiser state: always; the data set: never on chip) — and may be split across the two
/// levels, its accesses priced in proportion. Tensors are taken in decreasing order of bytes accessed per step per byte
/// held; each gets the largest fraction that the SRAM has free over its whole lifetime. Ties (equal density) go to the
/// tensor live first, then the smaller, then the one created first — never to a name. A model, not a compiler's
/// allocation: it ignores fragmentation, bank conflicts and the buffers a mapping's tiles need.</para>
/// </summary>
/// <param name="SramBytes">On-chip capacity in bytes (0: everything in DRAM); a whole number of KiB.</param>
/// <param name="Model">How traffic is counted.</param>
/// <param name="Dataflow">The accelerator of the dataflow model (null: <see cref="DataflowSpec.Default"/>).</param>
public sealed record MemoryHierarchy(long SramBytes, MemoryModel Model = MemoryModel.Compulsory, DataflowSpec? Dataflow = null)
{
    /// <summary>The default: 1 MiB of SRAM (Horowitz's largest SRAM figure, 100 pJ per 64-bit access) and DRAM.</summary>
    public static readonly MemoryHierarchy Default = new(1024 * 1024);

    /// <summary>Valid model names, as options spell them.</summary>
    public static readonly IReadOnlyList<string> ModelNames = ["compulsory", "dataflow"];

    /// <summary>Parses "compulsory" or "dataflow".</summary>
    public static MemoryModel ParseModel(string text) => text.Trim().ToLowerInvariant() switch
    {
        "compulsory" => MemoryModel.Compulsory,
        "dataflow" => MemoryModel.Dataflow,
        _ => throw new ArgumentException($"--memory-model '{text}' is unknown; valid: {string.Join(", ", ModelNames)}.", "memory-model"),
    };

    /// <summary>The accelerator of the dataflow model.</summary>
    public DataflowSpec Accelerator => Dataflow ?? DataflowSpec.Default;

    /// <summary>Throws unless the capacity is a non-negative whole number of KiB, at most 1 TiB, and the accelerator is valid.</summary>
    public void Validate()
    {
        if (SramBytes < 0 || SramBytes % 1024 != 0 || SramBytes > (1L << 40))
            throw new ArgumentException($"SRAM size {SramBytes} bytes must be a whole number of KiB in [0, 1 TiB].", "sram-kib");
        if (!Enum.IsDefined(Model)) throw new ArgumentException($"memory model {(int)Model} is unknown.", "memory-model");
        Accelerator.Validate();
    }

    /// <summary>The event pricing a 64-bit access at <paramref name="level"/>.</summary>
    public string EventOf(MemoryLevel level) => level == MemoryLevel.Sram ? Events.Sram(SramBytes / 1024) : Events.Dram64;

    /// <summary>The memory events pricing <paramref name="ledger"/> may need: DRAM always (the data set lives there), the
    /// SRAM's unless it has none, and the dataflow model's register-file and array events.</summary>
    public IEnumerable<string> EventsFor(StepLedger ledger)
    {
        yield return Events.Dram64;
        if (SramBytes > 0) yield return EventOf(MemoryLevel.Sram);
        if (Model == MemoryModel.Dataflow && ledger.Gemms.Count > 0)
        {
            yield return Events.RegisterFile16;
            yield return Events.Array16;
        }
    }

    /// <summary>
    /// Places each tensor (see the type's remarks). <paramref name="accesses"/>: bytes read and written per step;
    /// <paramref name="lifetimes"/>: first and last phase of each transient tensor; <paramref name="phases"/>: phases in the step.
    /// </summary>
    public Placement Place(IReadOnlyCollection<LedgerTensor> tensors, IReadOnlyDictionary<string, double> accesses,
        IReadOnlyDictionary<string, (int First, int Last)> lifetimes, int phases)
    {
        Validate();
        var free = new double[Math.Max(phases, 1)];
        Array.Fill(free, SramBytes);
        (int, int) Live(LedgerTensor t) => t.Lifetime == TensorLifetime.Persistent || !lifetimes.TryGetValue(t.Name, out var l)
            ? (0, free.Length - 1) : (l.First, l.Last);
        var order = tensors
            .OrderByDescending(t => t.Lifetime == TensorLifetime.External ? double.NegativeInfinity
                : accesses.GetValueOrDefault(t.Name) / Math.Max(t.Bytes, 1e-30))
            .ThenBy(t => Live(t).Item1)
            .ThenBy(t => t.Bytes)
            .ThenBy(t => t.Order);
        var fraction = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in order)
        {
            if (t.Lifetime == TensorLifetime.External || t.Bytes <= 0 || SramBytes == 0)
            {
                fraction[t.Name] = t.Lifetime == TensorLifetime.External || SramBytes == 0 ? 0 : 1;
                continue;
            }
            var (first, last) = Live(t);
            double room = double.PositiveInfinity;
            for (int p = first; p <= last; ++p) room = Math.Min(room, free[p]);
            double f = Math.Clamp(room / t.Bytes, 0, 1);
            if (f < 1e-12) f = 0;
            for (int p = first; p <= last; ++p) free[p] -= f * t.Bytes;
            fraction[t.Name] = f;
        }
        return new Placement(fraction, SramBytes);
    }
}
