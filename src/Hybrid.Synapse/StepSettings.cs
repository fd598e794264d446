using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>How a step turns a real-valued code increment into an integer.</summary>
public enum RoundingMode
{
    /// <summary>floor(x + 1/2): deterministic; steps below half a level stall.</summary>
    Nearest = 0,
    /// <summary>floor(x + u), u uniform from the Philox stream: unbiased.</summary>
    Stochastic = 1,
}

/// <summary>What a step does with a NaN or infinite gradient element (every policy counts them).</summary>
public enum NonFinitePolicy
{
    /// <summary>Throw, with nothing written.</summary>
    Reject = 0,
    /// <summary>Leave that element (weight or code, and its second moment) unchanged.</summary>
    Skip = 1,
    /// <summary>IEEE arithmetic, as the authors' reference (jxbz/madam) and the TorchSharp Madam: g² enters v
    /// (NaN or +∞), ĝ is NaN → 0, so the element takes no step and, its v poisoned, none after (a shared
    /// moment freezes its row or tensor; sign-only steps ±∞ by its sign). See hybrid/lns.h.</summary>
    Propagate = 2,
}

/// <summary>What one step did.</summary>
/// <param name="Elements">Elements in the tensor.</param>
/// <param name="Changed">Codes or weights whose value changed.</param>
/// <param name="NonFiniteSkipped">NaN or infinite gradient elements (skipped, or propagated).</param>
public readonly record struct StepStats(long Elements, long Changed, long NonFiniteSkipped);

/// <summary>A position in the shared Philox stream (see native/include/hybrid/random.h).</summary>
public readonly record struct RandomStream(ulong Seed, long Step, uint TensorId, int Purpose)
{
    /// <summary>Throws unless the purpose is in [0, 255].</summary>
    public void Validate()
    {
        if (Purpose is < 0 or > HybridConstants.HYB_RANDOM_MAX_PURPOSE)
            throw new ArgumentException(
                $"random purpose = {Purpose} is outside [0, {HybridConstants.HYB_RANDOM_MAX_PURPOSE}].", nameof(Purpose));
    }
}

/// <summary>Shared checks of the Madam settings (the same rules as the native library).</summary>
internal static class MadamChecks
{
    public static void Common(float lr, float beta2, float gBound, long step, NonFinitePolicy policy)
    {
        if (!float.IsFinite(lr) || lr < 0f)
            throw new ArgumentException($"Madam lr = {lr} must be finite and >= 0.", "Lr");
        if (!(beta2 >= 0f && beta2 < 1f))
            throw new ArgumentException($"Madam beta2 = {beta2} is outside [0, 1).", "Beta2");
        if (!(gBound > 0f) || !float.IsFinite(gBound))
            throw new ArgumentException($"Madam g_bound = {gBound} must be finite and > 0.", "GBound");
        if (step < 1)
            throw new ArgumentException($"Madam step = {step} must be >= 1 (the step being taken).", "Step");
        if (policy is not (NonFinitePolicy.Reject or NonFinitePolicy.Skip or NonFinitePolicy.Propagate))
            throw new ArgumentException($"non-finite policy {(int)policy} is unknown.", "NonFinite");
    }
}

/// <summary>
/// Settings of one float32 Madam step (Bernstein et al., NeurIPS 2020; jxbz/madam). Defaults are
/// the paper's: lr 0.01, β2 0.999, g_bound 10. <see cref="WMax"/> = p_scale · RMS(w at step 1).
/// </summary>
public readonly record struct MadamSettings(float WMax, long Step, float Lr = 0.01f, float Beta2 = 0.999f,
    float GBound = 10f, NonFinitePolicy NonFinite = NonFinitePolicy.Reject)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        MadamChecks.Common(Lr, Beta2, GBound, Step, NonFinite);
        if (!(WMax > 0f) || !float.IsFinite(WMax))
            throw new ArgumentException($"Madam w_max = {WMax} must be finite and > 0.", nameof(WMax));
    }
}

