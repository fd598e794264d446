using System.Numerics;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Hybrid.Training.Lns;

/// <summary>A code tensor that an exact GEMM operand's quantiser fills in the same pass as it quantises
/// (<see cref="TensorQuantizer.ApplyAndEncode"/>), for the GEMM to read instead of encoding the operand again.</summary>
internal sealed class CodeSlot(Tensor codes)
{
    /// <summary>The operand's codes (<see cref="CodeTensors"/>). Out of any dispose scope: the forward pass that makes them
    /// may run inside one (a block's forward), and the backward pass reads them after it ended; the finalizer frees them.</summary>
    public Tensor Codes { get; } = codes.DetachFromDisposeScope();
    /// <summary>Whether the quantiser wrote them (it does not for a non-finite tensor).</summary>
    public bool Filled { get; set; }
}

/// <summary>A quantiser bound to one call: the step it draws for, training or not, a fixed scale (weights),
/// the layer whose state holds its running scale and counts, and (exact GEMM operands) where to write the codes.</summary>
internal sealed record QuantizeStage(LinearArithmetic Owner, TensorQuantizer Quantizer, long Step, bool Training, float? FixedScale,
    CodeSlot? Codes = null)
{
    public Tensor Apply(Tensor x)
    {
        Tensor y;
        QuantizeStats stats;
        float maxAbs;
        if (Codes is not null)
        {
            bool filled;
            (y, stats, maxAbs, filled) = Quantizer.ApplyAndEncode(x, Step, Training, FixedScale, Owner.RunningScale(Quantizer.Role), Codes.Codes);
            Codes.Filled = filled;
        }
        else (y, stats, maxAbs) = Quantizer.Apply(x, Step, Training, FixedScale, Owner.RunningScale(Quantizer.Role));
        if (Training) Owner.Record(Quantizer.Role, stats, maxAbs, FixedScale is null && Quantizer.Spec.Scale == ScaleMode.Running);
        return y;
    }
}

/// <summary>
/// A quantiser as a TorchSharp custom autograd function: the forward pass returns the forward stage's
/// grid values (or x unchanged), the backward pass hands the backward stage's grid values of the
/// incoming gradient (or the gradient unchanged) to the input — a straight-through estimator, with the
/// gradient quantised on its way. One function covers the activation quantiser (forward only), the
/// error quantiser (backward only) and the weight quantiser with the gradient quantiser behind it.
/// Arguments: (x, forward stage or null, backward stage or null).
/// </summary>
internal sealed class QuantizeFunction : SingleTensorFunction<QuantizeFunction>
{
    public override string Name => "HybridQuantize";

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        ctx.save_data("backward", vars[2]);
        return vars[1] is QuantizeStage fwd ? fwd.Apply(x) : x.clone();
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor grad)
    {
        var stage = ctx.get_data("backward") as QuantizeStage;
        return [stage is null ? grad : stage.Apply(grad), null!, null!];
    }
}

/// <summary>What the exact GEMM of one layer call needs besides its operands; the slots (optional) hold the codes the
/// operands' quantisers wrote while quantising, which the GEMM then uses instead of encoding the operands itself.</summary>
internal sealed record ExactGemmCall(ISynapseBackend Backend, LnsFormat Activations, LnsFormat Weights,
    TensorQuantizer Errors, int AccumulatorBits, int FractionBits, bool InputNeedsGrad, Action<GemmStats> Count,
    CodeSlot? ActivationCodes = null, CodeSlot? WeightCodes = null, CodeSlot? ErrorCodes = null)
{
    /// <summary>Whether codes are uint16 (a format wider than 8 bits among the three); else uint8.</summary>
    public bool Wide => Math.Max(Errors.Spec.Format.Bits, Math.Max(Activations.Bits, Weights.Bits)) > 8;
}

/// <summary>
/// y = x·Wᵀ on the LNS datapath (the synapse backend's exact GEMM) as a custom autograd function. The forward pass
/// takes the codes of x and W (activation and weight quantisers' formats) from the quantisers' slots, or encodes the
/// grid values into code tensors; W's codes are used as stored ([out, in]: the GEMM's B transposed). The backward pass
/// encodes the incoming error (the error quantiser's format; it runs first, downstream; or takes its slot) and computes
/// ∇x = e·W (when x needs it) and ∇W = eᵀ·x (the error's codes as A transposed) on the same datapath, from the codes
/// the forward pass saved: no copy, transpose or managed array on the way. Arguments: (x, W, call).
/// </summary>
internal sealed class ExactLinearFunction : SingleTensorFunction<ExactLinearFunction>
{
    public override string Name => "HybridExactLinear";

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = ((Tensor)vars[0]).contiguous();
        var w = ((Tensor)vars[1]).contiguous();
        var call = (ExactGemmCall)vars[2];
        long n = x.shape[0], i = x.shape[1], o = w.shape[0];
        var xc = Codes(call, call.ActivationCodes, call.Activations, x);
        var wc = Codes(call, call.WeightCodes, call.Weights, w);
        ctx.save_for_backward([xc, wc]);
        ctx.save_data("call", call);
        var y = torch.empty([n, o]);
        Gemm(call, call.Activations, xc, call.Weights, wc, n, i, o, y, bTransposed: true);  // x·Wᵀ, W as stored
        return y;
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor grad)
    {
        var saved = ctx.get_saved_variables();
        Tensor xc = saved[0], wc = saved[1];
        var call = (ExactGemmCall)ctx.get_data("call");
        var e = grad.contiguous();
        var ef = call.Errors.LastFormat;
        long n = xc.shape[0], i = xc.shape[1], o = wc.shape[0];
        var ec = Codes(call, call.ErrorCodes, ef, e);
        var dw = torch.empty([o, i]);
        Tensor? dx = null;
        if (call.InputNeedsGrad)
        {
            dx = torch.empty([n, i]);
            Gemm(call, ef, ec, call.Weights, wc, n, o, i, dx);                                  // e·W
        }
        Gemm(call, ef, ec, call.Activations, xc, o, n, i, dw, aTransposed: true);              // eᵀ·x, e as it is
        return [dx!, dw, null!];
    }

    /// <summary>The operand's codes: its quantiser's (when it wrote them for this tensor), else encoded here.</summary>
    private static Tensor Codes(ExactGemmCall call, CodeSlot? slot, LnsFormat f, Tensor t)
    {
        if (slot is { Filled: true } && slot.Codes.numel() == (call.Wide ? 2 : 1) * t.numel())
            return slot.Codes;
        var codes = CodeTensors.Empty(t.shape, call.Wide);
        var x = TensorMemory.Float32(t, "exact GEMM operand");
        if (call.Wide) call.Backend.LnsEncode(f, x, CodeTensors.Words(codes));
        else call.Backend.LnsEncode(f, x, CodeTensors.Bytes(codes));
        return codes;
    }

    private static void Gemm(ExactGemmCall call, LnsFormat fa, Tensor a, LnsFormat fb, Tensor b, long m, long k, long n,
        Tensor c, bool aTransposed = false, bool bTransposed = false)
    {
        var s = new LnsGemmSettings(fa, fb, (int)m, (int)k, (int)n, call.AccumulatorBits, call.FractionBits, aTransposed, bTransposed);
        var cs = TensorMemory.Float32(c, "exact GEMM output");
        call.Count(call.Wide
            ? call.Backend.LnsGemmExact<ushort>(s, CodeTensors.Words(a), CodeTensors.Words(b), cs)
            : call.Backend.LnsGemmExact<byte>(s, CodeTensors.Bytes(a), CodeTensors.Bytes(b), cs));
    }
}
