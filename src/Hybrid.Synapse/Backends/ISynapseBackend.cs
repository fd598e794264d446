using System.Numerics;

namespace Hybrid.Synapse.Backends;

/// <summary>
/// One place the synapse kernels can run: the managed reference twin, its vectorised form,
/// libhybrid on the CPU, or libhybrid on CUDA. Every backend gives bit-identical LNS codes and
/// random streams for the same inputs; the float Madam step agrees within a few ulp. Codes are
/// <see cref="byte"/> (B ≤ 8) or <see cref="ushort"/> (B ≤ 16): the code type is a type
/// parameter, chosen once by the caller (see <see cref="Tensors.SynapseTensor"/>). Every backend checks
/// the twin's argument contract first, so a bad call throws the same
/// <see cref="ArgumentException"/> everywhere with nothing written. Cross-check tests are written
/// once against this interface and run for every backend in <see cref="SynapseBackends.Available"/>.
/// </summary>
public interface ISynapseBackend
{
    /// <summary>The backend's name: "managed", "managed-simd", "native-cpu" or "native-cuda".</summary>
    string Name { get; }

    /// <summary>Encodes floats into LNS codes.</summary>
    void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;

    /// <summary>Decodes LNS codes.</summary>
    void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;

    /// <summary>One LNS Madam step on codes in place; <paramref name="v"/> holds
    /// <see cref="LnsMadamSettings.MomentLength"/> second moments.</summary>
    StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;

    /// <summary>One float32 Madam step in place.</summary>
    StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v);

    /// <summary>Deterministic root mean square (for Madam's w_max).</summary>
    double Rms(ReadOnlySpan<float> x);

    /// <summary>Uniforms of the shared Philox stream.</summary>
    void RandomUniform(in RandomStream stream, long offset, Span<float> output);

    /// <summary>Quantises floats onto an LNS grid (<see cref="Arithmetic.LnsQuantizeSettings"/>); <paramref name="y"/> may be
    /// <paramref name="x"/> itself.</summary>
    Arithmetic.QuantizeStats LnsQuantize(in Arithmetic.LnsQuantizeSettings settings, ReadOnlySpan<float> x, Span<float> y);

    /// <summary>
    /// <see cref="LnsQuantize"/> that also writes the results' codes in the quantiser's format (their LNS encoding;
    /// the zero code for a non-finite x skipped), for an exact GEMM's operand: <paramref name="y"/> may be empty
    /// (codes only) or <paramref name="x"/> itself. The default quantises, then encodes; libhybrid does both in one pass.
    /// </summary>
    Arithmetic.QuantizeStats LnsQuantizeEncode<TCode>(in Arithmetic.LnsQuantizeSettings settings, ReadOnlySpan<float> x,
        Span<float> y, Span<TCode> codes) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        Twin.KernelContract.LnsQuantizeEncode(settings, x, y, codes);
        var grid = y.IsEmpty && !x.IsEmpty ? new float[x.Length] : y;
        var stats = LnsQuantize(settings, x, grid);
        var finite = new float[x.Length];
        for (int i = 0; i < x.Length; ++i) finite[i] = float.IsFinite(grid[i]) ? grid[i] : 0f;
        LnsEncode(settings.Format, finite, codes);
        return stats;
    }

    /// <summary>The exact LNS GEMM C = A·B on codes (<see cref="Arithmetic.LnsGemmSettings"/>).</summary>
    Arithmetic.GemmStats LnsGemmExact<TCode>(in Arithmetic.LnsGemmSettings settings, ReadOnlySpan<TCode> a,
        ReadOnlySpan<TCode> b, Span<float> c) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;

    /// <summary>The programming events of an LNS step (<see cref="LnsProgramSettings"/>): pulses, and fresh write
    /// offsets for the codes that changed; <paramref name="offsets"/> may be empty when the write noise is 0.</summary>
    ProgramStats LnsProgram<TCode>(in LnsProgramSettings settings, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
        Span<float> offsets) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;

    /// <summary>Reads LNS codes with write offsets (empty: none), read noise and drift (<see cref="LnsReadSettings"/>).</summary>
    void LnsRead<TCode>(in LnsReadSettings settings, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;

    /// <summary>One programming step of float weights on a device (<see cref="DeviceUpdateSettings"/>).</summary>
    ProgramStats DeviceUpdate(in DeviceUpdateSettings settings, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw);

    /// <summary>Reads float device weights with drift and read noise (<see cref="DeviceReadSettings"/>).</summary>
    void DeviceRead(in DeviceReadSettings settings, ReadOnlySpan<float> w, Span<float> output);
}

/// <summary>
/// A backend whose kernels also run in place on device memory that someone else owns — a
/// TorchSharp CUDA tensor's storage, say — given as <see cref="DeviceMemory{T}"/> views.
/// Only native-cuda is one; training code asks for it when its tensors live on a GPU.
/// </summary>
public interface IDeviceSynapseBackend : ISynapseBackend
{
    /// <summary>One float32 Madam step in place on device memory.</summary>
    StepStats MadamStep(in MadamSettings settings, DeviceMemory<float> w, DeviceMemory<float> grad, DeviceMemory<float> v);

    /// <summary>Deterministic root mean square of device memory (the same double as <see cref="ISynapseBackend.Rms"/>).</summary>
    double Rms(DeviceMemory<float> x);

    /// <summary>Decodes codes in device memory into device memory.</summary>
    void LnsDecode<TCode>(LnsFormat format, DeviceMemory<TCode> codes, DeviceMemory<float> x)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;

    /// <summary>One LNS Madam step in place on device memory.</summary>
    StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, DeviceMemory<TCode> codes, DeviceMemory<float> grad,
        DeviceMemory<float> v) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>;
}

/// <summary>
/// A view of <paramref name="Length"/> elements of device memory at <paramref name="Address"/>,
/// owned by someone else (who keeps it alive while the view is used). Nothing is copied.
/// </summary>
public readonly record struct DeviceMemory<T>(nint Address, long Length) where T : unmanaged;
