using Hybrid.Native;
using Hybrid.Native.Interop;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// libhybrid's C kernels on the CPU (vectorised, multithreaded for large tensors; results do
/// not depend on the thread count). Settings are validated here with the same rules as the
/// managed twin, so both throw <see cref="ArgumentException"/>s for bad input; the native
/// library validates again before it writes.
/// </summary>
public sealed class NativeCpuBackend : ISynapseBackend
{
    /// <summary>The one instance.</summary>
    public static readonly NativeCpuBackend Instance = new();

    private NativeCpuBackend() { }

    /// <inheritdoc />
    public string Name => "native-cpu";

    /// <summary>Whether libhybrid loads here, and if not, why.</summary>
    public static (bool Available, string Reason) Probe()
    {
        try
        {
            HybridLibrary.EnsureCompatible();
            return (true, $"libhybrid loaded from {HybridLibrary.LoadedFrom}");
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            return (false, e.Message);
        }
    }

    /// <inheritdoc />
    public void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<byte> codes)
    {
        format.Validate(1);
        NativeKernels.LnsEncode(ToNative(format), x, codes);
    }

    /// <inheritdoc />
    public void LnsEncode(LnsFormat format, ReadOnlySpan<float> x, Span<ushort> codes)
    {
        format.Validate(2);
        NativeKernels.LnsEncode(ToNative(format), x, codes);
    }

    /// <inheritdoc />
    public void LnsDecode(LnsFormat format, ReadOnlySpan<byte> codes, Span<float> x)
    {
        format.Validate(1);
        NativeKernels.LnsDecode(ToNative(format), codes, x);
    }

    /// <inheritdoc />
    public void LnsDecode(LnsFormat format, ReadOnlySpan<ushort> codes, Span<float> x)
    {
        format.Validate(2);
        NativeKernels.LnsDecode(ToNative(format), codes, x);
    }

    /// <inheritdoc />
    public StepStats LnsMadamStep(in LnsMadamSettings settings, Span<byte> codes, ReadOnlySpan<float> grad, Span<float> v)
    {
        settings.Validate(1);
        Validate.MomentLength(v.Length, settings.MomentLength(codes.Length));
        return FromNative(NativeKernels.LnsMadamStep(ToNative(settings), codes, grad, v));
    }

    /// <inheritdoc />
    public StepStats LnsMadamStep(in LnsMadamSettings settings, Span<ushort> codes, ReadOnlySpan<float> grad, Span<float> v)
    {
        settings.Validate(2);
        Validate.MomentLength(v.Length, settings.MomentLength(codes.Length));
        return FromNative(NativeKernels.LnsMadamStep(ToNative(settings), codes, grad, v));
    }

    /// <inheritdoc />
    public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
    {
        settings.Validate();
        return FromNative(NativeKernels.MadamStep(ToNative(settings), w, grad, v));
    }

    /// <inheritdoc />
    public double Rms(ReadOnlySpan<float> x) => NativeKernels.Rms(x);

    /// <inheritdoc />
    public void RandomUniform(in RandomStream stream, long offset, Span<float> output)
    {
        stream.Validate();
        NativeKernels.RandomUniform(new HybRandomStream
        {
            Seed = stream.Seed, Step = stream.Step, TensorId = stream.TensorId,
            Purpose = (HybRandomPurpose)stream.Purpose,
        }, offset, output);
    }

    /// <summary>The interop form of a format.</summary>
    public static HybLnsFormat ToNative(LnsFormat f) => new() { Bits = f.Bits, Gamma = f.Gamma, WMax = f.WMax };

    /// <summary>The interop form of LNS Madam settings.</summary>
    public static HybLnsMadamConfig ToNative(in LnsMadamSettings s) => new()
    {
        Format = ToNative(s.Format), Lr = s.Lr, Beta2 = s.Beta2, GBound = s.GBound,
        Rounding = (HybRounding)s.Rounding, Nonfinite = (HybNonfinitePolicy)s.NonFinite,
        TensorId = s.TensorId, Step = s.Step, Seed = s.Seed, Moment = (HybMomentMode)s.Moment,
        C2cNoise = s.Device.CycleToCycleNoise, D2dGainSd = s.Device.DeviceToDeviceGainSd,
        Asymmetry = s.Device.Asymmetry, StuckFraction = s.Device.StuckFraction,
        Rows = s.Moment == MomentMode.PerNeuron ? s.Rows : 0,
    };

    /// <summary>The interop form of float Madam settings.</summary>
    public static HybMadamConfig ToNative(in MadamSettings s) => new()
    {
        Lr = s.Lr, Beta2 = s.Beta2, GBound = s.GBound, WMax = s.WMax,
        Nonfinite = (HybNonfinitePolicy)s.NonFinite, Step = s.Step,
    };

    private static StepStats FromNative(HybStepStats s) => new(s.Elements, s.Changed, s.NonfiniteSkipped);
}
