using System.Runtime.InteropServices;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// A linear layer whose weight lives as B-bit LNS synapse codes (Hybrid.Synapse's format),
/// updated in place by the synapse backend's Madam step. The forward pass uses a float32
/// weight decoded from the codes; autograd's gradient for that weight is handed to the
/// synapse step (<see cref="Step"/>), after which the weight is decoded again.
/// </summary>
/// <remarks>
/// Codes, second moments and w_max are module buffers, so <c>save</c>/<c>load</c> and the
/// trainer's checkpoints carry them. Biases, when present, are ordinary float32 parameters:
/// a documented choice — they are 1/fan_in of the weights, and the LNS Madam optimiser trains
/// them with float32 Madam and counts them as such in the ledger. CPU tensors only.
/// </remarks>
public sealed class LnsLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly Tensor _codes;      // uint8 [out, in] (B <= 8), or uint8 [out, in, 2] holding uint16 codes
    private readonly Tensor _moments;    // float32 [moment length]
    private readonly Tensor _wMax;       // float32 [1]

    /// <summary>Converts a float linear layer: w_max = p_scale · RMS(W), every weight rounded to its nearest level.</summary>
    public LnsLinear(string name, Linear source, int bits, float gamma, MomentMode moment, uint tensorId,
        ISynapseBackend backend, double pScale = 3.0) : base(name)
    {
        Bits = bits;
        Gamma = gamma;
        Moment = moment;
        TensorId = tensorId;
        Backend = backend;
        OutFeatures = source.out_features;
        InFeatures = source.in_features;
        using var w0 = source.weight!.detach().contiguous().cpu();
        var wSpan = TensorMemory.Float32(w0, "weight");
        float wMax = (float)(pScale * backend.Rms(wSpan));
        if (!(wMax > 0)) throw new ArgumentException($"{name}: the weight is all zeros; an LNS grid needs a scale.");
        Format = new LnsFormat(bits, gamma, wMax);
        Format.Validate(bits <= 8 ? 1 : 2);
        // TorchSharp gives no storage view of int16 tensors, so 16-bit codes are byte pairs
        _codes = bits <= 8 ? torch.zeros([OutFeatures, InFeatures], ScalarType.Byte)
                           : torch.zeros([OutFeatures, InFeatures, 2], ScalarType.Byte);
        int n = (int)(OutFeatures * InFeatures);
        var template = new LnsMadamSettings(Format, 1, Moment: moment, Rows: OutFeatures);
        _moments = torch.zeros(Math.Max(template.MomentLength(n), 0), ScalarType.Float32);
        _wMax = torch.tensor(new[] { wMax });
        _weight = new Parameter(torch.zeros([OutFeatures, InFeatures]), requires_grad: true);
        if (bits <= 8) backend.LnsEncode(Format, wSpan, Codes8);
        else backend.LnsEncode(Format, wSpan, Codes16);
        _bias = source.bias is null ? null : new Parameter(source.bias.detach().clone(), requires_grad: true);
        register_parameter("weight", _weight);
        if (_bias is not null) register_parameter("bias", _bias);
        register_buffer("codes", _codes);
        register_buffer("moments", _moments);
        register_buffer("w_max", _wMax);
        Decode();
    }

    /// <summary>Bits per synapse.</summary>
    public int Bits { get; }
    /// <summary>Levels per octave.</summary>
    public float Gamma { get; }
    /// <summary>Where the second moment lives.</summary>
    public MomentMode Moment { get; }
    /// <summary>The tensor's id in the random stream.</summary>
    public uint TensorId { get; }
    /// <summary>The backend that runs encode, decode and the step.</summary>
    public ISynapseBackend Backend { get; set; }
    /// <summary>Output features (rows, neurons).</summary>
    public long OutFeatures { get; }
    /// <summary>Input features (columns).</summary>
    public long InFeatures { get; }
    /// <summary>The format, with the w_max fixed at conversion (or restored by <c>load</c>).</summary>
    public LnsFormat Format { get; private set; }
    /// <summary>The decoded float weight (the autograd leaf).</summary>
    public Parameter Weight => _weight;
    /// <summary>The float32 bias, or null.</summary>
    public Parameter? Bias => _bias;
    /// <summary>Synapses in the layer.</summary>
    public long Synapses => OutFeatures * InFeatures;
    /// <summary>Second-moment floats kept for the layer.</summary>
    public long MomentFloats => _moments.numel();

    /// <summary>The codes as bytes (B ≤ 8).</summary>
    public unsafe Span<byte> Codes8 => Bits <= 8 ? TensorMemory.Cpu<byte>(_codes) : throw new InvalidOperationException("codes are 16-bit");
    /// <summary>The codes as 16-bit values (B &gt; 8).</summary>
    public unsafe Span<ushort> Codes16 => Bits > 8
        ? MemoryMarshal.Cast<byte, ushort>(TensorMemory.Cpu<byte>(_codes)) : throw new InvalidOperationException("codes are 8-bit");

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => nn.functional.linear(input, _weight, _bias);

    /// <summary>Writes the decoded codes into the float weight.</summary>
    public void Decode()
    {
        Format = Format with { WMax = _wMax.item<float>() };
        var w = TensorMemory.Float32(_weight, "weight");
        if (Bits <= 8) Backend.LnsDecode(Format, Codes8, w);
        else Backend.LnsDecode(Format, Codes16, w);
    }

    /// <summary>
    /// One synapse step with the weight's current gradient, then decode. <paramref name="settings"/>
    /// supplies lr, β2, g_bound, rounding, seed, device model and step; format, moment mode, rows
    /// and tensor id are the layer's own.
    /// </summary>
    public StepStats Step(LnsMadamSettings settings)
    {
        using var grad0 = _weight.grad ?? throw new InvalidOperationException($"{GetName()}: no gradient (call backward first).");
        using var grad = grad0.contiguous();
        Format = Format with { WMax = _wMax.item<float>() }; // restored by load()
        var s = settings with { Format = Format, Moment = Moment, Rows = OutFeatures, TensorId = TensorId };
        var g = TensorMemory.Float32(grad, "gradient");
        var v = TensorMemory.Cpu<float>(_moments);
        var stats = Bits <= 8 ? Backend.LnsMadamStep(s, Codes8, g, v) : Backend.LnsMadamStep(s, Codes16, g, v);
        Decode();
        return stats;
    }

}
