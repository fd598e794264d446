using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using Hybrid.Native.Interop;
using Hybrid.Synapse.Twin;

namespace Hybrid.Synapse.Simd;

/// <summary>
/// The Madam steps vectorised in plain C# (<see cref="Vector256{T}"/>, AVX2 for the random
/// stream): what a good C# programmer writes without native code, single-threaded. The LNS step
/// gives exactly <see cref="ManagedKernels.LnsMadamStep{TCode}"/>'s codes, second moments and
/// counts (same IEEE operation sequence, same Philox stream); the float Madam step uses the
/// shared polynomial e^x (<see cref="SimdMath.Exp"/>, lane for lane <see cref="LnsMath.Expf"/>), so
/// its weights are the reference's too.
/// </summary>
/// <remarks>
/// Validation and exceptions are the reference's, in the same order: the settings and buffers
/// by the same helpers, then the codes and gradients scanned with vectors and, only when a bad
/// element exists, rescanned by the reference's own checks so the message names the same first
/// element. The body takes 32 elements per iteration (one slot of a rounding stripe: the stripe's
/// 32 Philox blocks, hybrid/random.h, are drawn once and kept while its slots run); the last
/// partial group is run through the same vector code on padded stack copies whose padding lanes
/// (zero code, zero gradient, zero weight) neither change nor count. On a CPU without hardware
/// <see cref="Vector256"/> or AVX2 every call is the reference's.
/// </remarks>
public static class SimdKernels
{
    private const int Group = 32;

    /// <summary>Whether the vector paths run on this CPU (x64 with AVX2); otherwise calls go to <see cref="ManagedKernels"/>.</summary>
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated && PhiloxSimd.IsSupported;

    /// <summary>One LNS Madam step on <paramref name="codes"/> in place (see lns.h for the rule).</summary>
    /// <exception cref="ArgumentException">As <see cref="ManagedKernels.LnsMadamStep{TCode}"/>, with nothing written.</exception>
    public static StepStats LnsMadamStep<TCode>(in LnsMadamSettings s, Span<TCode> codes,
        ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        // The vector path is the published rule: a moment per synapse, an ideal device. Shared
        // moments, the device model and a rounded ĝ go to the scalar reference.
        if (!IsAccelerated || s.Moment != MomentMode.PerSynapse || s.Device.IsOn || s.RoundGradient)
            return ManagedKernels.LnsMadamStep(s, codes, grad, v);
        s.Validate(KernelContract.CodeBytes<TCode>());
        SpanRules.StepBuffers(MemoryMarshal.AsBytes(codes), codes.Length, nameof(codes), grad, v, codes.Length);
        if (AnyCodeAbove(codes, s.Format.Bits)) ManagedKernels.CheckCodes<TCode>(codes, s.Format.Bits);
        if (s.NonFinite == NonFinitePolicy.Reject && AnyNonFinite(grad)) ManagedKernels.RejectNonFinite(grad, nameof(grad));

        var step = new LnsStepper(s);
        int n = codes.Length, i = 0;
        ref TCode c = ref MemoryMarshal.GetReference(codes);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float vv = ref MemoryMarshal.GetReference(v);
        for (; i <= n - Group; i += Group)
            step.Group(ref Unsafe.Add(ref c, i), ref Unsafe.Add(ref g, i), ref Unsafe.Add(ref vv, i), i);
        if (i < n)
        {
            int m = n - i;
            Span<TCode> tc = stackalloc TCode[Group];
            Span<float> tg = stackalloc float[Group], tv = stackalloc float[Group];
            tc.Fill(TCode.CreateTruncating(s.Format.ZeroCode));   // the zero code never moves
            tg.Clear();
            tv.Clear();
            codes[i..].CopyTo(tc);
            grad[i..].CopyTo(tg);
            v[i..].CopyTo(tv);
            step.Group(ref MemoryMarshal.GetReference(tc), ref MemoryMarshal.GetReference(tg),
                ref MemoryMarshal.GetReference(tv), i);
            tc[..m].CopyTo(codes[i..]);
            tv[..m].CopyTo(v[i..]);
        }
        return new StepStats(n, Vector256.Sum(step.Changed), Vector256.Sum(step.NonFinite));
    }

