using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using EpilogueActivation = Hybrid.Synapse.Energy.Activation;

namespace Hybrid.Training.Lns;

/// <summary>How <see cref="ModelNetwork.Of"/> describes a traced model to the ledger.</summary>
public sealed record ModelNetworkOptions
{
    /// <summary>Bytes a data value is stored in (null: 1 for float inputs, the 8-bit images of our data sets, normalised before
    /// the first layer; for token ids the bytes that hold the vocabulary of the embedding that reads them, not normalised).</summary>
    public int? InputBytes { get; init; }
    /// <summary>Bytes of labels per example (null: one label per output row, 1 byte for up to 256 classes, else 2).</summary>
    public double? LabelBytes { get; init; }
    /// <summary>Attention priced as FlashAttention would run it (scores and probabilities never stored, recomputed in the
    /// backward pass). Default false: as the trained model runs it (TorchSharp stores S and P).</summary>
    public bool FusedAttention { get; init; }
    /// <summary>A causal attention's masked scores priced as not computed (T(T+1)/2 of T² pairs). Default false: the
    /// trained model computes all T² scores and masks them.</summary>
    public bool SkipMaskedScores { get; init; }
    /// <summary>Append the softmax cross-entropy loss on the model's output (default true: a training step has one).</summary>
    public bool Loss { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static readonly ModelNetworkOptions Default = new();
}

/// <summary>
/// A module whose forward does tensor arithmetic outside its child modules (a residual add, attention's products,
/// adding two embeddings), which hooks cannot see: it says how its children's traced tensors connect, through the
/// <see cref="NetworkBuilder"/>. Every tensor a child module reads or writes is still found by its identity in the trace.
/// </summary>
public interface INetworkPart
{
    /// <summary>Adds this module's layers, for its traced <paramref name="call"/>, to <paramref name="network"/>; the
    /// call's output must end up named (<see cref="NetworkBuilder.Alias"/>, or a child that wrote it).</summary>
    void Describe(NetworkBuilder network, TracedCall call);
}

/// <summary>
/// The bridge from a trained model to the step ledger: one forward pass on a sample batch (<see cref="NetworkTrace"/>)
/// becomes the <see cref="NetworkSpec"/> the ledger prices — every layer in call order with its per-layer formats from
/// its own arithmetic (weights storage, GEMM formats of weights, activations, errors, gradients), the tensors it reads and
/// writes by identity (which output feeds which, residual adds, attention's Q/K/V), ReLU/GELU fused into the layer before
/// them, the data input in its stored format and the loss. Layer names are module paths; a layer's output is
/// "{path}.out", the model's output "logits", the data "images" (float input) or "tokens" (ids).
/// </summary>
public static class ModelNetwork
{
    /// <summary>The network of <paramref name="model"/> on batches shaped like <paramref name="sample"/> (per example: the
    /// sample's leading dimension is the batch).</summary>
    /// <exception cref="NotSupportedException">A module the ledger cannot price, or a tensor no traced module wrote (the
    /// message names the module and its parent).</exception>
    public static NetworkSpec Of(nn.Module<Tensor, Tensor> model, Tensor sample, ModelNetworkOptions? options = null, string? name = null)
    {
        var root = NetworkTrace.Record(model, sample);
        var b = new NetworkBuilder(root, sample, options ?? ModelNetworkOptions.Default);
        b.Emit(root);
        return b.Build(name ?? model.GetName());
    }
}

/// <summary>Builds a <see cref="NetworkSpec"/> from a traced call tree (<see cref="ModelNetwork.Of"/>); the
/// <see cref="INetworkPart"/>s of modules with arithmetic outside their children use it to add their layers.</summary>
public sealed class NetworkBuilder
{
    private readonly TracedCall _root;
    private readonly List<LayerSpec> _layers = [];
    private readonly Dictionary<TensorId, string> _names = [];
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal); // tensor name → layer index
    private readonly Dictionary<TensorId, int> _readers = [];
    private readonly DataInput _input;
    private readonly long _labelRows;

    internal NetworkBuilder(TracedCall root, Tensor sample, ModelNetworkOptions options)
    {
        _root = root;
        Options = options;
        Batch = sample.shape.Length == 0 ? 1 : sample.shape[0];
        bool ids = !sample.is_floating_point();
        string data = ids ? "tokens" : "images";
        _names[root.Input] = data;
        CountReaders(root);
        long perExample = sample.numel() / Batch;
        int bytes = options.InputBytes ?? (ids ? IdBytes(root) : 1);
        _input = new DataInput(data, perExample, bytes, Normalized: !ids, LabelBytes: 0);
        _labelRows = root.OutputShape.Length > 2 ? root.OutputShape[1..^1].Aggregate(1L, (a, c) => a * c) : 1;
    }

