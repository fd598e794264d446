using Hybrid.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Bpm;

/// <summary>
/// What a binary ensemble does on a test set, from the fraction p(x) of its voters that predict
/// +1 at each test point: the majority vote's error (a tie, p = ½, counts as an error), the Gibbs
/// risk R (the expected error of one voter drawn at random = mean single-voter error), the expected
/// disagreement d of two voters drawn independently (E_x[2p(1 − p)]) and the C-bound. All are
/// exact for the uniform distribution over the voters, so on the test set the C-bound is never
/// below the vote's error. Standard errors are over test points (sd/√T; binomial for the vote).
/// </summary>
/// <param name="VoteError">Error of the majority vote.</param>
/// <param name="VoteErrorSe">Its standard error, √(e(1 − e)/T).</param>
/// <param name="GibbsRisk">Mean single-voter error R.</param>
/// <param name="GibbsRiskSe">Standard error of R over test points.</param>
/// <param name="Disagreement">Expected disagreement d.</param>
/// <param name="CBound">1 − (1 − 2R)²/(1 − 2d) (1 when R ≥ ½).</param>
public sealed record VoteStatistics(double VoteError, double VoteErrorSe, double GibbsRisk, double GibbsRiskSe,
    double Disagreement, double CBound)
{
    // a process-lifetime Scalar: an implicit one could be freed mid-call (TorchScalars)
    private static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>The statistics of voters whose +1 fractions are <paramref name="plusFraction"/> [T] on test points with signs <paramref name="y"/> [T] (±1).</summary>
    public static VoteStatistics Of(Tensor plusFraction, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var p = plusFraction.to_type(ScalarType.Float64);
        var positive = y.to_type(ScalarType.Float64).gt(TorchScalars.Zero);
        var wrong = torch.where(positive, TorchScalars.One.Minus(p), p); // fraction of voters that err at x
        var voteWrong = wrong.ge(Half).to_type(ScalarType.Float64); // ties are errors
        long t = p.shape[0];
        double vote = voteWrong.mean().item<double>();
        double r = wrong.mean().item<double>();
        double rSe = t > 1 ? wrong.std().item<double>() / Math.Sqrt(t) : double.NaN;
        double d = (TorchScalars.Two * p * (TorchScalars.One.Minus(p))).mean().item<double>();
        return new VoteStatistics(vote, Math.Sqrt(vote * (1 - vote) / t), r, rSe, d, Bounds.CBound(r, d));
    }

    /// <summary>The error of a single classifier (sign of <paramref name="output"/> [T] against signs <paramref name="y"/>; 0 counts as wrong) and its standard error.</summary>
    public static (double Error, double Se) SignError(Tensor output, Tensor y)
    {
        using var scope = torch.NewDisposeScope();
        var correct = (output.to_type(ScalarType.Float64) * y.to_type(ScalarType.Float64)).gt(TorchScalars.Zero);
        double e = 1 - correct.to_type(ScalarType.Float64).mean().item<double>();
        return (e, Math.Sqrt(e * (1 - e) / output.shape[0]));
    }
}
