using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// A linear layer whose weight is a <see cref="SynapseTensor"/>: B-bit LNS codes updated in
/// place by the synapse backend's Madam step. The forward pass uses a float32 weight decoded
/// from the codes; autograd's gradient for that weight is handed to the synapse tensor's step
/// (<see cref="Step"/>), after which the weight is decoded again. A thin TorchSharp wrapper:
/// the synapse layer owns the format, codes, moments, tensor id and backend.
/// </summary>
/// <remarks>
/// The synapse tensor's state lives in module buffers (codes, moments, w_max), so
/// <c>save</c>/<c>load</c> and the trainer's checkpoints carry it. Biases, when present, are
/// ordinary float32 parameters: a documented choice — they are 1/fan_in of the weights, and
/// <c>Optimizers.LnsMadamOptimizer</c> trains them with float32 Madam on the same backend and counts
/// them as such in the ledger. CPU tensors only.
/// </remarks>
public sealed partial class LnsLinear : nn.Module<Tensor, Tensor>, ISynapseLayer, ILayerWork
{
    private readonly SynapseWeight _synapses;
    private readonly Parameter? _bias;

    /// <summary>Converts a float linear layer: w_max = p_scale · RMS(W), every weight rounded to its nearest level.</summary>
    public LnsLinear(string name, Linear source, int bits, float gamma, MomentMode moment, uint tensorId,
        ISynapseBackend backend, double pScale = 3.0) : base(name)
    {
        OutFeatures = source.out_features;
        InFeatures = source.in_features;
        _synapses = new SynapseWeight(name, source.weight!, bits, gamma, moment, tensorId, backend, pScale);
        _bias = source.bias is null ? null : new Parameter(source.bias.detach().clone(), requires_grad: true);
        register_parameter("weight", _synapses.Weight);
        if (_bias is not null) register_parameter("bias", _bias);
        _synapses.RegisterBuffers(this);
    }

    /// <summary>The layer's synapses: format, codes, moments, tensor id, backend.</summary>
    public SynapseTensor Synapses => _synapses.Synapses;
    /// <summary>Bits per synapse.</summary>
    public int Bits => Synapses.Format.Bits;
    /// <summary>Where the second moment lives.</summary>
    public MomentMode Moment => Synapses.Moment;
    /// <summary>Output features (rows, neurons).</summary>
    public long OutFeatures { get; }
    /// <summary>Input features (columns).</summary>
    public long InFeatures { get; }
    /// <summary>The decoded float weight (the autograd leaf).</summary>
    public Parameter Weight => _synapses.Weight;
    /// <summary>The float32 bias, or null.</summary>
    public Parameter? Bias => _bias;

    /// <summary>The quantisers and GEMM mode of the layer's step (<see cref="UseArithmetic"/>), or null: float32 GEMMs on the
    /// decoded weight (weights-only LNS).</summary>
    public LinearArithmetic? Arithmetic { get; private set; }

    /// <summary>
    /// Runs the layer's step with <paramref name="arithmetic"/>: the decoded (update-format) weight is quantised to the GEMM
    /// format with the stored w_max as its scale, and activations, errors and gradients as the settings say. Call once,
    /// right after construction (the state becomes a module buffer, so checkpoints carry it).
    /// </summary>
    public void UseArithmetic(StepArithmetic arithmetic, int layer, ulong seed)
    {
        if (Arithmetic is not null) throw new InvalidOperationException($"{GetName()} already has its arithmetic.");
        if (!arithmetic.Any && arithmetic.Gemm == GemmMode.Fast) return;
        Arithmetic = new LinearArithmetic(arithmetic, layer, seed, Synapses.Backend);
        register_buffer("arithmetic", Arithmetic.State);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Arithmetic is null
        ? nn.functional.linear(input, ReadWeight(), _bias)
        : Arithmetic.Forward(input, ReadWeight(), _bias, Synapses.Format.WMax, training);

    /// <summary>Writes the decoded codes into the float weight.</summary>
    public void Decode() => _synapses.Decode();

    /// <summary>One synapse step with the weight's current gradient, then decode (see <see cref="SynapseTensor.Step"/>).</summary>
    public SynapseStep Step(LnsMadamSettings settings) => _synapses.Step(GetName(), settings);

    /// <inheritdoc />
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad) =>
        LayerWorks.Linear(path, nameof(LnsLinear), inputShape, OutFeatures, _bias is not null, inputNeedsGrad, StepFormats.Of(Arithmetic),
            Hybrid.Synapse.Arithmetic.NumberFormat.Lns(Bits, Synapses.Format.Gamma), Moment);
}
