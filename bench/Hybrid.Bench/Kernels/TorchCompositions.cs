using Hybrid.Synapse;
using Hybrid.Synapse.Twin;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Bench.Kernels;

/// <summary>
/// The float32 Madam step composed of TorchSharp tensor ops, as a TorchSharp user writes it
/// (CPU tensors, torch's own thread pool; every op is one pass over its operands and most
/// allocate a temporary):
/// <code>
/// v.mul_(β2).addcmul_(g, g, 1 − β2)                     // v ← β2·v + (1−β2)·g²
/// ĝ = (g / (v / bc).sqrt_()).nan_to_num_(0).clamp_(−g_bound, g_bound)
/// w.mul_(ĝ.mul_(w.sign()).mul_(−η).exp_()).clamp_(−w_max, w_max)
/// </code>
/// It is the reference's rule except where g² underflows with v = 0: torch gives g/0 = ±inf,
/// which nan_to_num_ maps to the largest float and the clamp to ±g_bound, where the reference
/// takes no step. torch's exp and its vector sums round differently, within a few ulp.
/// </summary>
public sealed class TorchMadam : IDisposable
{
    private readonly Tensor _w, _g, _v;

    /// <summary>Copies the inputs into torch tensors.</summary>
    public TorchMadam(float[] w, float[] g, float[] v)
    {
        _w = tensor(w);
        _g = tensor(g);
        _v = tensor(v);
    }

    /// <summary>One step in place (bias correction bc = 1 − β2^t from the settings' step t).</summary>
    public void Step(in MadamSettings s)
    {
        using var scope = NewDisposeScope();
        var k = MadamConsts.Make(s.Beta2, s.GBound, s.Step, 1f, 0f);
        _v.mul_(k.Beta2).addcmul_(_g, _g, k.OneMinusBeta2);
        var gh = _g.div((_v / k.BiasCorrection).sqrt_()).nan_to_num_(0).clamp_(-s.GBound, s.GBound);
        _w.mul_(gh.mul_(_w.sign()).mul_(-s.Lr).exp_()).clamp_(-s.WMax, s.WMax);
    }

    /// <summary>The weights and second moments now.</summary>
    public (float[] W, float[] V) Read() => (_w.data<float>().ToArray(), _v.data<float>().ToArray());

    /// <inheritdoc />
    public void Dispose()
    {
        _w.Dispose();
        _g.Dispose();
        _v.Dispose();
    }
}

/// <summary>
/// The LNS Madam step composed of TorchSharp tensor ops: codes are kept in a torch integer
/// tensor of the same width (uint8 for B ≤ 8; int16 holding the uint16 bit pattern for B = 16,
/// as torch's uint16 has almost no ops), widened to int32 for the arithmetic:
/// <code>
/// v, ĝ as in <see cref="TorchMadam"/>
/// c = codes.to(int32);  sign = c &amp; 2^(B−1);  k = c &amp; K
/// dk = where(sign ≠ 0, −ĝ·s, ĝ·s)                       // s = γ·η/ln 2
/// r  = floor(dk + u)          u = torch.rand(n) (stochastic) or 0.5 (nearest)
/// kn = clamp(k + r, 0, K − 1)
/// codes.copy_(where(k == K, c, sign | kn))            // zero codes never move
/// </code>
/// The rule is the reference's, but u comes from torch's generator, not the Philox stream, so
/// stochastic codes are statistically, not bitwise, the same; with nearest rounding they match
/// except where float rounding in torch's kernels moves dk + 1/2 across an integer.
/// </summary>
public sealed class TorchLns : IDisposable
{
    private readonly Tensor _codes, _g, _v;
    private readonly int _bits, _n;

    /// <summary>Copies the inputs into torch tensors (codes of a <paramref name="bits"/>-bit format).</summary>
    public TorchLns(int bits, uint[] codes, float[] g, float[] v)
    {
        _bits = bits;
        _n = codes.Length;
        _codes = bits <= 8
            ? tensor(codes.Select(c => (byte)c).ToArray())
            : tensor(codes.Select(c => unchecked((short)(ushort)c)).ToArray());
        _g = tensor(g);
        _v = tensor(v);
    }

    /// <summary>One step in place.</summary>
    public void Step(in LnsMadamSettings s)
    {
        using var scope = NewDisposeScope();
        var k0 = MadamConsts.Make(s.Beta2, s.GBound, s.Step, s.Format.Gamma, s.Lr);
        int kmax = (int)s.Format.ZeroCode;
        _v.mul_(k0.Beta2).addcmul_(_g, _g, k0.OneMinusBeta2);
        var gh = _g.div((_v / k0.BiasCorrection).sqrt_()).nan_to_num_(0).clamp_(-s.GBound, s.GBound);
        var c = _codes.to(ScalarType.Int32);
        var sign = c.bitwise_and(kmax + 1);
        var k = c.bitwise_and(kmax);
        var dk = gh.mul_(k0.CodeScale);
        dk = where(sign.ne(0), dk.neg(), dk);
        var r = s.Rounding == Hybrid.Synapse.RoundingMode.Stochastic ? dk.add_(rand(_n)).floor_() : dk.add_(0.5f).floor_();
        var kn = k.to(ScalarType.Float32).add_(r).clamp_(0, kmax - 1).to(ScalarType.Int32);
        _codes.copy_(where(k.eq(kmax), c, kn.bitwise_or_(sign)));
    }

    /// <summary>The codes (as unsigned values) and second moments now.</summary>
    public (uint[] Codes, float[] V) Read()
    {
        var codes = _bits <= 8
            ? _codes.data<byte>().Select(c => (uint)c).ToArray()
            : _codes.data<short>().Select(c => (uint)(ushort)c).ToArray();
        return (codes, _v.data<float>().ToArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _codes.Dispose();
        _g.Dispose();
        _v.Dispose();
    }
}