    /// <summary>The options.</summary>
    public ModelNetworkOptions Options { get; }
    /// <summary>The sample's batch size (shapes are divided by it to per-example sizes).</summary>
    public long Batch { get; }

    /// <summary>Elements per example of a traced shape.</summary>
    public long PerExample(long[] shape) => shape.Aggregate(1L, (a, c) => a * c) / Batch;

    /// <summary>The spec tensor a traced tensor is.</summary>
    /// <exception cref="NotSupportedException">No traced module (nor a part) wrote it.</exception>
    public string Name(TensorId id, TracedCall reader) => _names.TryGetValue(id, out var n) ? n
        : throw new NotSupportedException($"{Where(reader)} reads a tensor no traced module wrote (computed outside modules by its parent " +
                                          $"'{ParentOf(reader)?.Path}'): that module must describe itself (INetworkPart).");

    /// <summary>Names traced tensor <paramref name="id"/> as spec tensor <paramref name="tensor"/>.</summary>
    public void Alias(TensorId id, string tensor) => _names[id] = tensor;

    /// <summary>A child's path: <paramref name="name"/> under <paramref name="path"/> ("" for the root).</summary>
    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>The name a layer writing traced tensor <paramref name="output"/> of <paramref name="path"/> gives it.</summary>
    public string OutputName(string path, TensorId output) => output == _root.Output ? "logits" : $"{path}.out";

    /// <summary>Adds <paramref name="layer"/>; its output, if any, becomes the name of <paramref name="output"/>.</summary>
    public void Add(LayerSpec layer, TensorId? output = null)
    {
        _layers.Add(layer);
        if (layer.Writes is { } w) _producer[w] = _layers.Count - 1;
        if (output is { } o && layer.Writes is { } name) _names[o] = name;
    }

    /// <summary>A residual add of spec tensors <paramref name="a"/> and <paramref name="b"/> named <paramref name="path"/>.add
    /// (elements per example and features from <paramref name="shape"/>: channels of [B, C, …], the last dimension of
    /// [B, …, d]), its output the traced tensor <paramref name="output"/>. Returns the sum's name.</summary>
    public string Residual(string path, string a, string b, TensorId output, long[] shape)
    {
        string name = OutputName(path, output);
        long features = shape.Length == 4 ? shape[1] : shape[^1];
        Add(new FloatOpSpec(path, FloatOpKind.ResidualAdd, [a, b], name, PerExample(shape), features), output);
        return name;
    }

    /// <summary>The formats of a layer's step from its own arithmetic: weights as stored (LNS codes, or float32), the GEMM
    /// formats of weights, activations, errors and gradients (float32 where the layer has no quantiser).</summary>
    public static TensorFormats FormatsOf(nn.Module m)
    {
        var f = StepFormats.Of((m as IArithmeticLayer)?.Arithmetic);
        var storage = m is ISynapseLayer s ? NumberFormat.Lns(s.Bits, s.Synapses.Format.Gamma) : NumberFormat.Fp32;
        return new TensorFormats(storage, f.Weights, f.Activations, f.Errors, f.Gradients);
    }

