using System.Numerics;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Hybrid.Training.Lns;

/// <summary>A quantiser bound to one call: the step it draws for, training or not, a fixed scale (weights),
/// and the layer whose state holds its running scale and counts.</summary>
internal sealed record QuantizeStage(LinearArithmetic Owner, TensorQuantizer Quantizer, long Step, bool Training, float? FixedScale)
{
    public Tensor Apply(Tensor x)
    {
        var (y, stats, maxAbs) = Quantizer.Apply(x, Step, Training, FixedScale, Owner.RunningScale(Quantizer.Role));
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

/// <summary>What the exact GEMM of one layer call needs besides its operands.</summary>
internal sealed record ExactGemmCall(ISynapseBackend Backend, LnsFormat Activations, LnsFormat Weights,
    TensorQuantizer Errors, int AccumulatorBits, int FractionBits, bool InputNeedsGrad, Action<GemmStats> Count);

/// <summary>
/// y = x·Wᵀ on the LNS datapath (the synapse backend's exact GEMM) as a custom autograd function: the
/// forward pass encodes the grid values of x and W (activation and weight quantisers' formats) into codes;
/// the backward pass encodes the incoming error (the error quantiser's format; it runs first, downstream)
/// and computes ∇x = e·W (when x needs it) and ∇W = eᵀ·x on the same datapath. Arguments: (x, W, call).
/// </summary>
internal sealed class ExactLinearFunction : SingleTensorFunction<ExactLinearFunction>
{
    public override string Name => "HybridExactLinear";

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = ((Tensor)vars[0]).contiguous();
        var w = ((Tensor)vars[1]).contiguous();
        var call = (ExactGemmCall)vars[2];
        ctx.save_for_backward([x, w]);
        ctx.save_data("call", call);
        long n = x.shape[0], i = x.shape[1], o = w.shape[0];
        var y = torch.empty([n, o]);
        bool narrow = Math.Max(call.Activations.Bits, call.Weights.Bits) <= 8;
        if (narrow) Gemm<byte>(call, call.Activations, Codes<byte>(call, call.Activations, x), call.Weights,
            Transpose(Codes<byte>(call, call.Weights, w), o, i), n, i, o, y);
        else Gemm<ushort>(call, call.Activations, Codes<ushort>(call, call.Activations, x), call.Weights,
            Transpose(Codes<ushort>(call, call.Weights, w), o, i), n, i, o, y);
        return y;
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor grad)
    {
        var saved = ctx.get_saved_variables();
        Tensor x = saved[0], w = saved[1];
        var call = (ExactGemmCall)ctx.get_data("call");
        var e = grad.contiguous();
        var ef = call.Errors.LastFormat;
        long n = x.shape[0], i = x.shape[1], o = w.shape[0];
        var dw = torch.empty([o, i]);
        Tensor? dx = call.InputNeedsGrad ? torch.empty([n, i]) : null;
        if (Math.Max(ef.Bits, Math.Max(call.Activations.Bits, call.Weights.Bits)) <= 8) Backward<byte>(call, ef, e, x, w, n, i, o, dx, dw);
        else Backward<ushort>(call, ef, e, x, w, n, i, o, dx, dw);
        return [dx!, dw, null!];
    }

    private static void Backward<TCode>(ExactGemmCall call, LnsFormat ef, Tensor e, Tensor x, Tensor w, long n, long i, long o,
        Tensor? dx, Tensor dw) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        var ec = Codes<TCode>(call, ef, e);
        if (dx is not null) Gemm(call, ef, ec, call.Weights, Codes<TCode>(call, call.Weights, w), n, o, i, dx);   // e·W
        Gemm(call, ef, Transpose(ec, n, o), call.Activations, Codes<TCode>(call, call.Activations, x), o, n, i, dw); // eᵀ·x
    }

    private static TCode[] Codes<TCode>(ExactGemmCall call, LnsFormat f, Tensor t)
        where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        var codes = new TCode[t.numel()];
        call.Backend.LnsEncode(f, TensorMemory.Float32(t, "exact GEMM operand"), codes);
        return codes;
    }

    private static TCode[] Transpose<TCode>(TCode[] a, long rows, long cols)
    {
        var t = new TCode[a.Length];
        for (long r = 0; r < rows; ++r)
        for (long c = 0; c < cols; ++c)
            t[c * rows + r] = a[r * cols + c];
        return t;
    }

    private static void Gemm<TCode>(ExactGemmCall call, LnsFormat fa, TCode[] a, LnsFormat fb, TCode[] b, long m, long k, long n,
        Tensor c) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
    {
        var s = new LnsGemmSettings(fa, fb, (int)m, (int)k, (int)n, call.AccumulatorBits, call.FractionBits);
        call.Count(call.Backend.LnsGemmExact<TCode>(s, a, b, TensorMemory.Float32(c, "exact GEMM output")));
    }
}
