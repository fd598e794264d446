using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// A linear layer with float32 master weights (trained by any TorchSharp optimiser) whose step runs with
/// quantisers (<see cref="LinearArithmetic"/>): the FP8- and INT8-style baselines of <c>hybrid compare</c>,
/// or LNS quantisers over float weights. The weight quantiser's scale is max |W| of each step.
/// </summary>
public sealed class QuantizedLinear : nn.Module<Tensor, Tensor>, IArithmeticLayer, ILayerWork
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;

    /// <summary>Takes over <paramref name="source"/>'s weights (copies) and runs its step with <paramref name="arithmetic"/>.</summary>
    public QuantizedLinear(string name, Linear source, StepArithmetic arithmetic, int layer, ulong seed, ISynapseBackend backend)
        : base(name)
    {
        _weight = new Parameter(source.weight!.detach().clone(), requires_grad: true);
        _bias = source.bias is null ? null : new Parameter(source.bias.detach().clone(), requires_grad: true);
        register_parameter("weight", _weight);
        if (_bias is not null) register_parameter("bias", _bias);
        Arithmetic = new LinearArithmetic(arithmetic, layer, seed, backend);
        register_buffer("arithmetic", Arithmetic.State);
    }

    /// <summary>The layer's quantisers and GEMM mode.</summary>
    public LinearArithmetic Arithmetic { get; }
    LinearArithmetic? IArithmeticLayer.Arithmetic => Arithmetic;
    /// <summary>The float32 weight.</summary>
    public Parameter Weight => _weight;
    /// <summary>The float32 bias, or null.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Arithmetic.Forward(input, _weight, _bias, null, training);

    /// <inheritdoc />
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad) =>
        LayerWorks.Linear(path, nameof(QuantizedLinear), inputShape, _weight.shape[0], _bias is not null, inputNeedsGrad,
            StepFormats.Of(Arithmetic), Hybrid.Synapse.Arithmetic.NumberFormat.Fp32, null);
}
