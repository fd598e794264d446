using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Hybrid.Bench.Columns;

/// <summary>
/// "% copy": a case's GB/s as a share of the GB/s of the plain memory copy that moves the same
/// bytes (the <see cref="CopyMethod"/> benchmark of the same class, N and job, measured in the
/// same run). 100 % means the step runs at the speed of copying its own data.
/// </summary>
public sealed class CopyShareColumn : IColumn
{
    /// <summary>The name of the copy benchmark every kernel class has.</summary>
    public const string CopyMethod = "Copy";

    /// <inheritdoc />
    public string Id => nameof(CopyShareColumn);
    /// <inheritdoc />
    public string ColumnName => "% copy";
    /// <inheritdoc />
    public bool AlwaysShow => true;
    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc />
    public int PriorityInCategory => 1;
    /// <inheritdoc />
    public bool IsNumeric => true;
    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc />
    public string Legend => "GB/s as a percentage of the same-run GB/s of a memory copy (Span.CopyTo) reading and writing the same number of bytes";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase c)
    {
        if (Traffic.BytesMoved(c) is null) return "-";
        var copy = summary.BenchmarksCases.FirstOrDefault(x =>
            x.Descriptor.Type == c.Descriptor.Type && x.Descriptor.WorkloadMethod.Name == CopyMethod &&
            x.Job == c.Job && x.Parameters.DisplayInfo == c.Parameters.DisplayInfo);
        if (copy is null) return "no copy";
        double? mine = BandwidthColumn.Of(summary, c), theirs = BandwidthColumn.Of(summary, copy);
        return mine is null || theirs is null ? "NA" : $"{100 * mine.Value / theirs.Value:F0} %";
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase c, SummaryStyle style) => GetValue(summary, c);
    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase c) => false;
    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Traffic.BytesMoved(c) is not null);
    /// <inheritdoc />
    public override string ToString() => ColumnName;
}