/// <summary>Where the LNS step's second moment lives (a hardware-cost knob).</summary>
public enum MomentMode
{
    /// <summary>One float per synapse (Madam as published).</summary>
    PerSynapse = 0,
    /// <summary>One float per neuron (row): fed the row's mean of g².</summary>
    PerNeuron = 1,
    /// <summary>One float per tensor: fed the tensor's mean of g².</summary>
    PerTensor = 2,
    /// <summary>No second moment: the step uses sign(g) only.</summary>
    None = 3,
}

/// <summary>
/// Settings of one LNS Madam step in the code domain: dk = round(γ·η·ĝ·sign(w)/ln 2), clamped.
/// Defaults as float Madam; stochastic rounding keyed by (Seed, Step, TensorId, element), with
/// <paramref name="RandomBits"/> random bits per rounding (a hardware-cost knob: 4, 8, 12, 16 or 32;
/// the uniform's resolution is 2^−r, see hybrid/random.h).
/// <see cref="RoundGradient"/> rounds ĝ to an integer first, floor(ĝ + 1/2), as LNS-Madam's reference
/// optimiser does (it uses torch.round: ties to even, a difference only at exact halves).
/// </summary>
public readonly record struct LnsMadamSettings(LnsFormat Format, long Step, float Lr = 0.01f,
    float Beta2 = 0.999f, float GBound = 10f, RoundingMode Rounding = RoundingMode.Stochastic,
    ulong Seed = 0, uint TensorId = 0, NonFinitePolicy NonFinite = NonFinitePolicy.Reject,
    MomentMode Moment = MomentMode.PerSynapse, long Rows = 1, DeviceModel Device = default,
    int RandomBits = HybridConstants.HYB_RANDOM_BITS_DEFAULT, bool RoundGradient = false)
{
    /// <summary>The random bits per stochastic rounding Hybrid supports.</summary>
    public static readonly IReadOnlyList<int> RandomBitsChoices = [4, 8, 12, 16, 32];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate(int codeBytes)
    {
        Format.Validate(codeBytes);
        MadamChecks.Common(Lr, Beta2, GBound, Step, NonFinite);
        if (Rounding is not (RoundingMode.Nearest or RoundingMode.Stochastic))
            throw new ArgumentException($"rounding mode {(int)Rounding} is unknown.", nameof(Rounding));
        if (RandomBits is not (4 or 8 or 12 or 16 or 32))   // RandomBitsChoices
            throw new ArgumentException($"random_bits = {RandomBits} is not 4, 8, 12, 16 or 32.", nameof(RandomBits));
        double scale = (double)Format.Gamma * Lr * LnsMath.InvLn2;
        if (!(scale <= float.MaxValue))   // the code scale is a float: an infinite one would turn ĝ = 0 into NaN
            throw new ArgumentException(
                $"gamma · lr / ln 2 = {scale:G4} code steps per unit gradient overflows float; lower lr or gamma.", nameof(Lr));
        double steps = scale * GBound;
        if (!(steps <= HybridConstants.HYB_LNS_MAX_CODE_STEPS))
            throw new ArgumentException(
                $"gamma · lr · g_bound / ln 2 = {steps:G4} code steps exceeds 2^20; lower lr or gamma.", nameof(Lr));
        Device.Validate();
        if (Moment is not (MomentMode.PerSynapse or MomentMode.PerNeuron or MomentMode.PerTensor or MomentMode.None))
            throw new ArgumentException($"moment mode {(int)Moment} is unknown.", nameof(Moment));
    }

    /// <summary>How many second-moment floats a tensor of <paramref name="n"/> synapses needs:
    /// n, Rows, 1 or 0. Throws if Rows does not divide n for <see cref="MomentMode.PerNeuron"/>.</summary>
    public int MomentLength(int n) => Moment switch
    {
        MomentMode.PerSynapse => n,
        MomentMode.PerNeuron when Rows >= 1 && Rows <= Math.Max(n, 1) && n % Rows == 0 => (int)Rows,
        MomentMode.PerNeuron => throw new ArgumentException(
            $"rows = {Rows} must be >= 1 and divide n = {n} (per-neuron moment).", nameof(Rows)),
        MomentMode.PerTensor => 1,
        _ => 0,
    };
}
