using System.Globalization;
using Hybrid.Experiments.Reports;
using Hybrid.Experiments.Runs;
using Hybrid.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Bpm;

/// <summary>One point of a vote curve: the majority vote of an ensemble's first <paramref name="K"/> voters.</summary>
/// <param name="Ensemble">"nn" (the small-margin nets in seed order), "nn_fit" (those of them that fit every training sign,
/// in the same order) or "gp" (the GP posterior draws in draw order).</param>
/// <param name="K">Voters in the vote.</param>
/// <param name="VoteError">Test error of their majority vote (a tie counts as an error, as in <see cref="VoteStatistics"/>).</param>
/// <param name="VoteErrorSe">Its binomial standard error over test points, √(e(1 − e)/T).</param>
public sealed record VoteCurvePoint(string Ensemble, int K, double VoteError, double VoteErrorSe);

/// <summary>
/// Vote error against the number of voters (issue 23 item 3): for the first k voters of an ensemble,
/// k = 1, 3, 5, … (odd, so no vote ties) and the whole ensemble (its vote is then exactly the unit's
/// reported vote; when the count is even that last k may tie, and a tie counts as an error as in
/// <see cref="VoteStatistics"/>). Computed from the voters' test predictions the unit already has:
/// nothing is retrained. Stored per unit in <see cref="File"/>.
/// </summary>
public static class VoteCurve
{
    /// <summary>The per-unit file.</summary>
    public const string File = "vote-curve.csv";

    /// <summary>Its columns.</summary>
    public static readonly string[] Columns = ["ensemble", "k", "vote_error", "vote_error_se"];

    /// <summary>The ensembles a curve may hold, in report order.</summary>
    public static readonly IReadOnlyList<string> Ensembles = ["nn", "nn_fit", "gp"];

    /// <summary>The vote sizes of an ensemble of <paramref name="voters"/>: 1, 3, 5, … ≤ voters, and voters itself.</summary>
    public static int[] Ks(int voters)
    {
        if (voters < 1) return [];
        var ks = Enumerable.Range(0, (voters + 1) / 2).Select(i => 2 * i + 1).ToList();
        if (ks[^1] != voters) ks.Add(voters);
        return ks.ToArray();
    }

    /// <summary>
    /// The curve of voters <paramref name="plus"/> [V, T] (true, or any value &gt; 0: the voter predicts +1 at that test point)
    /// on test signs <paramref name="y"/> [T] (±1), at every k of <see cref="Ks"/>(V).
    /// </summary>
    public static VoteCurvePoint[] Of(string ensemble, Tensor plus, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        if (plus.dim() != 2 || plus.shape[1] != y.shape[0])
            throw new ArgumentException($"voters must be [V, {y.shape[0]}], got [{string.Join(", ", plus.shape)}].", nameof(plus));
        int v = (int)plus.shape[0];
        if (v == 0) return [];
        var votes = plus.dtype == ScalarType.Bool ? plus : plus.gt(TorchScalars.Zero);
        var counts = votes.to_type(ScalarType.Int64).cumsum(0); // [V, T]: +1 votes among the first k
        var ks = Ks(v);
        using var index = torch.tensor(ks.Select(k => (long)k - 1).ToArray());
        return FromCounts(ensemble, counts.index_select(0, index), ks, y);
    }

    /// <summary>The curve from running +1 counts <paramref name="counts"/> [ks.Count, T] (row i: among the first ks[i] voters) on signs <paramref name="y"/> [T].</summary>
    public static VoteCurvePoint[] FromCounts(string ensemble, Tensor counts, IReadOnlyList<int> ks, Tensor y)
    {
        var errors = Errors(counts, ks, y);
        long t = y.shape[0];
        return ks.Select((k, i) => new VoteCurvePoint(ensemble, k, errors[i], Math.Sqrt(errors[i] * (1 - errors[i]) / t))).ToArray();
    }

    /// <summary>
    /// The vote errors of rows of +1 counts <paramref name="counts"/> [K, T] (row i: the count among the first ks[i] voters)
    /// on signs <paramref name="y"/> [T]: wrong where 2·count ≤ k for y = +1 and 2·count ≥ k for y = −1 (ties are errors).
    /// Integer comparisons, so the last row equals <see cref="VoteStatistics.Of"/> of the fraction count/k exactly.
    /// </summary>
    public static double[] Errors(Tensor counts, IReadOnlyList<int> ks, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var twice = counts.to_type(ScalarType.Int64) * TorchScalars.Two;
        var k = torch.tensor(ks.Select(x => (long)x).ToArray()).unsqueeze(1);
        var positive = y.gt(TorchScalars.Zero).unsqueeze(0);
        var wrong = torch.where(positive, twice.le(k), twice.ge(k));
        return wrong.to_type(ScalarType.Float64).mean([1]).data<double>().ToArray();
    }

    /// <summary>The curve as CSV.</summary>
    public static string ToCsv(IEnumerable<VoteCurvePoint> points) =>
        Csv.Of(Columns, points.Select(p => new object?[] { p.Ensemble, p.K, p.VoteError, p.VoteErrorSe }));

    /// <summary>Parses <see cref="ToCsv"/>'s text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">It is not a vote-curve file.</exception>
    public static VoteCurvePoint[] Parse(string text, string source)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0 || lines[0] != string.Join(',', Columns))
            throw new InvalidDataException($"{source} is not a bpm vote curve (header '{string.Join(',', Columns)}').");
        return lines.Skip(1).Select((line, i) =>
        {
            var f = line.Split(',');
            if (f.Length != Columns.Length || !Ensembles.Contains(f[0])
                || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1
                || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double e)
                || !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double se))
                throw new InvalidDataException($"{source} line {i + 2} is not 'ensemble,k,vote_error,vote_error_se' with a known ensemble: '{line}'.");
            return new VoteCurvePoint(f[0], k, e, se);
        }).ToArray();
    }

    /// <summary>Writes a unit's curve (atomically, through the folder's manifest).</summary>
    public static void Write(RunFolder folder, IEnumerable<VoteCurvePoint> points) => folder.WriteText(File, ToCsv(points));

    /// <summary>A unit's curve, checked against the folder's manifest; null when the unit has none (computed before the curve existed:
    /// neither the file nor a manifest entry for it).</summary>
    /// <exception cref="InvalidDataException">The file fails its checksum, is not a vote curve, or is missing where the manifest records it.</exception>
    public static VoteCurvePoint[]? Read(RunFolder folder) =>
        folder.Has(File) || (folder.Manifest.Exists && folder.Manifest.Files.TryGetValue(File, out var e) && e.Sha256.Length > 0)
            ? Parse(folder.ReadText(File), folder.File(File))
            : null;
}