    /// <summary>Adds the layers of <paramref name="call"/>: its own (<see cref="INetworkPart"/>), a layer the ledger knows, a
    /// view (nothing), or its children's in call order.</summary>
    /// <exception cref="NotSupportedException">A module the ledger cannot price.</exception>
    public void Emit(TracedCall call)
    {
        var m = call.Module;
        if (m is INetworkPart part) { part.Describe(this, call); return; }
        string path = call.Path;
        switch (m)
        {
            case TorchSharp.Modules.Linear or LnsLinear or QuantizedLinear:
            {
                long inF = call.InputShape[^1], outF = call.OutputShape[^1];
                long rows = PerExample(call.InputShape) / inF;
                Add(new LinearSpec(path, Name(call.Input, call), OutputName(path, call.Output), inF, outF, rows, HasBias(m)) { Formats = FormatsOf(m) },
                    call.Output);
                return;
            }
            case TorchSharp.Modules.Conv2d or LnsConv2d or QuantizedConv2d:
                EmitConv(call);
                return;
            case TorchSharp.Modules.Embedding or LnsEmbedding or QuantizedEmbedding:
                Add(EmbeddingOf(call, []), call.Output);
                return;
            case BatchNorm1d or BatchNorm2d or BatchNorm3d:
                Add(new FloatOpSpec(path, FloatOpKind.BatchNorm, [Name(call.Input, call)], OutputName(path, call.Output),
                    PerExample(call.InputShape), call.InputShape[1]), call.Output);
                return;
            case LayerNorm:
                Add(new FloatOpSpec(path, FloatOpKind.LayerNorm, [Name(call.Input, call)], OutputName(path, call.Output),
                    PerExample(call.InputShape), call.InputShape[^1]), call.Output);
                return;
            case Softmax:
                Add(new FloatOpSpec(path, FloatOpKind.Softmax, [Name(call.Input, call)], OutputName(path, call.Output),
                    PerExample(call.InputShape), call.InputShape[^1]), call.Output);
                return;
            case MaxPool2d pool:
                EmitMaxPool(call, pool);
                return;
            case AdaptiveAvgPool2d when call.OutputShape.Length == 4 && call.OutputShape[2] == 1 && call.OutputShape[3] == 1:
                Add(new FloatOpSpec(path, FloatOpKind.GlobalAvgPool, [Name(call.Input, call)], OutputName(path, call.Output),
                    call.InputShape[1], call.InputShape[1]), call.Output);
                return;
            case ReLU:
                Fuse(call, EpilogueActivation.Relu);
                return;
            case GELU:
                Fuse(call, EpilogueActivation.Gelu);
                return;
            case Flatten or Identity or Dropout or Unflatten:
                _names[call.Output] = Name(call.Input, call); // a view: the same values
                return;
        }
        if (call.Children.Count == 0 || m.named_parameters(recurse: false).Any())
            throw new NotSupportedException($"{Where(call)}: the ledger has no price for {m.GetType().Name} (layers it prices: linear, " +
                                            "convolution, embedding, attention, batch/layer norm, softmax, pooling, ReLU, GELU, residual adds).");
        foreach (var child in call.Children) Emit(child);
        if (!_names.ContainsKey(call.Output))
            throw new NotSupportedException($"{Where(call)} returns a tensor none of its modules wrote (arithmetic outside modules): " +
                                            "it must describe itself (INetworkPart).");
    }

    /// <summary>The embedding of <paramref name="call"/> (an embedding module), with <paramref name="addedTables"/> (rows)
    /// added densely to its output (learned positions).</summary>
    public EmbeddingSpec EmbeddingOf(TracedCall call, IReadOnlyList<long> addedTables, TensorId? output = null)
    {
        var m = call.Module;
        var (rows, dim, sparse) = m switch
        {
            LnsEmbedding e => (e.Rows, e.Dim, e.Synapses.Moment != Hybrid.Synapse.MomentMode.PerTensor),
            QuantizedEmbedding q => (q.Weight.shape[0], q.Weight.shape[1], false),
            TorchSharp.Modules.Embedding e => (e.weight!.shape[0], e.weight.shape[1], false),
            _ => throw new NotSupportedException($"{Where(call)} is not an embedding."),
        };
        return new EmbeddingSpec(call.Path, Name(call.Input, call), OutputName(call.Path, output ?? call.Output), rows, dim,
            PerExample(call.InputShape), addedTables.Count == 0 ? null : addedTables, sparse) { Formats = FormatsOf(m) };
    }

    private void EmitConv(TracedCall call)
    {
        var g = call.Module switch
        {
            LnsConv2d l => l.Geometry,
            QuantizedConv2d q => q.Geometry,
            TorchSharp.Modules.Conv2d c => Conv2dGeometry.Of(c, call.Path),
            _ => throw new InvalidOperationException(),
        };
        if (g.Kernel.H != g.Kernel.W || g.Stride.H != g.Stride.W || g.Padding.H != g.Padding.W || g.Dilation.H != g.Dilation.W)
            throw new NotSupportedException($"{Where(call)}: the ledger prices square kernels with one stride, padding and dilation.");
        long[] s = call.InputShape;
        bool bias = HasBias(call.Module);
        Add(new Conv2dSpec(call.Path, Name(call.Input, call), OutputName(call.Path, call.Output), g.InChannels, g.OutChannels, s[^2], s[^1],
            (int)g.Kernel.H, (int)g.Stride.H, (int)g.Padding.H, (int)g.Dilation.H, (int)g.Groups, bias) { Formats = FormatsOf(call.Module) }, call.Output);
    }

