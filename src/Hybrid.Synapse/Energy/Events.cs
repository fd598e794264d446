using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy;

/// <summary>
/// The names of the events a ledger counts and an <see cref="EnergyTable"/> prices, in one place.
/// A GEMM's multiply-accumulates are named by their operand formats (<see cref="GemmMac"/>).
/// </summary>
public static class Events
{
    /// <summary>8-bit integer add.</summary>
    public const string Int8Add = "int8Add";
    /// <summary>32-bit integer add.</summary>
    public const string Int32Add = "int32Add";
    /// <summary>8-bit integer multiply.</summary>
    public const string Int8Mult = "int8Mult";
    /// <summary>32-bit integer multiply.</summary>
    public const string Int32Mult = "int32Mult";
    /// <summary>float16 add.</summary>
    public const string Fp16Add = "fp16Add";
    /// <summary>float16 multiply.</summary>
    public const string Fp16Mult = "fp16Mult";
    /// <summary>float32 add.</summary>
    public const string Fp32Add = "fp32Add";
    /// <summary>float32 multiply (divisions and square roots count as one each).</summary>
    public const string Fp32Mult = "fp32Mult";
    /// <summary>The exponent add of an LNS product (one per LNS MAC).</summary>
    public const string LnsExponentAdd = "lnsExponentAdd";
    /// <summary>The shifted add into a remainder bucket (one per LNS MAC).</summary>
    public const string LnsBucketAccumulate = "lnsBucketAccumulate";
    /// <summary>A bucket times its constant 2^(−r/γ) (γ per LNS GEMM output).</summary>
    public const string LnsBucketScale = "lnsBucketScale";
    /// <summary>The adds that sum the scaled buckets (γ − 1 per LNS GEMM output).</summary>
    public const string LnsBucketSum = "lnsBucketSum";
    /// <summary>One random bit (a quantiser's stochastic rounding draws 32 per value, one Philox word; the
    /// update step's draws its random_bits r, 4 … 32).</summary>
    public const string RandomBit = "randomBit";
    /// <summary>One LNS code decoded to float32 (sign, exponent field, a γ-entry mantissa table): what a weights-only
    /// row pays per weight each time a float GEMM reads B-bit codes.</summary>
    public const string DecodeLns = "decodeLns";
    /// <summary>One 16-bit access of a processing element's register file (dataflow memory model).</summary>
    public const string RegisterFile16 = "rf16";
    /// <summary>One 16-bit word moved across the PE array's network (dataflow memory model).</summary>
    public const string Array16 = "array16";
    /// <summary>One 64-bit DRAM access.</summary>
    public const string Dram64 = "dram64";
    /// <summary>One programming pulse of an analog synapse device (hybrid/device.h; <see cref="DeviceCosts"/>).</summary>
    public const string DevicePulse = "devicePulse";

    /// <summary>Random bits one quantiser's stochastic rounding draws. Decision (issue 25): 32, one Philox word, because
    /// that is what the simulated quantiser draws (hybrid/lns_arith.h; the quantisers have no random_bits setting): the
    /// ledger prices the circuit whose accuracy the runs report. A hardware quantiser resolving the rounding probability
    /// to 1/256 would need 8 (the update step's default r); for the default MLP the difference is under 1 µJ a step.</summary>
    public const int RandomBitsPerDraw = 32;

    /// <summary>A multiply-accumulate with both operands in <paramref name="kind"/> of <paramref name="bits"/> bits:
    /// fp32Mac, fp16Mac, fp8Mac, int8Mac, lns8Mac, …</summary>
    public static string Mac(NumberKind kind, int bits) => kind switch
    {
        NumberKind.Lns => $"lns{bits}Mac",
        NumberKind.Fp8E4M3 or NumberKind.Fp8E5M2 => "fp8Mac",
        NumberKind.Int8 => "int8Mac",
        NumberKind.Fp16 => "fp16Mac",
        _ => "fp32Mac",
    };

    /// <summary>The MAC of a GEMM on operands in <paramref name="a"/> and <paramref name="b"/>: the low-precision
    /// datapath when both are of it (LNS at the wider B), else float32.</summary>
    public static string GemmMac(NumberFormat a, NumberFormat b) =>
        a.Kind == NumberKind.Lns && b.Kind == NumberKind.Lns ? Mac(NumberKind.Lns, Math.Max(a.Bits, b.Bits))
        : a.IsFp8 && b.IsFp8 ? Mac(NumberKind.Fp8E4M3, 8)
        : a.Kind == NumberKind.Int8 && b.Kind == NumberKind.Int8 ? Mac(NumberKind.Int8, 8)
        : a.Kind == NumberKind.Fp16 && b.Kind == NumberKind.Fp16 ? Mac(NumberKind.Fp16, 16)
        : Mac(NumberKind.Fp32, 32);

    /// <summary>One value converted from float32 into <paramref name="kind"/>: quantizeLns, quantizeFp8, quantizeInt8,
    /// quantizeFp16 (a 16-bit float, fp16 or bf16).</summary>
    public static string Quantize(NumberKind kind) => kind switch
    {
        NumberKind.Lns => "quantizeLns",
        NumberKind.Fp16 => "quantizeFp16",
        NumberKind.Fp8E4M3 or NumberKind.Fp8E5M2 => "quantizeFp8",
        NumberKind.Int8 => "quantizeInt8",
        _ => throw new ArgumentException($"{kind} values are not quantised from float32.", nameof(kind)),
    };

    /// <summary>One 64-bit access of an on-chip SRAM of <paramref name="kib"/> KiB.</summary>
    public static string Sram(long kib) => $"sram{kib}KiB64";
}
