using System.Globalization;

namespace Hybrid.Synapse.Arithmetic;

/// <summary>The kinds of number a tensor of the training step can be held in.</summary>
public enum NumberKind
{
    /// <summary>IEEE float32.</summary>
    Fp32 = 0,
    /// <summary>IEEE-style float16 (priced, not simulated).</summary>
    Fp16 = 1,
    /// <summary>FP8 E4M3 (4 exponent, 3 mantissa bits; max 448, no infinities): forward tensors.</summary>
    Fp8E4M3 = 2,
    /// <summary>FP8 E5M2 (5 exponent, 2 mantissa bits; max 57344): backward tensors.</summary>
    Fp8E5M2 = 3,
    /// <summary>Symmetric 8-bit integers with a per-tensor scale (−127 … 127).</summary>
    Int8 = 4,
    /// <summary>A B-bit LNS (sign + (B−1)-bit log-magnitude index, base 2^(1/γ), per-tensor scale).</summary>
    Lns = 5,
}

/// <summary>A tensor's number format: its kind, bits and (LNS) γ. Decides the MAC and memory events the ledger counts.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Bits">Bits per value (32, 16, 8, or the LNS B).</param>
/// <param name="Gamma">LNS levels per octave (0 otherwise).</param>
public readonly record struct NumberFormat(NumberKind Kind, int Bits, float Gamma = 0)
{
    /// <summary>float32.</summary>
    public static readonly NumberFormat Fp32 = new(NumberKind.Fp32, 32);
    /// <summary>FP8 E4M3.</summary>
    public static readonly NumberFormat Fp8E4M3 = new(NumberKind.Fp8E4M3, 8);
    /// <summary>FP8 E5M2.</summary>
    public static readonly NumberFormat Fp8E5M2 = new(NumberKind.Fp8E5M2, 8);
    /// <summary>INT8.</summary>
    public static readonly NumberFormat Int8 = new(NumberKind.Int8, 8);

    /// <summary>An LNS format of <paramref name="bits"/> bits and <paramref name="gamma"/> levels per octave.</summary>
    public static NumberFormat Lns(int bits, float gamma) => new(NumberKind.Lns, bits, gamma);

    /// <summary>Whether this is an FP8 kind.</summary>
    public bool IsFp8 => Kind is NumberKind.Fp8E4M3 or NumberKind.Fp8E5M2;

    /// <summary>Bytes of <paramref name="n"/> values packed at <see cref="Bits"/> bits.</summary>
    public double Bytes(double n) => n * Bits / 8.0;

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        NumberKind.Lns => string.Create(CultureInfo.InvariantCulture, $"lns{Bits}(γ={Gamma})"),
        NumberKind.Fp8E4M3 => "fp8-e4m3",
        NumberKind.Fp8E5M2 => "fp8-e5m2",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
