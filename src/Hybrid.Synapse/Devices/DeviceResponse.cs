using Hybrid.Native.Interop;

namespace Hybrid.Synapse;

/// <summary>How the step of a pulse depends on the device's state: IBM aihwkit's device classes
/// (hybrid/device_response.h has the formulas).</summary>
public enum DeviceFamily
{
    /// <summary>ConstantStepDevice: the step does not depend on the state.</summary>
    Constant = 0,
    /// <summary>LinearStepDevice: f_up = 1 − γ⁺·x/b_max, f_down = 1 − γ⁻·x/b_min.</summary>
    LinearStep = 1,
    /// <summary>SoftBoundsDevice: linear with γ⁺ = γ⁻ = 1, the step shrinks to zero at the bound it approaches.</summary>
    SoftBounds = 2,
    /// <summary>ExpStepDevice: f = max(0, 1 − A·e^(±γ·z)), z = 2a·x/(b_max − b_min) + b.</summary>
    ExpStep = 3,
    /// <summary>PowStepDevice: f_up = ω^γ⁺, f_down = (1 − ω)^γ⁻, ω = (b_max − x)/(b_max − b_min).</summary>
    PowStep = 4,
    /// <summary>PiecewiseStepDevice: the step factor interpolated between nodes equally spaced on [b_min, b_max].</summary>
    PiecewiseStep = 5,
}

/// <summary>A piecewise-step table: 1 … <see cref="MaxNodes"/> non-negative step factors, compared by value.</summary>
public readonly struct NodeTable : IEquatable<NodeTable>
{
    /// <summary>The most nodes a table holds (HYB_DEVICE_MAX_NODES).</summary>
    public const int MaxNodes = HybridConstants.HYB_DEVICE_MAX_NODES;

    private readonly float[]? _nodes;

    /// <summary>A table of <paramref name="nodes"/> (copied).</summary>
    public NodeTable(ReadOnlySpan<float> nodes) => _nodes = nodes.Length == 0 ? null : nodes.ToArray();

    /// <summary>Nodes in the table (0: none).</summary>
    public int Count => _nodes?.Length ?? 0;

    /// <summary>Node <paramref name="i"/>.</summary>
    public float this[int i] => (_nodes ?? [])[i];

    /// <summary>The nodes.</summary>
    public ReadOnlySpan<float> Nodes => _nodes;

    /// <inheritdoc />
    public bool Equals(NodeTable other) => Nodes.SequenceEqual(other.Nodes);
    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NodeTable t && Equals(t);
    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var x in Nodes) h.Add(x);
        return h.ToHashCode();
    }
    /// <summary>Value equality.</summary>
    public static bool operator ==(NodeTable a, NodeTable b) => a.Equals(b);
    /// <summary>Value inequality.</summary>
    public static bool operator !=(NodeTable a, NodeTable b) => !a.Equals(b);
    /// <inheritdoc />
    public override string ToString() => $"[{string.Join(", ", (_nodes ?? []).Select(x => x.ToString("R")))}]";
}

