using Hybrid.Synapse.Tensors;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// A 2-D convolution whose weight [C_out, C_in/groups, kh, kw] is a <see cref="SynapseTensor"/> of C_out rows
/// (neurons) × (C_in/groups)·kh·kw synapses — the im2col GEMM's weight — stepped by the synapse backend like
/// <see cref="LnsLinear"/>'s. Stride, padding, dilation and groups (depthwise included) as the float layer's
/// (<see cref="Conv2dGeometry"/>); with <see cref="UseArithmetic"/> the step runs through the same quantisers and
/// GEMM modes as a linear layer's, the exact mode on the im2col GEMM. The bias stays float32 (as LnsLinear's).
/// </summary>
public sealed class LnsConv2d : nn.Module<Tensor, Tensor>, ISynapseLayer, ILayerWork
{
    private readonly SynapseWeight _synapses;
    private readonly Parameter? _bias;

    /// <summary>Converts a float convolution: w_max = p_scale · RMS(W), every weight rounded to its nearest level.</summary>
    /// <exception cref="NotSupportedException">A transposed convolution or an asymmetric "same" padding.</exception>
    public LnsConv2d(string name, Conv2d source, int bits, float gamma, MomentMode moment, uint tensorId, ISynapseBackend backend,
        double pScale = 3.0) : base(name)
    {
        Geometry = Conv2dGeometry.Of(source, name);
        _synapses = new SynapseWeight(name, source.weight, bits, gamma, moment, tensorId, backend, pScale);
        _bias = source.bias is null ? null : new Parameter(source.bias.detach().clone(), requires_grad: true);
        register_parameter("weight", _synapses.Weight);
        if (_bias is not null) register_parameter("bias", _bias);
        _synapses.RegisterBuffers(this);
    }

    /// <summary>Stride, padding, dilation, groups.</summary>
    public Conv2dGeometry Geometry { get; }
    /// <inheritdoc />
    public SynapseTensor Synapses => _synapses.Synapses;
    /// <inheritdoc />
    public int Bits => Synapses.Format.Bits;
    /// <inheritdoc />
    public Parameter Weight => _synapses.Weight;
    /// <summary>The float32 bias, or null.</summary>
    public Parameter? Bias => _bias;
    /// <inheritdoc />
    public LinearArithmetic? Arithmetic { get; private set; }

    /// <summary>Runs the step with <paramref name="arithmetic"/> (as <see cref="LnsLinear.UseArithmetic"/>).</summary>
    public void UseArithmetic(StepArithmetic arithmetic, int layer, ulong seed)
    {
        if (Arithmetic is not null) throw new InvalidOperationException($"{GetName()} already has its arithmetic.");
        if (!arithmetic.Any && arithmetic.Gemm == GemmMode.Fast) return;
        Arithmetic = new LinearArithmetic(arithmetic, layer, seed, Synapses.Backend);
        register_buffer("arithmetic", Arithmetic.State);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) =>
        Geometry.Forward(input, Weight, _bias, Arithmetic, Synapses.Format.WMax, training);

    /// <inheritdoc />
    public void Decode() => _synapses.Decode();

    /// <inheritdoc />
    public SynapseStep Step(LnsMadamSettings settings) => _synapses.Step(GetName(), settings);

    /// <inheritdoc />
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad) =>
        Geometry.Work(path, nameof(LnsConv2d), inputShape, inputNeedsGrad, _bias is not null, StepFormats.Of(Arithmetic),
            NumberFormat.Lns(Bits, Synapses.Format.Gamma), Synapses.Moment);
}

/// <summary>
/// A 2-D convolution with float32 master weights (trained by any TorchSharp optimiser) whose step runs with
/// quantisers: the FP8 and INT8 baselines' convolution, as <see cref="QuantizedLinear"/> is their linear layer.
/// </summary>
public sealed class QuantizedConv2d : nn.Module<Tensor, Tensor>, IArithmeticLayer, ILayerWork
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;

    /// <summary>Takes over <paramref name="source"/>'s weights (copies) and runs its step with <paramref name="arithmetic"/>.</summary>
    public QuantizedConv2d(string name, Conv2d source, StepArithmetic arithmetic, int layer, ulong seed, ISynapseBackend backend)
        : base(name)
    {
        Geometry = Conv2dGeometry.Of(source, name);
        _weight = new Parameter(source.weight.detach().clone(), requires_grad: true);
        _bias = source.bias is null ? null : new Parameter(source.bias.detach().clone(), requires_grad: true);
        register_parameter("weight", _weight);
        if (_bias is not null) register_parameter("bias", _bias);
        Arithmetic = new LinearArithmetic(arithmetic, layer, seed, backend);
        register_buffer("arithmetic", Arithmetic.State);
    }

    /// <summary>Stride, padding, dilation, groups.</summary>
    public Conv2dGeometry Geometry { get; }
    /// <inheritdoc />
    public LinearArithmetic Arithmetic { get; }
    LinearArithmetic? IArithmeticLayer.Arithmetic => Arithmetic;
    /// <summary>The float32 weight.</summary>
    public Parameter Weight => _weight;
    /// <summary>The float32 bias, or null.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Geometry.Forward(input, _weight, _bias, Arithmetic, null, training);

    /// <inheritdoc />
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad) =>
        Geometry.Work(path, nameof(QuantizedConv2d), inputShape, inputNeedsGrad, _bias is not null, StepFormats.Of(Arithmetic),
            NumberFormat.Fp32, null);
}
