using Hybrid.Synapse;
using Hybrid.Synapse.Twin;

namespace Hybrid.Bench.Kernels;

/// <summary>
/// Before a TorchSharp composition is timed, it is run against the managed reference on 4096
/// elements, so a benchmark of a wrong composition fails (in CI's dry run too) instead of
/// reporting a speed for the wrong computation.
/// </summary>
public static class TorchSelfCheck
{
    private const int N = 4096;

    /// <summary>Three float Madam steps: w within 1e-5 relative, v within 1e-6 relative of the reference.</summary>
    public static void Madam()
    {
        var w = BenchData.Weights(N, 11);
        var g = BenchData.Gradient(N, 12);
        var (wr, vr) = ((float[])w.Clone(), new float[N]);
        var s = new MadamSettings((float)(3 * ManagedKernels.Rms(w)), 1, Lr: 0.05f);
        using var torch = new TorchMadam(w, g, new float[N]);
        for (int t = 1; t <= 3; ++t)
        {
            ManagedKernels.MadamStep(s with { Step = t }, wr, g, vr);
            torch.Step(s with { Step = t });
        }
        var (wt, vt) = torch.Read();
        for (int i = 0; i < N; ++i)
        {
            Close(wt[i], wr[i], 1e-5, $"TorchSharp Madam w[{i}]");
            Close(vt[i], vr[i], 1e-6, $"TorchSharp Madam v[{i}]");
        }
    }

    /// <summary>
    /// One LNS step with nearest rounding (deterministic): v within 1e-6 relative, codes equal
    /// to the reference's on at least 99.9 % of elements and never more than one level away.
    /// </summary>
    public static void Lns(LnsFormat format)
    {
        var codes = BenchData.Codes(N, format.Bits, 13);
        var g = BenchData.Gradient(N, 14);
        var s = new LnsMadamSettings(format, 1, 2f / format.Gamma, Rounding: RoundingMode.Nearest);
        var cr = codes.Select(c => (ushort)c).ToArray();
        var vr = new float[N];
        ManagedKernels.LnsMadamStep<ushort>(s, cr, g, vr);
        using var torch = new TorchLns(format.Bits, codes, g, new float[N]);
        torch.Step(s);
        var (ct, vt) = torch.Read();
        int differ = 0, moved = 0;
        for (int i = 0; i < N; ++i)
        {
            Close(vt[i], vr[i], 1e-6, $"TorchSharp LNS v[{i}]");
            moved += cr[i] != codes[i] ? 1 : 0;
            if (ct[i] == cr[i]) continue;
            ++differ;
            if (Math.Abs((int)ct[i] - cr[i]) != 1)
                throw new InvalidOperationException(
                    $"TorchSharp LNS composition, B = {format.Bits}: code[{i}] = {ct[i]}, reference {cr[i]} (from {codes[i]}).");
        }
        if (differ > N / 1000 || moved < N / 2)
            throw new InvalidOperationException(
                $"TorchSharp LNS composition, B = {format.Bits}: {differ} of {N} codes differ from the reference, {moved} moved.");
    }

    private static void Close(float got, float want, double rel, string what)
    {
        if (!(Math.Abs(got - want) <= rel * Math.Abs(want) + 1e-30))
            throw new InvalidOperationException($"{what} = {got:R}, reference {want:R} (tolerance {rel:G2} relative).");
    }
}
