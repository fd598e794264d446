namespace Hybrid.Synapse.Energy;

/// <summary>Where a tensor lives.</summary>
public enum MemoryLevel
{
    /// <summary>On-chip SRAM.</summary>
    Sram = 0,
    /// <summary>Off-chip DRAM.</summary>
    Dram = 1,
}

/// <summary>
/// The memory a training step's tensors live in, as the user describes it: an on-chip SRAM of
/// <see cref="SramBytes"/> (its 64-bit accesses priced by the table's <c>sram&lt;KiB&gt;KiB64</c>
/// event, e.g. sram1024KiB64 for 1 MiB) and DRAM for what does not fit (<see cref="Events.Dram64"/>).
/// Placement is whole tensors, most-used first: tensors in decreasing order of bytes accessed per
/// step per byte held (ties by name), each into the SRAM if it still fits, else DRAM. A model,
/// not a compiler's allocation: it ignores reuse within a pass, tiling and bank conflicts.
/// </summary>
/// <param name="SramBytes">On-chip capacity in bytes (0: everything in DRAM); a whole number of KiB.</param>
public sealed record MemoryHierarchy(long SramBytes)
{
    /// <summary>The default: 1 MiB of SRAM (Horowitz's largest SRAM figure, 100 pJ per 64-bit access) and DRAM.</summary>
    public static readonly MemoryHierarchy Default = new(1024 * 1024);

    /// <summary>Throws unless the capacity is a non-negative whole number of KiB, at most 1 TiB.</summary>
    public void Validate()
    {
        if (SramBytes < 0 || SramBytes % 1024 != 0 || SramBytes > (1L << 40))
            throw new ArgumentException($"SRAM size {SramBytes} bytes must be a whole number of KiB in [0, 1 TiB].", "sram-kib");
    }

    /// <summary>The event pricing a 64-bit access at <paramref name="level"/>.</summary>
    public string EventOf(MemoryLevel level) => level == MemoryLevel.Sram ? Events.Sram(SramBytes / 1024) : Events.Dram64;

    /// <summary>The events accesses at <paramref name="levels"/> need.</summary>
    public IEnumerable<string> EventsFor(IEnumerable<MemoryLevel> levels) => levels.Distinct().Select(EventOf);

    /// <summary>Places each tensor (footprint in bytes; bytes accessed per step) in SRAM or DRAM.</summary>
    public IReadOnlyDictionary<string, MemoryLevel> Place(IReadOnlyDictionary<string, double> footprints,
        IReadOnlyDictionary<string, double> accesses)
    {
        Validate();
        var order = footprints.Keys
            .OrderByDescending(t => accesses.GetValueOrDefault(t) / Math.Max(footprints[t], 1e-30))
            .ThenBy(t => t, StringComparer.Ordinal);
        double left = SramBytes;
        var place = new Dictionary<string, MemoryLevel>();
        foreach (var t in order)
        {
            double size = footprints[t];
            if (size <= left) { place[t] = MemoryLevel.Sram; left -= size; }
            else place[t] = MemoryLevel.Dram;
        }
        foreach (var t in accesses.Keys.Where(t => !place.ContainsKey(t)))
            throw new InvalidOperationException($"tensor '{t}' is accessed but has no footprint.");
        return place;
    }
}
