using System.Globalization;

namespace Hybrid.Synapse.Energy.Dataflow;

/// <summary>Which operand a mapping keeps in the processing elements while the others stream.</summary>
public enum DataflowKind
{
    /// <summary>Weight-stationary (TPU, NVDLA): a weight (its R·S filter) per PE, input channels down the array's rows,
    /// output channels across its columns; batch and output positions stream through.</summary>
    WeightStationary = 0,
    /// <summary>Output-stationary (ShiDianNao): a partial sum per PE, output rows (or batch rows of a GEMM) down the
    /// rows, output channels across; the reduction (C, R, S) streams through.</summary>
    OutputStationary = 1,
    /// <summary>Row-stationary (Eyeriss): a filter row and an output-row segment per PE, filter rows down the array,
    /// output rows across, partial sums reduced down the columns. GEMMs (no rows to slide) map output-stationary.</summary>
    RowStationary = 2,
}

/// <summary>
/// The dataflow-aware memory model's accelerator: a <see cref="Rows"/> × <see cref="Columns"/> array of PEs, each with a
/// register file of <see cref="RegisterFileBytes"/>; the global buffer is the hierarchy's SRAM; DRAM below it. A
/// mapping of <see cref="Kind"/> with tile sizes as parameters (0: chosen automatically — the largest that fits)
/// is built for every GEMM and convolution (<see cref="DataflowMapper"/>) and its accesses per level counted by
/// <see cref="LoopNestCounter"/>. Priced per 16-bit word: register file <see cref="Events.RegisterFile16"/>,
/// array <see cref="Events.Array16"/>, global buffer the SRAM's 64-bit event ÷ 4, DRAM dram64 ÷ 4 (scaled by each
/// operand's bits).
/// </summary>
/// <param name="TileN">Batch rows per global-buffer tile (0: the most that fit).</param>
/// <param name="TileC">Output-/row-stationary: input channels accumulated in a PE's register file per pass.</param>
/// <param name="TileQ">Weight-stationary: output columns a PE's weights are reused over; row-stationary: output-row
/// segment a PE holds.</param>
public sealed record DataflowSpec(DataflowKind Kind = DataflowKind.WeightStationary, int Rows = 16, int Columns = 16,
    int RegisterFileBytes = 512, long TileN = 0, long TileC = 1, long TileQ = 16)
{
    /// <summary>The default accelerator: a 16 × 16 weight-stationary array with 512-byte register files (Eyeriss's
    /// PE has 0.5 KB of scratchpads).</summary>
    public static readonly DataflowSpec Default = new();

    /// <summary>Valid mapping names, as options spell them.</summary>
    public static readonly IReadOnlyList<string> KindNames = ["weight-stationary", "output-stationary", "row-stationary"];

    /// <summary>Parses "weight-stationary" (ws), "output-stationary" (os) or "row-stationary" (rs).</summary>
    public static DataflowKind ParseKind(string text) => text.Trim().ToLowerInvariant() switch
    {
        "weight-stationary" or "ws" => DataflowKind.WeightStationary,
        "output-stationary" or "os" => DataflowKind.OutputStationary,
        "row-stationary" or "rs" => DataflowKind.RowStationary,
        _ => throw new ArgumentException($"--dataflow '{text}' is unknown; valid: {string.Join(", ", KindNames)}.", "dataflow"),
    };

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentException($"dataflow kind {(int)Kind} is unknown.", "dataflow");
        if (Rows is < 1 or > 4096 || Columns is < 1 or > 4096)
            throw new ArgumentException($"PE array {Rows} × {Columns} must have 1 … 4096 rows and columns.", "array");
        if (RegisterFileBytes is < 2 or > 1 << 20) throw new ArgumentException($"register file of {RegisterFileBytes} bytes must be 2 B … 1 MiB.", "register-file");
        if (TileN < 0 || TileC < 1 || TileQ < 1) throw new ArgumentException("tile sizes must be >= 1 (TileN: 0 for automatic).", "tile");
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{KindNames[(int)Kind]}, {Rows}×{Columns} PEs, {RegisterFileBytes} B register files");
}