/// <summary>
/// A device family and its parameters, with aihwkit's names and meanings (hybrid/device_response.h; docs/devices.md).
/// The factories take aihwkit's defaults for the parameters that shape the response (its ExpStepDevice's A and γ,
/// PowStepDevice's pow_gamma = 1); every device-to-device spread defaults to 0 here (aihwkit: 0.05 for the
/// linear slopes, 0.1 for pow_gamma, 0.01 for up_down), so a family alone is its deterministic response.
/// Parameters a family does not use must be 0 (<see cref="Validate"/>), never silently ignored.
/// </summary>
public readonly record struct DeviceResponse
{
    /// <summary>The family (<see cref="DeviceFamily.Constant"/>: no state dependence).</summary>
    public DeviceFamily Family { get; init; }
    /// <summary>LinearStep: γ⁺, the up step's fall towards b_max (aihwkit gamma_up, 0); ExpStep: the up exponent (12.44625).</summary>
    public float GammaUp { get; init; }
    /// <summary>LinearStep: γ⁻ (aihwkit gamma_down, 0); ExpStep: the down exponent (12.78785).</summary>
    public float GammaDown { get; init; }
    /// <summary>LinearStep: device-to-device sd of γ⁺, absolute (aihwkit gamma_up_dtod).</summary>
    public float GammaUpDtod { get; init; }
    /// <summary>LinearStep: device-to-device sd of γ⁻, absolute (aihwkit gamma_down_dtod).</summary>
    public float GammaDownDtod { get; init; }
    /// <summary>ExpStep: A_up (0.00081).</summary>
    public float AUp { get; init; }
    /// <summary>ExpStep: A_down (0.36833).</summary>
    public float ADown { get; init; }
    /// <summary>ExpStep: the global slope a (0.244).</summary>
    public float ExpA { get; init; }
    /// <summary>ExpStep: the global offset b (0.2425).</summary>
    public float ExpB { get; init; }
    /// <summary>PowStep: pow_gamma (1).</summary>
    public float PowGamma { get; init; }
    /// <summary>PowStep: device-to-device sd of pow_gamma, relative (aihwkit pow_gamma_dtod).</summary>
    public float PowGammaDtod { get; init; }
    /// <summary>PowStep: the up/down bias of pow_gamma (aihwkit pow_up_down, 0).</summary>
    public float PowUpDown { get; init; }
    /// <summary>PowStep: its device-to-device sd (aihwkit pow_up_down_dtod, 0).</summary>
    public float PowUpDownDtod { get; init; }
    /// <summary>Every family: device-to-device sd of the up/down asymmetry (aihwkit up_down_dtod).</summary>
    public float UpDownDtod { get; init; }
    /// <summary>PiecewiseStep: the up-step factors (aihwkit piecewise_up).</summary>
    public NodeTable PiecewiseUp { get; init; }
    /// <summary>PiecewiseStep: the down-step factors (aihwkit piecewise_down), as many as up.</summary>
    public NodeTable PiecewiseDown { get; init; }

    /// <summary>A constant step (no state dependence).</summary>
    public static DeviceResponse Constant => default;

    /// <summary>aihwkit's LinearStepDevice.</summary>
    public static DeviceResponse LinearStep(float gammaUp = 0f, float gammaDown = 0f, float gammaUpDtod = 0f, float gammaDownDtod = 0f) =>
        new() { Family = DeviceFamily.LinearStep, GammaUp = gammaUp, GammaDown = gammaDown, GammaUpDtod = gammaUpDtod, GammaDownDtod = gammaDownDtod };

    /// <summary>aihwkit's SoftBoundsDevice.</summary>
    public static DeviceResponse SoftBounds() => new() { Family = DeviceFamily.SoftBounds };

    /// <summary>aihwkit's ExpStepDevice with its defaults.</summary>
    public static DeviceResponse ExpStep(float aUp = 0.00081f, float aDown = 0.36833f, float gammaUp = 12.44625f,
        float gammaDown = 12.78785f, float a = 0.244f, float b = 0.2425f) =>
        new() { Family = DeviceFamily.ExpStep, AUp = aUp, ADown = aDown, GammaUp = gammaUp, GammaDown = gammaDown, ExpA = a, ExpB = b };

    /// <summary>aihwkit's PowStepDevice.</summary>
    public static DeviceResponse PowStep(float powGamma = 1f, float powGammaDtod = 0f, float powUpDown = 0f, float powUpDownDtod = 0f) =>
        new() { Family = DeviceFamily.PowStep, PowGamma = powGamma, PowGammaDtod = powGammaDtod, PowUpDown = powUpDown, PowUpDownDtod = powUpDownDtod };

    /// <summary>aihwkit's PiecewiseStepDevice.</summary>
    public static DeviceResponse PiecewiseStep(ReadOnlySpan<float> up, ReadOnlySpan<float> down) =>
        new() { Family = DeviceFamily.PiecewiseStep, PiecewiseUp = new NodeTable(up), PiecewiseDown = new NodeTable(down) };

    /// <summary>Whether the response changes a step (a state-dependent family, or an asymmetry spread).</summary>
    public bool IsOn => Family != DeviceFamily.Constant || UpDownDtod > 0f;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad parameter (the rules of hyb_check_device_response).</summary>
    public void Validate()
    {
        if (Family is < DeviceFamily.Constant or > DeviceFamily.PiecewiseStep)
            throw new ArgumentException($"device family {(int)Family} is unknown.", nameof(Family));
        string f = DeviceFamilies.Name(Family);
        bool lin = Family == DeviceFamily.LinearStep, ex = Family == DeviceFamily.ExpStep, pw = Family == DeviceFamily.PowStep;
        bool pc = Family == DeviceFamily.PiecewiseStep;
        Param(f, "gamma_up", GammaUp, lin || ex, false);
        Param(f, "gamma_down", GammaDown, lin || ex, false);
        Param(f, "gamma_up_dtod", GammaUpDtod, lin, true);
        Param(f, "gamma_down_dtod", GammaDownDtod, lin, true);
        Param(f, "a_up", AUp, ex, true);
        Param(f, "a_down", ADown, ex, true);
        Param(f, "exp_a", ExpA, ex, false);
        Param(f, "exp_b", ExpB, ex, false);
        Param(f, "pow_gamma", PowGamma, pw, true);
        Param(f, "pow_gamma_dtod", PowGammaDtod, pw, true);
        Param(f, "pow_up_down", PowUpDown, pw, false);
        Param(f, "pow_up_down_dtod", PowUpDownDtod, pw, true);
        Param(f, "up_down_dtod", UpDownDtod, true, true);
        if (UpDownDtod > HybridConstants.HYB_DEVICE_MAX_SD)
            throw new ArgumentException($"up_down_dtod = {UpDownDtod} is outside [0, {HybridConstants.HYB_DEVICE_MAX_SD}].", nameof(UpDownDtod));
        if (pc)
        {
            if (PiecewiseUp.Count is < 1 or > NodeTable.MaxNodes)
                throw new ArgumentException($"piecewise_up has {PiecewiseUp.Count} nodes; 1 … {NodeTable.MaxNodes} are allowed.", nameof(PiecewiseUp));
            if (PiecewiseDown.Count != PiecewiseUp.Count)
                throw new ArgumentException(
                    $"piecewise_down has {PiecewiseDown.Count} nodes but piecewise_up has {PiecewiseUp.Count}; they must match.", nameof(PiecewiseDown));
        }
        else if (PiecewiseUp.Count > 0 || PiecewiseDown.Count > 0)
            throw new ArgumentException($"piecewise tables do not apply to the {f} family.", nameof(PiecewiseUp));
        for (int i = 0; i < PiecewiseUp.Count; ++i)
        {
            Param(f, $"piecewise_up[{i}]", PiecewiseUp[i], true, true);
            Param(f, $"piecewise_down[{i}]", PiecewiseDown[i], true, true);
        }
    }

    private static void Param(string family, string name, float x, bool used, bool nonNegative)
    {
        const float max = HybridConstants.HYB_DEVICE_MAX_PARAM;
        if (!used)
        {
            if (x != 0f) throw new ArgumentException($"{name} = {x} does not apply to the {family} family (it must be 0).", name);
            return;
        }
        if (!(x >= (nonNegative ? 0f : -max) && x <= max))
            throw new ArgumentException($"{name} = {x} is outside [{(nonNegative ? "0" : "-1000")}, {max}].", name);
    }
}

/// <summary>Names of the device families as options spell them.</summary>
public static class DeviceFamilies
{
    /// <summary>Valid names, in <see cref="DeviceFamily"/> order.</summary>
    public static readonly IReadOnlyList<string> Names = ["constant", "linear-step", "soft-bounds", "exp-step", "pow-step", "piecewise-step"];

    /// <summary>The option name of a family.</summary>
    public static string Name(DeviceFamily f) => (int)f >= 0 && (int)f < Names.Count ? Names[(int)f] : ((int)f).ToString();

    /// <summary>Parses a name.</summary>
    public static DeviceFamily Parse(string name)
    {
        int i = Names.IndexOf(name.Trim().ToLowerInvariant());
        return i >= 0 ? (DeviceFamily)i
            : throw new ArgumentException($"device family '{name}' is unknown; valid: {string.Join(", ", Names)}.", "device-family");
    }
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; ++i)
            if (list[i] == item) return i;
        return -1;
    }
}