    private void EmitMaxPool(TracedCall call, MaxPool2d pool)
    {
        long[] o = call.OutputShape, i = call.InputShape;
        // the window from the shapes: kernel = stride = in/out (TorchSharp's default stride is the kernel)
        if (i[^1] % o[^1] != 0 || i[^2] / o[^2] != i[^1] / o[^1])
            throw new NotSupportedException($"{Where(call)}: only square non-overlapping max pooling is priced.");
        int k = (int)(i[^1] / o[^1]);
        Add(new FloatOpSpec(call.Path, FloatOpKind.MaxPool, [Name(call.Input, call)], OutputName(call.Path, call.Output), PerExample(o),
            i[1], EpilogueActivation.None, k, k, 0), call.Output);
    }

    /// <summary>An activation as the epilogue of the layer that wrote its input (the ledger fuses ReLU and GELU there): only
    /// when nothing else reads that input.</summary>
    private void Fuse(TracedCall call, EpilogueActivation act)
    {
        string x = Name(call.Input, call);
        if (!_producer.TryGetValue(x, out int p) || _readers.GetValueOrDefault(call.Input) != 1)
            throw new NotSupportedException($"{Where(call)}: the ledger prices {act} as the epilogue of the layer before it; its input '{x}' " +
                                            "is the data, or is read by other modules too.");
        LayerSpec fused = _layers[p] switch
        {
            LinearSpec { Activation: EpilogueActivation.None } l => l with { Activation = act, Output = Renamed(l.Output, call) },
            Conv2dSpec { Activation: EpilogueActivation.None } c => c with { Activation = act, Output = Renamed(c.Output, call) },
            FloatOpSpec { Activation: EpilogueActivation.None, Output: not null } f => f with { Activation = act, Output = Renamed(f.Output, call) },
            var other => throw new NotSupportedException($"{Where(call)}: {other.Name} ({other.GetType().Name}) takes no {act} epilogue."),
        };
        _layers[p] = fused;
        _producer.Remove(x);
        _producer[fused.Writes!] = p;
        _names.Remove(call.Input);
        _names[call.Output] = fused.Writes!;
    }

    // the model's output named "logits" even when an activation's output is it
    private string Renamed(string output, TracedCall activation) => activation.Output == _root.Output ? "logits" : output;

    internal NetworkSpec Build(string name)
    {
        if (!_names.TryGetValue(_root.Output, out var logits))
            throw new NotSupportedException("the model's output was written by no traced module.");
        long perRow = _root.OutputShape[^1];
        var input = _input with { LabelBytes = Options.LabelBytes ?? _labelRows * (perRow <= 256 ? 1 : 2) };
        if (Options.Loss)
            _layers.Add(new FloatOpSpec("loss", FloatOpKind.SoftmaxCrossEntropy, [logits], null, PerExample(_root.OutputShape), perRow));
        else input = input with { LabelBytes = 0 };
        var spec = new NetworkSpec(name, input, _layers.ToList());
        spec.Validate();
        return spec;
    }

    private void CountReaders(TracedCall call)
    {
        // every leaf call reads its input; a part (INetworkPart) may read its input itself (a skip connection)
        if (call.Children.Count == 0 || call.Module is INetworkPart) _readers[call.Input] = _readers.GetValueOrDefault(call.Input) + 1;
        foreach (var c in call.Children) CountReaders(c);
    }

    private int IdBytes(TracedCall root)
    {
        long vocab = 0;
        void Find(TracedCall c)
        {
            if (c.Input == root.Input && c.Module is TorchSharp.Modules.Embedding or LnsEmbedding or QuantizedEmbedding)
                vocab = Math.Max(vocab, c.Module.parameters().First().shape[0]);
            foreach (var x in c.Children) Find(x);
        }
        Find(root);
        return vocab <= 256 ? 1 : vocab <= 65536 ? 2 : 4;
    }

    private TracedCall? ParentOf(TracedCall call)
    {
        TracedCall? Search(TracedCall at) =>
            at.Children.Contains(call) ? at : at.Children.Select(Search).FirstOrDefault(p => p is not null);
        return Search(_root);
    }

    private static bool HasBias(nn.Module m) => m switch
    {
        TorchSharp.Modules.Linear l => l.bias is not null,
        LnsLinear l => l.Bias is not null,
        QuantizedLinear l => l.Bias is not null,
        TorchSharp.Modules.Conv2d c => c.bias is not null,
        LnsConv2d c => c.Bias is not null,
        QuantizedConv2d c => c.Bias is not null,
        _ => false,
    };

    private static string Where(TracedCall call) => $"'{(call.Path.Length == 0 ? "(root)" : call.Path)}' ({call.Module.GetType().Name})";
}
