using Hybrid.Native.Interop;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// Each device family's behaviour against its formula (hybrid/device_response.h, device.h), on single synapses and
/// on every backend: soft bounds shrink the step linearly to zero at the bound (code and weight domain), the
/// exponential, power and piecewise steps follow their closed forms, drift's exponent comes back from a log–log fit
/// within 1 %, write noise is drawn per programming event and read noise per read.
/// </summary>
[TestFixtureSource(typeof(Backends), nameof(Backends.All))]
public class DeviceFormulaTests(ISynapseBackend backend)
{
    // B = 16 with γ = 2048: K − 1 = 32 766 levels, so the integer code step resolves the response to 1/1000
    private static readonly LnsFormat F16 = new(16, 2048f, 1f);
    private const float D = 1000f; // the raw code step of a sign-only step: γ·lr/ln 2

    private LnsMadamSettings SignOnly(DeviceResponse r) =>
        new(F16, 1, (float)(D * Math.Log(2) / F16.Gamma), Rounding: RoundingMode.Nearest, Moment: MomentMode.None,
            Device: new DeviceModel { Response = r });

    /// <summary>The code step one sign-only step takes from each k (potentiation: w &gt; 0, g &lt; 0).</summary>
    private int[] CodeSteps(DeviceResponse r, int[] ks, bool potentiate)
    {
        var codes = ks.Select(k => (ushort)k).ToArray();
        var g = Enumerable.Repeat(potentiate ? -1f : 1f, ks.Length).ToArray();
        backend.LnsMadamStep(SignOnly(r), codes, g, Span<float>.Empty);
        return ks.Select((k, i) => Math.Abs(codes[i] - k)).ToArray();
    }

    [Test]
    public void SoftBoundsStepShrinksLinearlyToZeroAtTheBoundInTheCodeDomain()
    {
        int last = F16.ZeroIndex - 1; // K − 1: the smallest level, the lower bound
        int[] ks = [0, 1, 100, 4000, 8191, 16383, 20000, 30000, last];
        var up = CodeSteps(DeviceResponse.SoftBounds(), ks, potentiate: true);
        var down = CodeSteps(DeviceResponse.SoftBounds(), ks, potentiate: false);
        for (int i = 0; i < ks.Length; ++i)
        {
            // x = 1 − 2k/(K−1): f_up = 1 − x = 2k/(K−1) (zero at k = 0, |w| = w_max); f_down = 1 + x (zero at K − 1)
            double fUp = 2.0 * ks[i] / last, fDown = 2.0 - fUp;
            Assert.That(up[i], Is.EqualTo(Math.Min(D * fUp, ks[i])).Within(1.0), $"up step at k = {ks[i]}");
            Assert.That(down[i], Is.EqualTo(Math.Min(D * fDown, last - ks[i])).Within(1.0), $"down step at k = {ks[i]}");
        }
        Assert.That(up[0], Is.Zero, "no potentiation at the upper bound");
        Assert.That(down[^1], Is.Zero, "no depression at the lower bound");
        // linear in k: a least-squares line through the interior points has intercept 0 and slope 2D/(K−1)
        var (slope, intercept) = Fit(ks[2..^1].Select(k => (double)k).ToArray(), up[2..^1].Select(x => (double)x).ToArray());
        Assert.That(slope, Is.EqualTo(2.0 * D / last).Within(0.2).Percent);
        Assert.That(intercept, Is.EqualTo(0).Within(1.0));
    }

    [Test]
    public void LinearStepFallsByGammaAtTheBound()
    {
        // γ⁺ = 0.3, γ⁻ = 0.6: f_up = 1 − 0.3·x, f_down = 1 + 0.6·x (b_min = −1), x = 1 − 2k/(K − 1)
        int last = F16.ZeroIndex - 1;
        int[] ks = [1, last / 2 + 1, last];
        var up = CodeSteps(DeviceResponse.LinearStep(0.3f, 0.6f), ks, potentiate: true);
        var down = CodeSteps(DeviceResponse.LinearStep(0.3f, 0.6f), ks, potentiate: false);
        Assert.That(up[1], Is.EqualTo(D).Within(1.0), "f = 1 at the centre");
        Assert.That(up[2], Is.EqualTo(D * 1.3).Within(1.0), "x = −1: f_up = 1 + γ⁺");
        Assert.That(down[0], Is.EqualTo(D * 1.6).Within(1.0), "x ≈ 1: f_down = 1 − γ⁻·x/b_min = 1 + 0.6");
        Assert.That(down[1], Is.EqualTo(D).Within(1.0), "f = 1 at the centre");
    }