    /// <summary>One float32 Madam step on <paramref name="w"/> in place (jxbz/madam semantics, libhybrid's e^x).</summary>
    /// <exception cref="ArgumentException">As <see cref="ManagedKernels.MadamStep"/>, with nothing written.</exception>
    public static StepStats MadamStep(in MadamSettings s, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
    {
        if (!IsAccelerated) return ManagedKernels.MadamStep(s, w, grad, v);
        KernelContract.MadamStep(s, w, grad, v);
        if (s.NonFinite == NonFinitePolicy.Reject && AnyNonFinite(grad)) ManagedKernels.RejectNonFinite(grad, nameof(grad));
        if (AnyNonFinite(w)) ManagedKernels.RejectNonFinite(w, nameof(w));

        var step = new MadamStepper(s);
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pg = ref MemoryMarshal.GetReference(grad);
        ref float pv = ref MemoryMarshal.GetReference(v);
        int lanes = Vector256<float>.Count;
        for (; i <= n - lanes; i += lanes)
            step.Lanes(ref Unsafe.Add(ref pw, i), ref Unsafe.Add(ref pg, i), ref Unsafe.Add(ref pv, i));
        if (i < n)
        {
            int m = n - i;
            Span<float> tw = stackalloc float[lanes], tg = stackalloc float[lanes], tv = stackalloc float[lanes];
            tw.Clear();   // a zero weight never moves
            tg.Clear();
            tv.Clear();
            w[i..].CopyTo(tw);
            grad[i..].CopyTo(tg);
            v[i..].CopyTo(tv);
            step.Lanes(ref MemoryMarshal.GetReference(tw), ref MemoryMarshal.GetReference(tg), ref MemoryMarshal.GetReference(tv));
            tw[..m].CopyTo(w[i..]);
            tv[..m].CopyTo(v[i..]);
        }
        return new StepStats(n, Vector256.Sum(step.Changed), Vector256.Sum(step.NonFinite));
    }

    /// <summary>Whether any code has bits at or above bit <paramref name="bits"/> (OR of all codes, then one test).</summary>
    private static bool AnyCodeAbove<TCode>(ReadOnlySpan<TCode> codes, int bits)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        if (bits >= 8 * Unsafe.SizeOf<TCode>()) return false;
        var bytes = MemoryMarshal.AsBytes(codes);
        var any = Vector256<byte>.Zero;
        int i = 0;
        for (; i <= bytes.Length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            any |= Vector256.Create(bytes.Slice(i, Vector256<byte>.Count));
        uint tail = 0;
        for (int j = i / Unsafe.SizeOf<TCode>(); j < codes.Length; ++j) tail |= uint.CreateTruncating(codes[j]);
        uint mask = ~((1u << bits) - 1u);
        if ((tail & mask) != 0) return true;
        // OR of the 16-bit codes lane by lane keeps each code's high byte in the odd bytes
        return typeof(TCode) == typeof(byte)
            ? (any & Vector256.Create((byte)mask)) != Vector256<byte>.Zero
            : (any.AsUInt16() & Vector256.Create((ushort)mask)) != Vector256<ushort>.Zero;
    }

    /// <summary>Whether any element is NaN or infinite.</summary>
    private static bool AnyNonFinite(ReadOnlySpan<float> x)
    {
        var exponent = Vector256.Create(0x7F800000u);
        var bad = Vector256<uint>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            bad |= Vector256.Equals(Vector256.Create(x.Slice(i, Vector256<float>.Count)).AsUInt32() & exponent, exponent);
        for (; i < x.Length; ++i)
            if (!float.IsFinite(x[i])) return true;
        return bad != Vector256<uint>.Zero;
    }

    /// <summary>All-ones lanes when a non-finite gradient leaves its element alone (reject, skip), zero when
    /// IEEE arithmetic carries it (propagate).</summary>
    private static Vector256<float> SkipMask(NonFinitePolicy policy) =>
        policy == NonFinitePolicy.Propagate ? Vector256<float>.Zero : Vector256<float>.AllBitsSet;

    /// <summary>Sixteen word vectors: word w of blocks 8q … 8q + 7 of a stripe at index 4q + w.</summary>
    [InlineArray(16)]
    private struct StripeWords
    {
        private Vector256<uint> _element;
    }

    /// <summary>The LNS step's per-call state: broadcast constants, the stream's key and the counts.</summary>
    private struct LnsStepper
    {
        private readonly MadamLanes _k;
        private readonly Vector256<uint> _kmax, _signMask;
        private readonly Vector256<int> _kLast;
        private readonly bool _stochastic;
        private readonly ulong _seed;
        private readonly long _step;
        private readonly uint _tensorId;
        private readonly int _r, _stripeElements;
        private int _stripe;
        private StripeWords _words;   // the four words of the stripe's 32 blocks, eight blocks a vector
        private readonly Vector256<float> _skip;   // all ones unless the policy propagates non-finite gradients
        public Vector256<int> Changed, NonFinite;

        public LnsStepper(in LnsMadamSettings s)
        {
            _k = new MadamLanes(MadamConsts.Make(s.Beta2, s.GBound, s.Step, s.Format.Gamma, s.Lr));
            uint kmax = s.Format.ZeroCode;
            _kmax = Vector256.Create(kmax);
            _signMask = Vector256.Create(~kmax);
            _kLast = Vector256.Create((int)kmax - 1);
            _stochastic = s.Rounding == RoundingMode.Stochastic;
            (_seed, _step, _tensorId) = (s.Seed, s.Step, s.TensorId);
            _r = s.RandomBits;
            _stripeElements = HybridConstants.HYB_RANDOM_STRIPE * Philox.RoundingPerBlock(s.RandomBits);
            _stripe = -1;
            _words = default;
            _skip = SkipMask(s.NonFinite);
            Changed = NonFinite = Vector256<int>.Zero;
        }

        /// <summary>Elements i … i + 31, i a multiple of 32 (the refs point at the first of them): one slot of a
        /// rounding stripe, whose 32 elements take the same word and slice of the stripe's 32 blocks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Group<TCode>(ref TCode codes, ref float grad, ref float v, int i)
            where TCode : unmanaged
        {
            Vector256<float> u0, u1, u2, u3;
            if (_stochastic)
            {
                int stripe = i / _stripeElements, slot = (i - stripe * _stripeElements) / HybridConstants.HYB_RANDOM_STRIPE;
                if (stripe != _stripe)
                {
                    uint b0 = (uint)stripe * HybridConstants.HYB_RANDOM_STRIPE;
                    for (int q = 0; q < 4; ++q)
                        PhiloxSimd.Blocks8(_seed, _step, _tensorId, (uint)HybRandomPurpose.Rounding, b0 + 8u * (uint)q,
                            out _words[4 * q], out _words[4 * q + 1], out _words[4 * q + 2], out _words[4 * q + 3]);
                    _stripe = stripe;
                }
                int word = slot & 3, p = slot >> 2;
                u0 = PhiloxSimd.RoundingSlice(_words[word], p, _r);
                u1 = PhiloxSimd.RoundingSlice(_words[4 + word], p, _r);
                u2 = PhiloxSimd.RoundingSlice(_words[8 + word], p, _r);
                u3 = PhiloxSimd.RoundingSlice(_words[12 + word], p, _r);
            }
            else
                u0 = u1 = u2 = u3 = Vector256.Create(0.5f);   // nearest: floor(x + 1/2)

            Vector256<uint> c0, c1, c2, c3;
            if (typeof(TCode) == typeof(byte))
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.As<TCode, byte>(ref codes)));
                (c0, c1) = Vector256.Widen(lo);
                (c2, c3) = Vector256.Widen(hi);
            }
            else
            {
                ref ushort p = ref Unsafe.As<TCode, ushort>(ref codes);
                (c0, c1) = Vector256.Widen(Vector256.LoadUnsafe(ref p));
                (c2, c3) = Vector256.Widen(Vector256.LoadUnsafe(ref p, 16));
            }
            c0 = Lanes(c0, ref grad, ref v, 0, u0);
            c1 = Lanes(c1, ref grad, ref v, 8, u1);
            c2 = Lanes(c2, ref grad, ref v, 16, u2);
            c3 = Lanes(c3, ref grad, ref v, 24, u3);
            if (typeof(TCode) == typeof(byte))
            {
                Vector256.Narrow(Vector256.Narrow(c0, c1), Vector256.Narrow(c2, c3))
                    .StoreUnsafe(ref Unsafe.As<TCode, byte>(ref codes));
            }
            else
            {
                ref ushort p = ref Unsafe.As<TCode, ushort>(ref codes);
                Vector256.Narrow(c0, c1).StoreUnsafe(ref p);
                Vector256.Narrow(c2, c3).StoreUnsafe(ref p, 16);
            }
        }

        /// <summary>Eight elements: v updated in place, the new codes returned.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<uint> Lanes(Vector256<uint> ci, ref float grad, ref float v, nuint at, Vector256<float> u)
        {
            var gi = Vector256.LoadUnsafe(ref grad, at);
            var vi = Vector256.LoadUnsafe(ref v, at);
            var ok = SimdMath.IsFinite(gi);
            var keep = ~ok & _skip;   // a non-finite gradient the policy leaves alone
            var vn = vi;
            var gh = SimdMath.Normalised(Vector256.AndNot(gi, keep), ref vn, _k);   // keep ? 0 : g
            var cn = SimdMath.StepCodes(ci, gh, u, _kmax, _signMask, _kLast, _k.CodeScale);
            cn = Vector256.ConditionalSelect(keep.AsUInt32(), ci, cn);
            Vector256.ConditionalSelect(keep, vi, vn).StoreUnsafe(ref v, at);
            Changed -= (~Vector256.Equals(cn, ci)).AsInt32();   // all-ones lanes are −1
            NonFinite -= (~ok).AsInt32();
            return cn;
        }
    }

    /// <summary>The float Madam step's per-call state.</summary>
    private struct MadamStepper
    {
        private readonly MadamLanes _k;
        private readonly Vector256<float> _negLr, _wMax, _negWMax, _skip;
        public Vector256<int> Changed, NonFinite;

        public MadamStepper(in MadamSettings s)
        {
            _k = new MadamLanes(MadamConsts.Make(s.Beta2, s.GBound, s.Step, 1f, 0f));
            _negLr = Vector256.Create(-s.Lr);
            _wMax = Vector256.Create(s.WMax);
            _negWMax = Vector256.Create(-s.WMax);
            _skip = SkipMask(s.NonFinite);
            Changed = NonFinite = Vector256<int>.Zero;
        }

        /// <summary>Eight weights and second moments in place.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Lanes(ref float w, ref float grad, ref float v)
        {
            var gi = Vector256.LoadUnsafe(ref grad);
            var vi = Vector256.LoadUnsafe(ref v);
            var wi = Vector256.LoadUnsafe(ref w);
            var ok = SimdMath.IsFinite(gi);
            var keep = ~ok & _skip;
            var vn = vi;
            var gh = SimdMath.Normalised(Vector256.AndNot(gi, keep), ref vn, _k);
            var one = Vector256<float>.One;
            var zero = Vector256<float>.Zero;
            var sign = Vector256.ConditionalSelect(Vector256.GreaterThan(wi, zero), one,
                Vector256.ConditionalSelect(Vector256.LessThan(wi, zero), -one, zero));
            var wn = wi * SimdMath.Exp(_negLr * gh * sign);   // w ← w·exp(−η·ĝ·sign(w))
            wn = Vector256.ConditionalSelect(Vector256.GreaterThan(wn, _wMax), _wMax, wn);
            wn = Vector256.ConditionalSelect(Vector256.LessThan(wn, _negWMax), _negWMax, wn);
            wn = Vector256.ConditionalSelect(keep, wi, wn);
            Vector256.ConditionalSelect(keep, vi, vn).StoreUnsafe(ref v);
            wn.StoreUnsafe(ref w);
            Changed -= (~Vector256.Equals(wn, wi)).AsInt32();
            NonFinite -= (~ok).AsInt32();
        }
    }
}
