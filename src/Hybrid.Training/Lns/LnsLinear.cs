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
public sealed class LnsLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly BufferStorage _storage;

    /// <summary>Converts a float linear layer: w_max = p_scale · RMS(W), every weight rounded to its nearest level.</summary>
    public LnsLinear(string name, Linear source, int bits, float gamma, MomentMode moment, uint tensorId,
        ISynapseBackend backend, double pScale = 3.0) : base(name)
    {
        OutFeatures = source.out_features;
        InFeatures = source.in_features;
        using var w0 = source.weight!.detach().contiguous().cpu();
        var template = new LnsMadamSettings(new LnsFormat(bits, gamma, 1f), 1, Moment: moment, Rows: OutFeatures);
        int n = checked((int)(OutFeatures * InFeatures));
        _storage = new BufferStorage(n * (bits <= 8 ? 1 : 2), template.MomentLength(n));
        try
        {
            Synapses = SynapseTensor.FromWeights(TensorMemory.Float32(w0, "weight"), OutFeatures, InFeatures, bits, gamma,
                moment, tensorId, backend, pScale, _storage);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{name}: {e.Message}", e);
        }
        _weight = new Parameter(torch.zeros([OutFeatures, InFeatures]), requires_grad: true);
        _bias = source.bias is null ? null : new Parameter(source.bias.detach().clone(), requires_grad: true);
        register_parameter("weight", _weight);
        if (_bias is not null) register_parameter("bias", _bias);
        register_buffer("codes", _storage.CodesTensor);
        register_buffer("moments", _storage.MomentsTensor);
        register_buffer("w_max", _storage.WMaxTensor);
        Decode();
    }

    /// <summary>The layer's synapses: format, codes, moments, tensor id, backend.</summary>
    public SynapseTensor Synapses { get; }
    /// <summary>Bits per synapse.</summary>
    public int Bits => Synapses.Format.Bits;
    /// <summary>Where the second moment lives.</summary>
    public MomentMode Moment => Synapses.Moment;
    /// <summary>Output features (rows, neurons).</summary>
    public long OutFeatures { get; }
    /// <summary>Input features (columns).</summary>
    public long InFeatures { get; }
    /// <summary>The decoded float weight (the autograd leaf).</summary>
    public Parameter Weight => _weight;
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
        ? nn.functional.linear(input, _weight, _bias)
        : Arithmetic.Forward(input, _weight, _bias, Synapses.Format.WMax, training);

    /// <summary>Writes the decoded codes into the float weight.</summary>
    public void Decode() => Synapses.Decode(TensorMemory.Float32(_weight, "weight"));

    /// <summary>One synapse step with the weight's current gradient, then decode (see <see cref="SynapseTensor.Step"/>).</summary>
    public SynapseStep Step(LnsMadamSettings settings)
    {
        using var grad0 = _weight.grad ?? throw new InvalidOperationException($"{GetName()}: no gradient (call backward first).");
        using var grad = grad0.contiguous();
        var step = Synapses.Step(settings, TensorMemory.Float32(grad, "gradient"));
        Decode();
        return step;
    }

    /// <summary>The synapse tensor's state in TorchSharp buffers, so module save/load carries it. 16-bit codes are byte
    /// pairs: TorchSharp gives no storage view of int16 tensors.</summary>
    private sealed class BufferStorage(int codeBytes, int moments) : ISynapseStorage
    {
        public Tensor CodesTensor { get; } = torch.zeros(codeBytes, ScalarType.Byte);
        public Tensor MomentsTensor { get; } = torch.zeros(moments, ScalarType.Float32);
        public Tensor WMaxTensor { get; } = torch.zeros(1, ScalarType.Float32);
        public Span<byte> Codes => TensorMemory.Cpu<byte>(CodesTensor);
        public Span<float> Moments => TensorMemory.Cpu<float>(MomentsTensor);
        public float WMax
        {
            get => TensorMemory.Cpu<float>(WMaxTensor)[0];
            set => TensorMemory.Cpu<float>(WMaxTensor)[0] = value;
        }
    }
}
