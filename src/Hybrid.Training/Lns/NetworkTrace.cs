using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>
/// The identity of a tensor's values during a trace: the address of its first element in its storage and its element
/// count. A view that starts where its source starts and holds as many elements (a reshape, a transpose, a flatten,
/// Identity, Dropout in evaluation) has its source's identity: the same values. The trace keeps every tensor it saw
/// alive until it ends, so no address is reused for another tensor meanwhile.
/// </summary>
public readonly record struct TensorId(long Address, long Elements);

/// <summary>One module call of a traced forward pass: what it read and wrote (by <see cref="TensorId"/>), the shapes,
/// and the module calls it made, in order.</summary>
/// <param name="Module">The module.</param>
/// <param name="Path">Its path in the model ("" for the root; "blocks.0.attn.q"); a second call of one module gets "#2".</param>
/// <param name="Input">The tensor it was called on.</param>
/// <param name="InputShape">Its shape.</param>
/// <param name="InputNeedsGrad">Whether autograd tracks the input (false for the data).</param>
public sealed record TracedCall(nn.Module Module, string Path, TensorId Input, long[] InputShape, bool InputNeedsGrad)
{
    /// <summary>The tensor it returned.</summary>
    public TensorId Output { get; internal set; }
    /// <summary>Its shape.</summary>
    public long[] OutputShape { get; internal set; } = [];
    /// <summary>The calls it made, in call order.</summary>
    public List<TracedCall> Children { get; } = [];

    /// <summary>The call of child <paramref name="module"/> (its only call).</summary>
    /// <exception cref="InvalidOperationException">The module was not called, or called more than once, in this call.</exception>
    public TracedCall Child(nn.Module module)
    {
        var calls = Children.Where(c => ReferenceEquals(c.Module, module)).ToList();
        return calls.Count == 1 ? calls[0]
            : throw new InvalidOperationException($"{Path}: child {module.GetName()} was called {calls.Count} times in one forward pass (expected once).");
    }
}

/// <summary>
/// Runs one forward pass of a model on a sample batch with hooks on every <c>Module&lt;Tensor, Tensor&gt;</c> and records
/// the calls as a tree (<see cref="TracedCall"/>), each input and output keyed by <see cref="TensorId"/>, so which
/// module's output feeds which is read from the tensors themselves, not assumed. Evaluation mode with autograd on
/// (as <see cref="ModelWork.Trace"/>): nothing in the model changes.
/// </summary>
public static class NetworkTrace
{
    /// <summary>The root call of <paramref name="model"/> on <paramref name="sample"/>.</summary>
    public static TracedCall Record(nn.Module<Tensor, Tensor> model, Tensor sample)
    {
        var names = new Dictionary<nn.Module, string>(ReferenceEqualityComparer.Instance) { [model] = "" };
        foreach (var (name, m) in model.named_modules()) names.TryAdd(m, name);
        var kept = new List<Tensor>();
        var stack = new Stack<TracedCall>();
        var seen = new Dictionary<nn.Module, int>(ReferenceEqualityComparer.Instance);
        TracedCall? root = null;
        var removers = new List<Action>();
        TensorId Keep(Tensor t)
        {
            var alias = t.detach().DetachFromDisposeScope(); // holds the storage: its address is not reused during the trace
            kept.Add(alias);
            return IdOf(t);
        }
        foreach (var m in names.Keys.OfType<nn.Module<Tensor, Tensor>>())
        {
            removers.Add(m.register_forward_pre_hook((mod, x) =>
            {
                int n = seen[mod] = seen.GetValueOrDefault(mod) + 1;
                var call = new TracedCall(mod, n == 1 ? names[mod] : $"{names[mod]}#{n}", Keep(x), x.shape, x.requires_grad);
                if (stack.Count > 0) stack.Peek().Children.Add(call);
                else root ??= call;
                stack.Push(call);
                return x;
            }).remove);
            removers.Add(m.register_forward_hook((mod, _, y) =>
            {
                var call = stack.Pop();
                call.Output = Keep(y);
                call.OutputShape = y.shape;
                return y;
            }).remove);
        }
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var grad = torch.enable_grad();
            using var scope = torch.NewDisposeScope();
            model.call(sample);
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
            foreach (var t in kept) t.Dispose();
        }
        return root ?? throw new InvalidOperationException("the trace recorded no module call.");
    }

    /// <summary>The identity of <paramref name="t"/>'s values (<see cref="TensorId"/>).</summary>
    public static TensorId IdOf(Tensor t) => new(Address(t), t.numel());

    private static long Address(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => Address<float>(t),
        ScalarType.Float64 => Address<double>(t),
        ScalarType.Int64 => Address<long>(t),
        ScalarType.Int32 => Address<int>(t),
        ScalarType.Int16 => Address<short>(t),
        ScalarType.Byte => Address<byte>(t),
        ScalarType.Int8 => Address<sbyte>(t),
        ScalarType.Bool => Address<bool>(t),
        _ => throw new NotSupportedException($"the trace keys tensors of {t.dtype} by no address (float32, float64 and integer tensors only)."),
    };

    private static unsafe long Address<T>(Tensor t) where T : unmanaged
    {
        using var storage = t.storage<T>();
        return (long)((T*)storage.data_ptr() + t.storage_offset());
    }
}
