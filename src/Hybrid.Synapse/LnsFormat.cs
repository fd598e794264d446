using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>
/// A B-bit logarithmic-number-system synapse format: sign bit plus a (B−1)-bit magnitude
/// index k, |w| = w_max · 2^(−k/γ) for k &lt; K = 2^(B−1) − 1, and k = K is exact zero
/// (so B = 2 is ternary). See native/include/hybrid/lns.h for the full contract.
/// </summary>
/// <param name="Bits">B, 2 … 16.</param>
/// <param name="Gamma">γ, levels per octave, in (0, 4096]; a power of two suits hardware (LNS-Madam uses 8).</param>
/// <param name="WMax">The largest magnitude, finite, normal and positive.</param>
public readonly record struct LnsFormat(int Bits, float Gamma, float WMax)
{
    /// <summary>Smallest supported bit width (HYB_LNS_MIN_BITS).</summary>
    public const int MinBits = HybridConstants.HYB_LNS_MIN_BITS;
    /// <summary>Largest supported bit width (HYB_LNS_MAX_BITS).</summary>
    public const int MaxBits = HybridConstants.HYB_LNS_MAX_BITS;
    /// <summary>Largest supported γ (HYB_LNS_MAX_GAMMA).</summary>
    public const float MaxGamma = HybridConstants.HYB_LNS_MAX_GAMMA;

    /// <summary>K = 2^(B−1) − 1, the magnitude index that means zero.</summary>
    public int ZeroIndex => (1 << (Bits - 1)) - 1;

    /// <summary>The canonical zero code (sign bit clear).</summary>
    public uint ZeroCode => (uint)ZeroIndex;

    /// <summary>Number of distinct codes, 2^B.</summary>
    public int CodeCount => 1 << Bits;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the problem unless the format is usable
    /// with codes of <paramref name="codeBytes"/> bytes (1: B ≤ 8, 2: B ≤ 16). The same rules
    /// as the native hyb_check_lns_format.
    /// </summary>
    public void Validate(int codeBytes = 2)
    {
        int maxBits = codeBytes == 1 ? 8 : MaxBits;
        if (Bits < MinBits || Bits > maxBits)
            throw new ArgumentException(
                $"LNS bits = {Bits} is outside [{MinBits}, {maxBits}] for {(codeBytes == 1 ? "uint8" : "uint16")} codes.",
                nameof(Bits));
        if (!(Gamma > 0f) || !(Gamma <= MaxGamma))
            throw new ArgumentException($"LNS gamma = {Gamma} is outside (0, {MaxGamma}].", nameof(Gamma));
        if (!float.IsFinite(WMax) || !(WMax >= 1.17549435e-38f) /* smallest normal float */)
            throw new ArgumentException($"LNS w_max = {WMax} must be a finite, normal, positive float.", nameof(WMax));
        if (this == _lastWithNormalLevels) return;   // a layer steps with one format every call: skip the log2
        double lo = LnsMath.Log2(WMax) - (double)Math.Max(ZeroIndex - 1, 0) / Gamma;
        if (lo < -126.0)
            throw new ArgumentException(
                $"LNS format B = {Bits}, gamma = {Gamma}, w_max = {WMax}: the smallest level w_max·2^(−(K−1)/γ) = " +
                $"2^{lo:F1} underflows float; raise gamma or w_max.", nameof(Gamma));
        _lastWithNormalLevels = this;
    }

    // The last format whose smallest level this thread found normal (the check's log2 is most of
    // the cost of validating a one-element step).
    [ThreadStatic] private static LnsFormat _lastWithNormalLevels;

    /// <summary>The value of one code (twin of the native decode).</summary>
    public float Decode(uint code) => LnsMath.DecodeOne(code, Bits, Gamma, WMax);

    /// <summary>The code of one finite value (twin of the native encode).</summary>
    public uint Encode(float x) => LnsMath.EncodeOne(x, Bits, Gamma, LnsMath.Log2(WMax));

    /// <inheritdoc />
    public override string ToString() => $"LNS{Bits}(γ={Gamma}, w_max={WMax})";
}
