using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Hybrid.Bench.Kernels;

namespace Hybrid.Bench.Columns;

/// <summary>G MAC/s: the GEMM's multiply-accumulates (M·K·N of its <see cref="GemmShape"/> parameter, zeros included)
/// divided by the mean time of one call. "-" for benchmarks without a GEMM shape.</summary>
public sealed class GmacColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(GmacColumn);
    /// <inheritdoc />
    public string ColumnName => "G MAC/s";
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
    public string Legend => "M·K·N multiply-accumulates (zero products included) / mean time, in 10^9 per second";

    private static GemmShape? Shape(BenchmarkCase c) =>
        c.Parameters.Items.FirstOrDefault(p => p.Name == nameof(ExactGemmBenchmarks.Shape))?.Value as GemmShape;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase c)
    {
        if (Shape(c) is not { } s) return "-";
        double? ns = summary[c]?.ResultStatistics?.Mean;
        return ns is null or <= 0 ? "NA" : (s.Macs / ns.Value).ToString("F2");  // MAC/ns = G MAC/s
    }
    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase c, SummaryStyle style) => GetValue(summary, c);
    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase c) => false;
    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Shape(c) is not null);
    /// <inheritdoc />
    public override string ToString() => ColumnName;
}
