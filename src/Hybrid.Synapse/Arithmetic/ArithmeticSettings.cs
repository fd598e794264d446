using Hybrid.Native.Interop;

namespace Hybrid.Synapse.Arithmetic;

/// <summary>
/// Settings of one LNS quantisation of a float tensor onto the grid of <see cref="Format"/>
/// (B bits, γ, scale = <see cref="LnsFormat.WMax"/>): every value becomes 0 or ±scale·2^(−k/γ),
/// k in [0, K−1] — exactly the values LNS codes of that format decode to. See
/// native/include/hybrid/lns_arith.h for the full rule; in short:
/// <list type="bullet">
/// <item><b>nearest</b>: the nearest level in the log domain (thresholds at the geometric midpoints
/// scale·2^(−(k+½)/γ), ties to the larger magnitude), and between the smallest level and 0 the
/// nearest in value (below half the smallest level: 0);</item>
/// <item><b>stochastic</b>: one of the two neighbouring values (levels, or the smallest level and 0)
/// with probabilities that make the result unbiased in value, E[q(x)] = x, for |x| ≤ scale;</item>
/// <item>|x| above the scale saturates to ±scale (counted); a non-zero x that becomes 0 is an underflow
/// (counted).</item>
/// </list>
/// </summary>
/// <param name="Format">The grid: B in [2, 16], γ in (0, 4096], scale (w_max) finite, normal, positive, with
/// every level a normal float.</param>
/// <param name="Rounding">Nearest or stochastic.</param>
/// <param name="Seed">Key of the random stream (stochastic only).</param>
/// <param name="Step">The training step (the stream's counter).</param>
/// <param name="TensorId">Which tensor: its own sub-stream.</param>
/// <param name="NonFinite">Reject (throw, nothing written) or skip (NaN/inf copied through unchanged and counted).</param>
public readonly record struct LnsQuantizeSettings(LnsFormat Format, RoundingMode Rounding = RoundingMode.Nearest,
    ulong Seed = 0, long Step = 0, uint TensorId = 0, NonFinitePolicy NonFinite = NonFinitePolicy.Reject)
{
    /// <summary>The random purpose of quantiser draws (hyb_random_purpose HYB_RANDOM_PURPOSE_QUANTIZE).</summary>
    public const int RandomPurpose = (int)HybRandomPurpose.Quantize;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        Format.Validate(2);
        if (Rounding is not (RoundingMode.Nearest or RoundingMode.Stochastic))
            throw new ArgumentException($"rounding mode {(int)Rounding} is unknown.", nameof(Rounding));
        if (NonFinite is not (NonFinitePolicy.Reject or NonFinitePolicy.Skip))
            throw new ArgumentException($"non-finite policy {(int)NonFinite} is unknown.", nameof(NonFinite));
    }

    /// <summary>The stream stochastic rounding draws from.</summary>
    public RandomStream Stream => new(Seed, Step, TensorId, RandomPurpose);
}

/// <summary>What one quantisation did.</summary>
/// <param name="Elements">Elements quantised.</param>
/// <param name="Saturated">|x| above the scale, clamped to ±scale.</param>
/// <param name="Underflowed">Non-zero values that became 0.</param>
/// <param name="NonFinite">NaN/inf elements copied through (policy skip).</param>
public readonly record struct QuantizeStats(long Elements, long Saturated, long Underflowed, long NonFinite)
{
    /// <summary>The sum of two counts.</summary>
    public static QuantizeStats operator +(QuantizeStats a, QuantizeStats b) =>
        new(a.Elements + b.Elements, a.Saturated + b.Saturated, a.Underflowed + b.Underflowed, a.NonFinite + b.NonFinite);
}

