using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// A 2-D convolution's shape and how its step runs, written once for <see cref="LnsConv2d"/> and
/// <see cref="QuantizedConv2d"/>: stride, padding (zeros, or reflect/replicate/circular applied first as float
/// padding), dilation and groups (depthwise included). Without quantisers it is TorchSharp's conv2d; with them the
/// layer's <see cref="LinearArithmetic"/> quantises the input, the weights, the error and the gradient, and the
/// GEMM runs fast (conv2d on grid values) or exact: the input unfolded into its im2col matrix (a copy of grid
/// values), one exact LNS GEMM per group against the weight as [C_out/groups, (C_in/groups)·kh·kw], and the result
/// folded back to [N, C_out, H_out, W_out]. In the exact backward pass both GEMMs (e·W and eᵀ·x) run on the
/// datapath; the im2col adjoint (fold) then sums each input pixel's overlapping patch errors in float32.
/// </summary>
public sealed record Conv2dGeometry(long InChannels, long OutChannels, (long H, long W) Kernel, (long H, long W) Stride,
    (long H, long W) Padding, (long H, long W) Dilation, long Groups, PaddingModes PaddingMode)
{
    /// <summary>The geometry of <paramref name="conv"/>.</summary>
    /// <exception cref="NotSupportedException">A transposed convolution, or "same" padding that would be asymmetric.</exception>
    public static Conv2dGeometry Of(Convolution conv, string layer)
    {
        if (conv.transposed) throw new NotSupportedException($"{layer}: transposed convolutions have no LNS counterpart yet.");
        if (conv.kernel_size.Length != 2) throw new NotSupportedException($"{layer}: only 2-D convolutions convert (kernel of {conv.kernel_size.Length} dims).");
        var k = (conv.kernel_size[0], conv.kernel_size[1]);
        var s = (conv.stride[0], conv.stride[1]);
        var d = (conv.dilation[0], conv.dilation[1]);
        (long, long) p;
        if (conv.padding_type is { } type)
        {
            if (type == TorchSharp.Padding.Valid) p = (0, 0);
            else
            {
                long th = d.Item1 * (k.Item1 - 1), tw = d.Item2 * (k.Item2 - 1);
                if (th % 2 != 0 || tw % 2 != 0)
                    throw new NotSupportedException($"{layer}: padding 'same' with an even (dilated) kernel pads one side more; give the padding explicitly.");
                p = (th / 2, tw / 2);
            }
        }
        else p = (conv.padding![0], conv.padding.Length > 1 ? conv.padding[1] : conv.padding[0]);
        return new Conv2dGeometry(conv.in_channels, conv.out_channels, k, s, p, d, conv.groups, conv.padding_mode);
    }

    /// <summary>Output height and width for an input of <paramref name="h"/> × <paramref name="w"/>.</summary>
    public (long H, long W) Output(long h, long w) =>
        ((h + 2 * Padding.H - Dilation.H * (Kernel.H - 1) - 1) / Stride.H + 1,
         (w + 2 * Padding.W - Dilation.W * (Kernel.W - 1) - 1) / Stride.W + 1);

    /// <summary>Synapses per output channel: (C_in/groups)·kh·kw, the im2col GEMM's reduction length.</summary>
    public long PatchLength => InChannels / Groups * Kernel.H * Kernel.W;

    /// <summary>The convolution of <paramref name="x"/> ([N, C, H, W] or [C, H, W]) with <paramref name="w"/>, through
    /// <paramref name="arithmetic"/> when given (<paramref name="storedWMax"/>: the LNS storage's w_max).</summary>
    public Tensor Forward(Tensor x, Tensor w, Tensor? bias, LinearArithmetic? arithmetic, float? storedWMax, bool training)
    {
        if (x.dim() == 3) return Forward(x.unsqueeze(0), w, bias, arithmetic, storedWMax, training).squeeze(0);
        if (x.dim() != 4 || x.shape[1] != InChannels)
            throw new ArgumentException($"a convolution of {InChannels} input channels takes [N, {InChannels}, H, W] input, got [{string.Join(", ", x.shape)}].");
        var padding = Padding;
        if (PaddingMode != PaddingModes.Zeros && (padding.H > 0 || padding.W > 0))
        {
            x = nn.functional.pad(x, [padding.W, padding.W, padding.H, padding.H], PaddingMode);
            padding = (0, 0);
        }
        long[] stride = [Stride.H, Stride.W], pad = [padding.H, padding.W], dilation = [Dilation.H, Dilation.W];
        if (arithmetic is null) return nn.functional.conv2d(x, w, bias, stride, pad, dilation, Groups);
        return arithmetic.Forward(x, w, storedWMax, training,
            (xq, wq) => nn.functional.conv2d(xq, wq, bias, stride, pad, dilation, Groups),
            (xq, wq, call) => Exact(xq, wq, bias, padding, call));
    }

    // im2col → one exact GEMM per group → fold back to [N, C_out, H_out, W_out]
    private Tensor Exact(Tensor x, Tensor w, Tensor? bias, (long H, long W) padding, ExactGemmCall call)
    {
        long n = x.shape[0];
        var (ho, wo) = Output(x.shape[2] - 2 * (Padding.H - padding.H), x.shape[3] - 2 * (Padding.W - padding.W));
        var cols = nn.functional.unfold(x, Kernel, Dilation, padding, Stride); // [N, C·kh·kw, L]
        long l = cols.shape[2], k = PatchLength, o = OutChannels / Groups;
        var parts = new List<Tensor>();
        for (long g = 0; g < Groups; ++g)
        {
            var xg = cols.narrow(1, g * k, k).transpose(1, 2).reshape(n * l, k);
            var wg = w.narrow(0, g * o, o).reshape(o, k);
            parts.Add(ExactLinearFunction.apply(xg, wg, call)); // [N·L, O/groups]
        }
        var y = (Groups == 1 ? parts[0] : torch.cat(parts, 1)).reshape(n, l, OutChannels).transpose(1, 2).reshape(n, OutChannels, ho, wo);
        if (bias is null) return y;
        using var b = bias.reshape(1, OutChannels, 1, 1);
        return y.Plus(b);
    }

    /// <summary>The convolution's work on an input of <paramref name="inputShape"/>: its im2col GEMM per group.</summary>
    public LayerWork Work(string path, string kind, long[] inputShape, bool inputNeedsGrad, bool bias, StepFormats f,
        Hybrid.Synapse.Arithmetic.NumberFormat storage, Hybrid.Synapse.MomentMode? moment)
    {
        long[] s = inputShape.Length == 3 ? [1, .. inputShape] : inputShape;
        var (ho, wo) = Output(s[2], s[3]);
        long m = s[0] * ho * wo, input = s.Aggregate(1L, (a, b) => a * b);
        long kept = f.Mode == GemmMode.Exact ? m * PatchLength * Groups : input; // the exact path keeps the im2col matrix
        return LayerWorks.Gemm(path, kind, m, PatchLength, OutChannels / Groups, Groups, input, kept, bias, inputNeedsGrad, f, storage, moment);
    }
}
