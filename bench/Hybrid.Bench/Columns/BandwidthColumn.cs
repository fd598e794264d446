using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Hybrid.Bench.Columns;

/// <summary>
/// GB/s: the bytes the update must move (<see cref="Traffic"/>) divided by the mean time of one
/// step. "-" for benchmarks that move no tensor (the boundary suite).
/// </summary>
public sealed class BandwidthColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(BandwidthColumn);
    /// <inheritdoc />
    public string ColumnName => "GB/s";
    /// <inheritdoc />
    public bool AlwaysShow => true;
    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc />
    public int PriorityInCategory => 0;
    /// <inheritdoc />
    public bool IsNumeric => true;
    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc />
    public string Legend => "Bytes the update must move (Traffic.cs: 20 B/element float Madam, 14 B LNS uint8, 16 B LNS uint16) / mean time, in 10^9 B/s";

    /// <summary>GB/s of a case in a summary, or null when it has no bytes or no result.</summary>
    public static double? Of(Summary summary, BenchmarkCase c)
    {
        long? bytes = Traffic.BytesMoved(c);
        double? ns = summary[c]?.ResultStatistics?.Mean;
        return bytes is null || ns is null or <= 0 ? null : bytes.Value / ns.Value;   // B/ns = GB/s
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase c) =>
        Traffic.BytesMoved(c) is null ? "-" : Of(summary, c)?.ToString("F2") ?? "NA";
    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase c, SummaryStyle style) => GetValue(summary, c);
    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase c) => false;
    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Traffic.BytesMoved(c) is not null);
    /// <inheritdoc />
    public override string ToString() => ColumnName;
}
