using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// LNS codes kept in TorchSharp uint8 tensors (native memory, freed with the tensor; autograd contexts can save
/// them): one byte per code for B ≤ 8, two (a uint16 code, native byte order, in a trailing dimension of 2) for wider
/// formats. Spans over their storage, no copy.
/// </summary>
public static class CodeTensors
{
    /// <summary>An uninitialised code tensor for an operand of <paramref name="shape"/>: uint8 codes, or uint16 ones
    /// when <paramref name="wide"/> (shape + [2]).</summary>
    public static Tensor Empty(long[] shape, bool wide) => torch.empty(wide ? [.. shape, 2] : shape, ScalarType.Byte);

    /// <summary>Whether <paramref name="codes"/> holds uint16 codes for <paramref name="elements"/> values (else uint8).</summary>
    /// <exception cref="NotSupportedException">It is not a contiguous CPU uint8 tensor of 1 or 2 bytes per value.</exception>
    public static bool IsWide(Tensor codes, long elements)
    {
        Check(codes);
        if (codes.numel() == elements) return false;
        if (codes.numel() == 2 * elements) return true;
        throw new NotSupportedException($"a code tensor for {elements} values has {codes.numel()} bytes, not {elements} or {2 * elements}.");
    }

    /// <summary>The uint8 codes of a code tensor.</summary>
    public static Span<byte> Bytes(Tensor t)
    {
        Check(t);
        return TensorMemory.Cpu<byte>(t);
    }

    /// <summary>The uint16 codes of a wide code tensor.</summary>
    public static Span<ushort> Words(Tensor t) => MemoryMarshal.Cast<byte, ushort>(Bytes(t));

    private static void Check(Tensor t)
    {
        if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Byte || !t.is_contiguous())
            throw new NotSupportedException($"a code tensor must be a contiguous CPU uint8 tensor, not {t.dtype} on {t.device}.");
    }
}
