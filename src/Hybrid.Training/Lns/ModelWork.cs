using Hybrid.Synapse.Arithmetic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Hybrid.Training.Layers;

namespace Hybrid.Training.Lns;

/// <summary>
/// The work of a whole training step, layer by layer (<see cref="LayerWork"/>), found by running one forward pass of
/// the model on a sample batch and asking every module it calls for its work on the input it got: the LNS and
/// quantised layers and Hybrid's blocks describe themselves (<see cref="ILayerWork"/>), float32 TorchSharp layers
/// (Linear, Conv2d, Embedding, LayerNorm, BatchNorm, activations, softmax, pooling) are described here. The pass runs
/// in evaluation mode (no quantiser counts, running scale or batch-norm statistic moves) with autograd on, so each
/// layer knows whether its input needs an error (the first layer's does not); nothing in the model changes.
/// </summary>
public static class ModelWork
{
    /// <summary>Every module call of one forward pass of <paramref name="model"/> on <paramref name="sample"/>, described, in call order.</summary>
    public static IReadOnlyList<LayerWork> Trace(nn.Module<Tensor, Tensor> model, Tensor sample)
    {
        // the one forward-pass recorder (NetworkTrace: eval mode, autograd on, nothing in the model changes); its calls in
        // the order they started, each under its module's path (a repeated call is recorded again under the same path)
        var calls = new List<TracedCall>();
        void Walk(TracedCall call)
        {
            calls.Add(call);
            foreach (var child in call.Children) Walk(child);
        }
        Walk(NetworkTrace.Record(model, sample));
        return calls.Select(c => Describe(c.Path.Split('#')[0], c.Module, c.InputShape, c.InputNeedsGrad)).OfType<LayerWork>().ToList();
    }

    /// <summary>One module's work on an input of <paramref name="shape"/>, or null for a container or a module with no arithmetic.</summary>
    public static LayerWork? Describe(string path, nn.Module m, long[] shape, bool inputNeedsGrad)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        long parameters = m.parameters().Sum(p => p.numel());
        return m switch
        {
            ILayerWork w => w.Work(path, shape, inputNeedsGrad),
            TorchSharp.Modules.Linear lin => LayerWorks.Linear(path, nameof(Linear), shape, lin.out_features, lin.bias is not null,
                inputNeedsGrad, StepFormats.Float, NumberFormat.Fp32, null),
            TorchSharp.Modules.Conv2d conv => Conv2dGeometry.Of(conv, path).Work(path, nameof(Conv2d), shape, inputNeedsGrad,
                conv.bias is not null, StepFormats.Float, NumberFormat.Fp32, null),
            TorchSharp.Modules.Embedding emb => LayerWorks.Lookup(path, nameof(Embedding), n, emb.weight!.shape[0], emb.weight.shape[1],
                StepFormats.Float, NumberFormat.Fp32, null, sparse: false, null),
            LayerNorm => LayerWorks.Elementwise(path, nameof(LayerNorm), FloatOp.LayerNorm, n, n, floatParameters: parameters),
            BatchNorm1d or BatchNorm2d or BatchNorm3d => LayerWorks.Elementwise(path, m.GetType().Name, FloatOp.BatchNorm, n, n, floatParameters: parameters),
            GELU => LayerWorks.Elementwise(path, nameof(GELU), FloatOp.Gelu, n, n),
            ReLU or Tanh or Sigmoid or SiLU or LeakyReLU or ELU or ReluSqrt2 => LayerWorks.Elementwise(path, m.GetType().Name, FloatOp.Activation, n, n),
            Softmax or LogSoftmax => LayerWorks.Elementwise(path, m.GetType().Name, FloatOp.Softmax, n, n),
            MaxPool2d or MaxPool1d => LayerWorks.Elementwise(path, m.GetType().Name, FloatOp.Pool, n, n),
            AvgPool2d or AdaptiveAvgPool2d or AvgPool1d => LayerWorks.Elementwise(path, m.GetType().Name, FloatOp.Pool, n, 0),
            Flatten or Identity or Dropout => null,
            _ when m.named_children().Any() => null, // a container: its children describe themselves
            _ => LayerWork.Floats(path, $"{m.GetType().Name} (not described)", [], [], parameters),
        };
    }
}