    [Test]
    public void SoftBoundsStepShrinksLinearlyToZeroAtTheBoundInTheWeightDomain()
    {
        float[] u = [-0.6f, -0.3f, 0f, 0.15f, 0.3f, 0.45f, 0.6f];
        var s = new DeviceUpdateSettings(new DeviceModel { Response = DeviceResponse.SoftBounds() }, 1, 1, 0, 1f,
            Rounding: RoundingMode.Nearest);
        foreach (var (dw, bound) in new[] { (0.01f, 0.6f), (-0.01f, -0.6f) })
        {
            var h = (float[])u.Clone();
            var a = (float[])u.Clone();
            backend.DeviceUpdate(s, h, a, Enumerable.Repeat(dw, u.Length).ToArray());
            for (int i = 0; i < u.Length; ++i)
            {
                // 10 pulses of dw_min times (1 − u/b): the distance to the bound the step approaches, relative
                double want = Math.Clamp(u[i] + Math.Sign(dw) * 10 * 0.001 * (1 - u[i] / bound), -0.6, 0.6);
                Assert.That(h[i], Is.EqualTo(want).Within(1e-6), $"dw = {dw} at u = {u[i]}");
                Assert.That(a[i], Is.EqualTo(h[i]), "no write noise: the apparent weight is the state");
            }
            Assert.That(h[Array.IndexOf(u, bound)], Is.EqualTo(bound), "no step at the bound it approaches");
        }
    }

    [Test]
    public void ExpPowAndPiecewiseStepsFollowTheirFormulas()
    {
        var exp = DeviceResponse.ExpStep();
        var pow = DeviceResponse.PowStep(1.7f);
        var table = DeviceResponse.PiecewiseStep([1.5f, 1f, 0.5f], [0.5f, 1f, 1.5f]);
        float[] u = [-0.6f, -0.25f, 0f, 0.2f, 0.55f];
        foreach (var up in new[] { true, false })
        {
            var dw = Enumerable.Repeat(up ? 0.005f : -0.005f, u.Length).ToArray();
            foreach (var (name, r, f) in new (string, DeviceResponse, Func<double, double>)[]
            {
                ("exp", exp, x =>
                {
                    double z = 2 * 0.244 * x / 1.2 + 0.2425; // 2a·x/(b_max − b_min) + b
                    return Math.Max(0, up ? 1 - 0.00081 * Math.Exp(12.44625 * z) : 1 - 0.36833 * Math.Exp(-12.78785 * z));
                }),
                ("pow", pow, x =>
                {
                    double om = Math.Clamp((0.6 - x) / 1.2, 0, 1); // relative distance to the upper bound
                    return up ? Math.Pow(om, 1.7) : Math.Pow(1 - om, 1.7);
                }),
                ("piecewise", table, x =>
                {
                    double p = Math.Max(0, (x + 0.6) / 1.2 * 2); // nodes at −0.6, 0, 0.6
                    int i = Math.Min((int)Math.Floor(p), 1);
                    double[] v = up ? [1.5, 1, 0.5] : [0.5, 1, 1.5];
                    return (1 - (p - i)) * v[i] + (p - i) * v[i + 1];
                }),
            })
            {
                var s = new DeviceUpdateSettings(new DeviceModel { Response = r }, 1, 1, 0, 1f, Rounding: RoundingMode.Nearest);
                var h = (float[])u.Clone();
                backend.DeviceUpdate(s, h, (float[])u.Clone(), dw);
                for (int i = 0; i < u.Length; ++i)
                {
                    double want = Math.Clamp(u[i] + (up ? 1 : -1) * 5 * 0.001 * f(u[i]), -0.6, 0.6);
                    Assert.That(h[i], Is.EqualTo(want).Within(2e-6), $"{name} up={up} u={u[i]}");
                }
            }
        }
    }

    [Test]
    public void DriftExponentComesBackFromALogLogFitWithinOnePercent([Values(0.02f, 0.06f, 0.1f)] float nu)
    {
        var drift = new DriftModel(nu);
        double[] times = [1, 60, 3600, 86_400, 2_592_000, 31_536_000];
        var lx = new List<double>();
        var (lf, ll) = (new List<double>(), new List<double>());
        foreach (double t in times)
        {
            var w = new float[1];
            backend.DeviceRead(new DeviceReadSettings(1, 0, 0, 0f, drift, t), [0.25f], w);
            var codes = new ushort[] { 1000 };
            var x = new float[1];
            backend.LnsRead<ushort>(new LnsReadSettings(F16, 1, 0, 0, 0f, drift, t), codes, [], x);
            lx.Add(Math.Log((t + DriftModel.DefaultT0) / DriftModel.DefaultT0));
            lf.Add(Math.Log(w[0]));
            ll.Add(Math.Log(x[0]));
        }
        Assert.That(-Fit(lx.ToArray(), lf.ToArray()).Slope, Is.EqualTo(nu).Within(1).Percent, "float device");
        Assert.That(-Fit(lx.ToArray(), ll.ToArray()).Slope, Is.EqualTo(nu).Within(1).Percent, "LNS synapse");
    }

