using Hybrid.Training.Lns;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Models;

/// <summary>
/// A residual multilayer perceptron (<see cref="ModelKind.ResidualMlp"/>): the flattened input goes
/// through <c>fc1</c> and the activation, then every further hidden layer adds its output to its
/// input, <c>h ← h + act(fc_i(h))</c> (i = 2…depth), and <c>out</c> maps to the logits. The
/// parameters are those of the plain MLP of the same spec, under the same names
/// (<c>fc1…fc{depth}, out</c>), so the two have equal parameter counts and state-dict keys.
/// </summary>
/// <remarks>
/// The residual net of jxbz/fromage's curvature slices (<c>classify-mnist/curvature.ipynb</c>)
/// adds every layer to its input, which works there because its width equals the input size
/// (784). Here the first hidden layer is a plain projection so that any width works; at width
/// = input size the two differ only in that first layer's skip connection.
/// </remarks>
public sealed class ResidualMlp : nn.Module<Tensor, Tensor>, INetworkPart
{
    private readonly List<nn.Module<Tensor, Tensor>> _hidden = [];
    private readonly List<nn.Module<Tensor, Tensor>> _activations = [];
    private readonly nn.Module<Tensor, Tensor> _out;

    /// <summary>Builds the layers of <paramref name="spec"/> (an MLP-shaped spec: flattened input, depth, width, bias, activation).</summary>
    public ResidualMlp(ModelSpec spec) : base(nameof(ResidualMlp))
    {
        long features = spec.InputSize;
        for (int i = 1; i <= spec.Depth; ++i)
        {
            var fc = nn.Linear(features, spec.Width, hasBias: spec.Bias);
            var act = ModelFactory.ActivationModule(spec.Activation);
            register_module($"fc{i}", fc);
            register_module($"act{i}", act);
            _hidden.Add(fc);
            _activations.Add(act);
            features = spec.Width;
        }
        _out = ModelFactory.Readout(spec, features);
        register_module("out", _out);
    }

    /// <summary>Logits [B, classes] of inputs [B, ...].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var h = input.reshape(input.shape[0], -1);
        for (int i = 0; i < _hidden.Count; ++i)
        {
            var a = _activations[i].call(_hidden[i].call(h));
            h = i == 0 ? a : h.Plus(a); // an alpha that outlives the call (TorchScalars)
        }
        return _out.call(h).MoveToOuterDisposeScope();
    }

    /// <summary>Each hidden layer (as traced), from the second on added to the running sum (the tensor the next layer reads).</summary>
    public void Describe(NetworkBuilder network, TracedCall call)
    {
        string? h = null;
        for (int i = 0; i < _hidden.Count; ++i)
        {
            network.Emit(call.Child(_hidden[i]));
            var act = call.Child(_activations[i]);
            network.Emit(act);
            var next = call.Child(i + 1 < _hidden.Count ? _hidden[i + 1] : _out);
            string a = network.Name(act.Output, call);
            h = h is null ? a : network.Residual(NetworkBuilder.Join(call.Path, $"add{i + 1}"), h, a, next.Input, next.InputShape);
        }
        network.Emit(call.Child(_out));
    }
}
