using Hybrid.Experiments.Bpm;
using Hybrid.Experiments.Gp;
using Hybrid.Experiments.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Tests.PartOne;

/// <summary>The vote error against the number of voters (<see cref="VoteCurve"/>): hand-built votes, its ends against
/// <see cref="VoteStatistics"/>, the GP draws' curve, and the file.</summary>
public class VoteCurveTests
{
    [Test]
    public void VoteSizesAreOddAndEndAtTheWholeEnsemble()
    {
        Assert.That(VoteCurve.Ks(1), Is.EqualTo(new[] { 1 }));
        Assert.That(VoteCurve.Ks(5), Is.EqualTo(new[] { 1, 3, 5 }));
        Assert.That(VoteCurve.Ks(4), Is.EqualTo(new[] { 1, 3, 4 }), "an even ensemble ends at itself (ties count as errors there)");
        Assert.That(VoteCurve.Ks(0), Is.Empty);
    }

    [Test]
    public void ThreeHandBuiltVotersGiveTheKnownMajority()
    {
        // 4 test points, signs (+, −, +, −). Voter outputs (> 0: predicts +1):
        //   v0: + + − −   → wrong at points 1, 2: error 1/2
        //   v1: + − − +   → wrong at 2, 3
        //   v2: − − + −   → wrong at 0
        // majority of 3: + − − −   → wrong at point 2 only: 1/4. First 2 voters (even k, the tie rule): point 0 ++ right,
        // point 1 +− tie (error), point 2 −− wrong, point 3 −+ tie (error): 3/4.
        using var y = torch.tensor(new[] { 1.0, -1, 1, -1 });
        using var outputs = torch.tensor(new[] { 0.3, 0.2, -0.1, -4, 1, -1, -2, 0.5, -0.7, -0.1, 0.9, -0.2 }, [3, 4]);
        var curve = VoteCurve.Of("nn", outputs, y);
        Assert.That(curve.Select(p => p.K), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(curve[0].VoteError, Is.EqualTo(0.5));
        Assert.That(curve[1].VoteError, Is.EqualTo(0.25));
        Assert.That(curve[1].VoteErrorSe, Is.EqualTo(Math.Sqrt(0.25 * 0.75 / 4)).Within(1e-15));
        using var two = outputs.narrow(0, 0, 2);
        Assert.That(VoteCurve.Of("nn", two, y).Select(p => p.VoteError), Is.EqualTo(new[] { 0.5, 0.75 }), "ties are errors");
        using var zero = torch.zeros(2, 4, dtype: ScalarType.Float64);
        Assert.That(VoteCurve.Of("nn", zero, y)[0].VoteError, Is.EqualTo(0.5), "an output of exactly 0 votes −1, as the unit's nn_plus_fraction counts it");
    }

    [TestCase(15, 0L)]
    [TestCase(16, 1L)]
    [TestCase(101, 2L)]
    public void EndsEqualTheFirstVoterAndTheWholeVoteExactly(int voters, long seed)
    {
        var gen = new torch.Generator((ulong)seed);
        using var y = torch.randint(0, 2, [777], generator: gen).to_type(ScalarType.Float64) * 2 - 1;
        // voters correlated with y, so the vote differs from one voter
        using var outputs = (torch.randn([voters, 777], dtype: ScalarType.Float64, generator: gen) + y.unsqueeze(0) * 0.4).contiguous();
        var curve = VoteCurve.Of("nn", outputs, y);
        using var first = outputs[0];
        var f = first.data<double>().ToArray();
        var signs = y.data<double>().ToArray();
        double own = f.Zip(signs).Count(p => !(p.First * p.Second > 0)) / (double)f.Length; // counted by hand
        Assert.That(curve[0].VoteError, Is.EqualTo(own), "k = 1: the first voter's own error");
        // SignError forms 1 − mean(correct), which may differ from mean(wrong) in the last bit
        Assert.That(curve[0].VoteError, Is.EqualTo(VoteStatistics.SignError(first, y).Error).Within(1e-15));
        using var plus = outputs.gt(0).to_type(ScalarType.Float64).mean([0]); // as BpmUnit computes nn_plus_fraction
        Assert.That(curve[^1].K, Is.EqualTo(voters));
        Assert.That(curve[^1].VoteError, Is.EqualTo(VoteStatistics.Of(plus, y).VoteError), "k = all: the reported vote, exactly");
        Assert.That(curve[^1].VoteError, Is.LessThan(curve[0].VoteError), "the vote beats one voter here");
    }

    [Test]
    public void GpDrawsCurveEndsAtTheGpVoteAndLeavesTheDrawsUnchanged()
    {
        // a 3-point training set and 5 test points; 1 001 draws in chunks of 256, so k crosses chunk edges
        using var sigma = torch.tensor(new[] { 1, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 1 }, [3, 3]);
        using var y = torch.tensor(new[] { 1.0, -1, 1 });
        using var cross = torch.tensor(new[] { 0.5, 0.5, 0.5, 0.9, 0.1, 0, 0, 0.9, 0.1, 0.1, 0.1, 0.9, -0.3, 0.2, 0.6 }, [5, 3]);
        using var diag = torch.ones(5, dtype: ScalarType.Float64);
        using var yTest = torch.tensor(new[] { 1.0, 1, -1, 1, 1 });
        using var gp = GpPosterior.Fit(sigma, cross, diag, y);
        using var plain = gp.Draw(1001, seed: 9);
        var ks = VoteCurve.Ks(1001);
        using var plus = gp.Draw(1001, seed: 9, ks, out var counts);
        using (counts)
        {
            Assert.That(plus.data<double>().ToArray(), Is.EqualTo(plain.data<double>().ToArray()), "the same draws");
            Assert.That(counts.shape, Is.EqualTo(new long[] { ks.Length, 5 }));
            using var last = counts[^1].to_type(ScalarType.Float64) / 1001.0;
            Assert.That(last.data<double>().ToArray(), Is.EqualTo(plus.data<double>().ToArray()), "the last counts are the +1 fractions");
            var curve = VoteCurve.FromCounts("gp", counts, ks, yTest);
            Assert.That(curve[^1].VoteError, Is.EqualTo(VoteStatistics.Of(plus, yTest).VoteError));
            var c = counts.data<long>().ToArray();
            for (int i = 1; i < ks.Length; ++i)
                for (int j = 0; j < 5; ++j)
                {
                    long grew = c[i * 5 + j] - c[(i - 1) * 5 + j];
                    Assert.That(grew, Is.InRange(0, ks[i] - ks[i - 1]), "each count grows by at most the voters added");
                }
        }
        Assert.Throws<ArgumentException>(() => gp.Draw(10, 1, [3, 2], out _));
        Assert.Throws<ArgumentException>(() => gp.Draw(10, 1, [11], out _));
    }

    [Test]
    public void CsvRoundTripsAndRejectsOtherFiles()
    {
        VoteCurvePoint[] points =
        [
            new("nn", 1, 0.3375, 0.0105734), new("nn", 3, 1.0 / 3, Math.Sqrt(2.0 / 9 / 7)), new("nn_fit", 1, 0.25, 0.01),
            new("gp", 10001, 0.21619999999999998, 1e-17),
        ];
        var text = VoteCurve.ToCsv(points);
        Assert.That(VoteCurve.Parse(text, "x"), Is.EqualTo(points));
        Assert.Throws<InvalidDataException>(() => VoteCurve.Parse("k,vote_error\n1,0.5\n", "x"));
        Assert.Throws<InvalidDataException>(() => VoteCurve.Parse(text.Replace("nn_fit", "other"), "x"));
        Assert.Throws<InvalidDataException>(() => VoteCurve.Parse(text + "gp,0,0.5,0.1\n", "x"));

        var dir = Directory.CreateTempSubdirectory("hybrid-vote-curve-").FullName;
        try
        {
            var folder = new RunFolder(dir);
            Assert.That(VoteCurve.Read(folder), Is.Null, "a unit from before vote curves: absent, not an error");
            VoteCurve.Write(folder, points);
            Assert.That(VoteCurve.Read(folder), Is.EqualTo(points), "through the manifest and back");
            File.AppendAllText(folder.File(VoteCurve.File), "gp,3,0.5,0.1\n");
            Assert.Throws<InvalidDataException>(() => VoteCurve.Read(folder), "a changed file fails its checksum");
            File.Delete(folder.File(VoteCurve.File));
            Assert.Throws<InvalidDataException>(() => VoteCurve.Read(folder), "recorded in the manifest but gone: damaged, not absent");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void ReportMarksAUnitWithoutACurveAbsent()
    {
        var s = BpmSettings.Quick;
        var unit = (BpmUnitResult)Activator.CreateInstance(typeof(BpmUnitResult),
            typeof(BpmUnitResult).GetConstructors()[0].GetParameters().Select(p => p.ParameterType == typeof(int) ? (object)50 :
                p.ParameterType == typeof(long) ? (object)0L : 0.1).ToArray())!;
        var summary = BpmExperiment.Summarise([unit]);
        var md = BpmReport.Markdown(s, [unit], summary, "test", [null]);
        Assert.That(md, Does.Contain("**Absent** for n = 50 seed 0"));
        var withCurve = BpmReport.Markdown(s, [unit], summary, "test",
            [[new("nn", 1, 0.4, 0.01), new("nn", 3, 0.3, 0.01), new("gp", 1, 0.35, 0.01), new("gp", 3, 0.2, 0.01)]]);
        Assert.That(withCurve, Does.Not.Contain("**Absent**"));
        Assert.That(withCurve, Does.Contain("| 3 | 30.00 | — | 20.00 |"));
        Assert.That(withCurve, Does.Contain("NN vote of all 3 voters − GP vote of all 3 draws: +10.00 points"));
    }
}