    [Test]
    public void DriftExponentsSpreadFromDeviceToDevice()
    {
        const int n = 20_000;
        var w = Enumerable.Repeat(1f, n).ToArray();
        var d = new float[n];
        backend.DeviceRead(new DeviceReadSettings(3, 0, 0, 0f, new DriftModel(0.05f, 0.2f), 1e6), w, d);
        var nus = d.Select(x => -Math.Log(x) / Math.Log((1e6 + 20) / 20)).ToArray();
        double mean = nus.Average(), sd = Math.Sqrt(nus.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        Assert.That(mean, Is.EqualTo(0.05).Within(2).Percent);
        Assert.That(sd / 0.05, Is.EqualTo(0.2).Within(5).Percent, "relative device-to-device sd of ν");
    }

    [Test]
    public void WriteNoiseIsDrawnPerProgrammingEventWithItsSd()
    {
        const int n = 40_000;
        var before = Enumerable.Repeat((ushort)100, n).ToArray();
        var after = before.Select((c, i) => (ushort)(i % 2 == 0 ? 103 : 100)).ToArray();
        var o = new float[n];
        var stats = backend.LnsProgram<ushort>(new LnsProgramSettings(12, 0.5f, 4, 7, 1), before, after, o);
        Assert.That(stats, Is.EqualTo(new ProgramStats(n, n / 2, 3L * n / 2)), "one event of |Δk| = 3 pulses per changed code");
        var drawn = o.Where((_, i) => i % 2 == 0).ToArray();
        Assert.That(o.Where((_, i) => i % 2 == 1), Is.All.EqualTo(0f), "unchanged codes keep their offsets");
        double mean = drawn.Average(x => (double)x), sd = Math.Sqrt(drawn.Sum(x => (x - mean) * (x - mean)) / (drawn.Length - 1));
        Assert.That(mean, Is.EqualTo(0).Within(0.02));
        Assert.That(sd, Is.EqualTo(0.5).Within(2).Percent);
        // the offset shows in the read: w_max·2^(−(k + o)/γ)
        var x = new float[1];
        backend.LnsRead<ushort>(new LnsReadSettings(new LnsFormat(12, 64f, 1f), 0, 0, 1), [after[0]], [o[0]], x);
        Assert.That(x[0], Is.EqualTo(Math.Pow(2, -(103 + o[0]) / 64.0)).Within(1e-4).Percent);
    }

    [Test]
    public void ReadNoiseIsDrawnPerReadAndNothingIsStored()
    {
        const int n = 2000;
        var codes = TestData.Codes<ushort>(n, 12, 1);
        var f = new LnsFormat(12, 64f, 1f);
        var (plain, r1, r1Again, r2) = (new float[n], new float[n], new float[n], new float[n]);
        backend.LnsDecode<ushort>(f, codes, plain);
        var noisy = new LnsReadSettings(f, 8, 1, 0, 0.3f);
        backend.LnsRead<ushort>(noisy, codes, [], r1);
        backend.LnsRead<ushort>(noisy, codes, [], r1Again);
        backend.LnsRead<ushort>(noisy with { Read = 2 }, codes, [], r2);
        TestData.AssertIdentical<float>(r1, r1Again, "the same read repeats");
        Assert.That(r1.Zip(r2).Count(p => p.First != p.Second), Is.GreaterThan(n / 2), "another read draws anew");
        var clean = new float[n];
        backend.LnsRead<ushort>(noisy with { ReadNoiseStd = 0 }, codes, [], clean);
        TestData.AssertIdentical<float>(plain, clean, "a read without noise, offsets or drift is the decode");
    }

    [Test]
    public void AsymmetrySpreadsFromDeviceToDevice()
    {
        const int n = 20_000;
        var r = DeviceResponse.Constant with { UpDownDtod = 0.1f };
        var s = new DeviceUpdateSettings(new DeviceModel(Asymmetry: 0.2f) { Response = r }, 1, 1, 0, 1f, Rounding: RoundingMode.Nearest);
        var h = new float[n];
        backend.DeviceUpdate(s, h, new float[n], Enumerable.Repeat(0.1f, n).ToArray()); // 100 pulses up
        var betas = h.Select(x => x / 0.1 - 1).ToArray(); // the up step is 100·dw_min·(1 + β_i)
        double mean = betas.Average(), sd = Math.Sqrt(betas.Sum(b => (b - mean) * (b - mean)) / (n - 1));
        Assert.That(mean, Is.EqualTo(0.2).Within(0.003));
        Assert.That(sd, Is.EqualTo(0.1).Within(3).Percent);
    }

    private static (double Slope, double Intercept) Fit(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        double sxy = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)), sxx = x.Sum(v => (v - mx) * (v - mx));
        return (sxy / sxx, my - sxy / sxx * mx);
    }
}