/// <summary>
/// The exact LNS GEMM C[M×N] = A[M×K] · B[K×N] as an LNS datapath computes it (SCIENCE.md, "LNS
/// arithmetic of the whole training step"; native/include/hybrid/lns_arith.h). A and B are LNS codes
/// of formats with the same γ, an integer power of two up to <see cref="MaxGamma"/>, row-major, or stored
/// as their transposes (<see cref="ATransposed"/>: A held as Aᵀ, K×M; <see cref="BTransposed"/>: B held as
/// Bᵀ, N×K — a layer's forward x·Wᵀ passes W as it is stored, its weight gradient eᵀ·x passes e); C is
/// row-major.
/// Each product is sign XOR and exponent add: |a·b| = s_A·s_B·2^(−E/γ), E = k_a + k_b, split into
/// quotient q = E div γ (a shift) and remainder r = E mod γ (the bucket). Bucket r keeps an integer
/// partial sum of ±2^(F−q) (F = <see cref="FractionBits"/>; a product with q &gt; F is shifted out
/// entirely, counted as truncated) in a saturating accumulator of <see cref="AccumulatorBits"/> bits
/// (two's complement; every clamp is counted), summed in ascending k — the order is part of the datapath,
/// since clamps do not commute (faster kernels add a block in another order only where they have proved
/// that no clamp can happen in it). At the end each bucket is scaled by
/// its constant 2^(−r/γ) and the buckets are summed (in double, r ascending), scaled by 2^(−F)·s_A·s_B
/// and rounded to float.
/// </summary>
/// <param name="A">A's format (its w_max is A's scale).</param>
/// <param name="B">B's format (same γ).</param>
/// <param name="M">Rows of A and C.</param>
/// <param name="K">Columns of A, rows of B (the reduction).</param>
/// <param name="N">Columns of B and C.</param>
/// <param name="AccumulatorBits">W: bits of each bucket's signed accumulator, in [2, 32].</param>
/// <param name="FractionBits">F: fraction bits (the largest product, q = 0, is 2^F units), in [0, W−2] so one product fits.</param>
/// <param name="ATransposed">A is stored as Aᵀ (row-major K×M).</param>
/// <param name="BTransposed">B is stored as Bᵀ (row-major N×K).</param>
public readonly record struct LnsGemmSettings(LnsFormat A, LnsFormat B, int M, int K, int N, int AccumulatorBits = 32,
    int FractionBits = 24, bool ATransposed = false, bool BTransposed = false)
{
    /// <summary>Largest γ of the exact datapath (buckets per output).</summary>
    public const int MaxGamma = HybridConstants.HYB_LNS_GEMM_MAX_GAMMA;
    /// <summary>Widest accumulator.</summary>
    public const int MaxAccumulatorBits = HybridConstants.HYB_LNS_GEMM_MAX_ACC_BITS;

    /// <summary>γ as the integer bucket count (valid after <see cref="Validate"/>).</summary>
    public int Buckets => (int)A.Gamma;

    /// <summary>Multiply-accumulates: M·K·N.</summary>
    public long Macs => (long)M * K * N;

    /// <summary>Index of A[m, k] in A's storage.</summary>
    public int AIndex(int m, int k) => ATransposed ? k * M + m : m * K + k;

    /// <summary>Index of B[k, n] in B's storage.</summary>
    public int BIndex(int k, int n) => BTransposed ? n * K + k : k * N + n;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting (codes of <paramref name="codeBytes"/> bytes).</summary>
    public void Validate(int codeBytes)
    {
        try { A.Validate(codeBytes); }
        catch (ArgumentException e) { throw new ArgumentException($"exact GEMM operand A: {e.Message}", "A", e); }
        try { B.Validate(codeBytes); }
        catch (ArgumentException e) { throw new ArgumentException($"exact GEMM operand B: {e.Message}", "B", e); }
        CheckGamma(A.Gamma, "A");
        if (B.Gamma != A.Gamma)
            throw new ArgumentException($"exact GEMM needs one γ for both operands (exponents add); A has {A.Gamma}, B has {B.Gamma}.", "B");
        if (M < 0 || K < 0 || N < 0)
            throw new ArgumentException($"exact GEMM shape M = {M}, K = {K}, N = {N} has a negative size.", "M");
        if ((long)M * K > int.MaxValue || (long)K * N > int.MaxValue || (long)M * N > int.MaxValue)
            throw new ArgumentException($"exact GEMM shape M = {M}, K = {K}, N = {N}: an operand has more than 2^31 − 1 elements.", "M");
        CheckAccumulator(AccumulatorBits, FractionBits);
    }

    /// <summary>Throws unless γ is an integer power of two in [1, <see cref="MaxGamma"/>].</summary>
    public static void CheckGamma(float gamma, string what)
    {
        if (!(gamma >= 1f && gamma <= MaxGamma) || gamma != MathF.Floor(gamma) || ((int)gamma & ((int)gamma - 1)) != 0)
            throw new ArgumentException(
                $"exact GEMM needs γ = a power of two in [1, {MaxGamma}] (remainder buckets); {what} has γ = {gamma}.", "gamma");
    }

    /// <summary>Throws unless W is in [2, 32] and F in [0, W − 2] (one product, 2^F units, must fit).</summary>
    public static void CheckAccumulator(int accumulatorBits, int fractionBits)
    {
        if (accumulatorBits < 2 || accumulatorBits > MaxAccumulatorBits)
            throw new ArgumentException($"accumulator width {accumulatorBits} bits is outside [2, {MaxAccumulatorBits}].", "AccumulatorBits");
        if (fractionBits < 0 || fractionBits > accumulatorBits - 2)
            throw new ArgumentException(
                $"accumulator of {accumulatorBits} bits is too small for one product of 2^{fractionBits} units " +
                $"(fraction bits must be in [0, {accumulatorBits - 2}]).", "FractionBits");
    }
}

/// <summary>What one exact GEMM did.</summary>
/// <param name="Macs">Products formed, zeros included (M·K·N).</param>
/// <param name="Saturations">Bucket additions that clamped at the accumulator's range.</param>
/// <param name="Truncated">Non-zero products smaller than one accumulator unit (q &gt; F), shifted out.</param>
/// <param name="Kernel">The kernel that ran ("managed", "native-cpu avx512", "native-cpu scalar" = the C reference,
/// "native-cuda"); null for none, "mixed" for a sum over different kernels.</param>
public readonly record struct GemmStats(long Macs, long Saturations, long Truncated, string? Kernel = null)
{
    /// <summary>The sum of two counts.</summary>
    public static GemmStats operator +(GemmStats a, GemmStats b) =>
        new(a.Macs + b.Macs, a.Saturations + b.Saturations, a.Truncated + b.Truncated,
            a.Kernel is null ? b.Kernel : b.Kernel is null || b.Kernel == a.Kernel ? a.Kernel : "mixed");
}
