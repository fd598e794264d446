using System.Collections;
using System.Reflection;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

/// <summary>Where a converted layer keeps its weights.</summary>
public enum WeightStorage
{
    /// <summary>B-bit LNS codes in a synapse tensor (<see cref="LnsLinear"/>, <see cref="LnsConv2d"/>, <see cref="LnsEmbedding"/>),
    /// trained by <see cref="Optimizers.LnsMadamOptimizer"/>.</summary>
    Synapses,
    /// <summary>Float32 master weights trained by any optimiser, the step run through quantisers (<see cref="QuantizedLinear"/>,
    /// <see cref="QuantizedConv2d"/>, <see cref="QuantizedEmbedding"/>): the FP8/INT8 baselines.</summary>
    Float,
}

/// <summary>What to do with one type of layer; unset fields take the conversion's defaults.</summary>
/// <param name="Convert">False keeps every layer of the type float32.</param>
/// <param name="Bits">Synapse bits.</param>
/// <param name="Gamma">Synapse γ (default: <see cref="LnsModels.DefaultGamma"/> of the bits).</param>
/// <param name="Moment">Where the second moment lives.</param>
/// <param name="Arithmetic">The step's quantisers and GEMM mode.</param>
public sealed record LayerRule(bool Convert = true, int? Bits = null, float? Gamma = null, MomentMode? Moment = null,
    StepArithmetic? Arithmetic = null);

/// <summary>
/// How <see cref="LnsConverter.Convert"/> turns a float model into an LNS one: the defaults for every layer, and a rule
/// per layer type (linear, 2-D convolution, embedding, attention products) that may override them.
/// </summary>
/// <param name="Backend">The synapse backend every layer's kernels run on.</param>
public sealed record LnsConversionSettings(ISynapseBackend Backend)
{
    /// <summary>Synapses (LNS codes) or float32 master weights with quantisers.</summary>
    public WeightStorage Storage { get; init; } = WeightStorage.Synapses;
    /// <summary>Synapse bits (default 8).</summary>
    public int Bits { get; init; } = 8;
    /// <summary>Synapse γ; null: <see cref="LnsModels.DefaultGamma"/>.</summary>
    public float? Gamma { get; init; }
    /// <summary>Where the second moment lives.</summary>
    public MomentMode Moment { get; init; } = MomentMode.PerSynapse;
    /// <summary>w_max = p_scale · RMS(W) of each converted weight.</summary>
    public double PScale { get; init; } = 3.0;
    /// <summary>The step's quantisers and GEMM mode (default none: float32 GEMMs on decoded weights).</summary>
    public StepArithmetic Arithmetic { get; init; } = StepArithmetic.Off;
    /// <summary>Keys the quantisers' random streams.</summary>
    public ulong Seed { get; init; }
    /// <summary>Linear layers.</summary>
    public LayerRule Linear { get; init; } = new();
    /// <summary>2-D convolutions.</summary>
    public LayerRule Conv2d { get; init; } = new();
    /// <summary>Embeddings.</summary>
    public LayerRule Embedding { get; init; } = new();
    /// <summary>Attention's activation products (<see cref="ActivationProduct"/>; bits, γ and moment do not apply).</summary>
    public LayerRule Attention { get; init; } = new();
}

/// <summary>One row of a conversion's table.</summary>
/// <param name="Path">The module's path in the model ("blocks.0.attn.q"; "" for the root).</param>
/// <param name="From">Its type before.</param>
/// <param name="To">Its type after (the same when it stays float).</param>
/// <param name="Converted">Whether it is now LNS or quantised.</param>
/// <param name="Parameters">Its parameters (weights, biases, gains).</param>
/// <param name="Detail">Bits, γ, moment and arithmetic of a converted layer; why a layer stays float32.</param>
public sealed record ConvertedLayer(string Path, string From, string To, bool Converted, long Parameters, string Detail);

/// <summary>A converted model and its table.</summary>
/// <param name="Model">The model (the same object as given, changed in place, unless the root itself was converted).</param>
/// <param name="Layers">Every leaf module and activation product, in module order.</param>
public sealed record LnsConversion(nn.Module<Tensor, Tensor> Model, IReadOnlyList<ConvertedLayer> Layers)
{
    /// <summary>The rows converted.</summary>
    public IEnumerable<ConvertedLayer> Converted => Layers.Where(l => l.Converted);
    /// <summary>The rows that stay float32.</summary>
    public IEnumerable<ConvertedLayer> Float => Layers.Where(l => !l.Converted);
}

/// <summary>
/// Converts any TorchSharp model to LNS in one call: walks the module tree and replaces every
/// <see cref="TorchSharp.Modules.Linear"/>, <see cref="TorchSharp.Modules.Conv2d"/> and
/// <see cref="TorchSharp.Modules.Embedding"/> by its LNS (or quantised) counterpart with the same initial weights, gives
/// every <see cref="ActivationProduct"/> (attention's Q·Kᵀ and P·V, see <c>Hybrid.Training.Models.SelfAttention</c>) the
/// step arithmetic, and returns a table of what it converted and what stays float32: normalisation, activations,
/// softmax, pooling, residual adds stay float32 by design; TorchSharp's built-in composite modules (MultiheadAttention,
/// the Transformer layers, RNNs) run their forward natively, so their layers cannot be replaced and they stay float32.
/// </summary>
/// <remarks>
/// The model is changed in place: a replaced layer takes the old one's place in its parent's registry (same name, same
/// order, so state-dict keys are kept) and in every field, list, array or dictionary of the parent that held it
/// (Sequential's list, ModuleList's, a custom module's fields). A field whose declared type cannot hold the new layer
/// (a field typed <c>Linear</c>) is an error naming it: declare such fields as <c>nn.Module&lt;Tensor, Tensor&gt;</c>.
/// A layer reached twice (shared weights) is converted once and stays shared. Synapse tensor ids and the quantisers'
/// layer indices are given in module order, from 0; an embedding takes one tensor id per row.
/// </remarks>
public static class LnsConverter
{
    /// <summary>Converts <paramref name="model"/> (in place) with <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">Bad settings, a weight the synapse format cannot hold, or a field that cannot hold its replacement.</exception>
    public static LnsConversion Convert(nn.Module<Tensor, Tensor> model, LnsConversionSettings settings)
    {
        foreach (var rule in new[] { settings.Linear, settings.Conv2d, settings.Embedding, settings.Attention })
            (rule.Arithmetic ?? settings.Arithmetic).Validate();
        var walk = new Walk(settings);
        var root = walk.Leaf("", model) ?? model;
        if (ReferenceEquals(root, model)) walk.Visit(model, "");
        return new LnsConversion((nn.Module<Tensor, Tensor>)root, walk.Rows);
    }

    private sealed class Walk(LnsConversionSettings s)
    {
        private readonly Dictionary<nn.Module, nn.Module> _done = new(ReferenceEqualityComparer.Instance);
        private uint _tensorId;
        private int _layer;
        public List<ConvertedLayer> Rows { get; } = [];

        public void Visit(nn.Module parent, string path)
        {
            foreach (var (name, child) in parent.named_children().ToList())
            {
                string p = path.Length == 0 ? name : $"{path}.{name}";
                if (_done.TryGetValue(child, out var again))
                {
                    // a layer reached again: its other places may already hold the replacement (one list, say)
                    if (!ReferenceEquals(again, child)) Replace(parent, p, name, child, again, mustHold: false);
                    continue;
                }
                var repl = Leaf(p, child);
                if (repl is not null)
                {
                    if (!ReferenceEquals(repl, child)) Replace(parent, p, name, child, repl);
                    continue;
                }
                if (IsNativeComposite(child))
                {
                    _done[child] = child;
                    Rows.Add(new(p, child.GetType().Name, child.GetType().Name, false, Params(child),
                        "TorchSharp's built-in module runs its forward natively: its layers cannot be replaced (for attention use " +
                        "Hybrid.Training.Models.SelfAttention)"));
                    continue;
                }
                _done[child] = child;
                if (child.named_children().Any()) Visit(child, p);
                else Rows.Add(new(p, child.GetType().Name, child.GetType().Name, false, Params(child), FloatReason(child)));
            }
        }

        /// <summary>The replacement of a convertible module (or the module itself for a product given its arithmetic), or null.</summary>
        public nn.Module? Leaf(string path, nn.Module m)
        {
            string type = m.GetType().Name;
            nn.Module? repl = m switch
            {
                ISynapseLayer or IArithmeticLayer and not ActivationProduct => Existing(path, m),
                TorchSharp.Modules.Linear lin when s.Linear.Convert => Linear(path, lin),
                TorchSharp.Modules.Conv2d conv when s.Conv2d.Convert => Conv(path, conv),
                TorchSharp.Modules.Embedding emb when s.Embedding.Convert => Embedding(path, emb),
                ActivationProduct prod => Product(path, prod),
                TorchSharp.Modules.Linear or TorchSharp.Modules.Conv2d or TorchSharp.Modules.Embedding => Kept(path, m, "its layer type's rule says Convert = false"),
                _ => null,
            };
            if (repl is not null) _done[m] = repl;
            return repl;
        }

        private nn.Module Existing(string path, nn.Module m)
        {
            Rows.Add(new(path, m.GetType().Name, m.GetType().Name, true, Params(m), "already converted; left as it is"));
            return m;
        }

        private nn.Module Kept(string path, nn.Module m, string why)
        {
            Rows.Add(new(path, m.GetType().Name, m.GetType().Name, false, Params(m), why));
            return m;
        }

        private (int Bits, float Gamma, MomentMode Moment, StepArithmetic Arithmetic) Resolve(LayerRule r)
        {
            int bits = r.Bits ?? s.Bits;
            return (bits, r.Gamma ?? s.Gamma ?? LnsModels.DefaultGamma(bits), r.Moment ?? s.Moment, r.Arithmetic ?? s.Arithmetic);
        }

        private string Detail(int bits, float gamma, MomentMode moment, StepArithmetic a) => s.Storage == WeightStorage.Synapses
            ? $"lns{bits}/{gamma} synapses, moment {moment}; {a}"
            : $"float32 master weights; {a}";

        private nn.Module Linear(string path, TorchSharp.Modules.Linear lin)
        {
            var (bits, gamma, moment, a) = Resolve(s.Linear);
            nn.Module repl;
            if (s.Storage == WeightStorage.Synapses)
            {
                var l = new LnsLinear(Name(path), lin, bits, gamma, moment, _tensorId++, s.Backend, s.PScale);
                l.UseArithmetic(a, _layer++, s.Seed);
                repl = l;
            }
            else repl = new QuantizedLinear(Name(path), lin, a, _layer++, s.Seed, s.Backend);
            return Row(path, lin, repl, Detail(bits, gamma, moment, a));
        }

        private nn.Module Conv(string path, TorchSharp.Modules.Conv2d conv)
        {
            var (bits, gamma, moment, a) = Resolve(s.Conv2d);
            nn.Module repl;
            if (s.Storage == WeightStorage.Synapses)
            {
                var l = new LnsConv2d(Name(path), conv, bits, gamma, moment, _tensorId++, s.Backend, s.PScale);
                l.UseArithmetic(a, _layer++, s.Seed);
                repl = l;
            }
            else repl = new QuantizedConv2d(Name(path), conv, a, _layer++, s.Seed, s.Backend);
            return Row(path, conv, repl, Detail(bits, gamma, moment, a));
        }

        private nn.Module Embedding(string path, TorchSharp.Modules.Embedding emb)
        {
            var (bits, gamma, moment, a) = Resolve(s.Embedding);
            nn.Module repl;
            string extra;
            if (s.Storage == WeightStorage.Synapses)
            {
                var l = new LnsEmbedding(Name(path), emb, bits, gamma, moment, _tensorId, s.Backend, s.PScale);
                _tensorId = checked(_tensorId + (uint)l.TensorIds);
                l.UseArithmetic(a, _layer++, s.Seed);
                repl = l;
                extra = moment == MomentMode.PerTensor ? "; dense update (per-tensor moment)" : "; sparse update (rows looked up)";
            }
            else
            {
                repl = new QuantizedEmbedding(Name(path), emb, a, _layer++, s.Seed, s.Backend);
                extra = "";
            }
            return Row(path, emb, repl, Detail(bits, gamma, moment, EmbeddingLookup.Arithmetic(a) ?? StepArithmetic.Off) + extra);
        }

        private nn.Module Product(string path, ActivationProduct prod)
        {
            var a = s.Attention.Arithmetic ?? s.Arithmetic;
            if (!s.Attention.Convert || ActivationProduct.OwnArithmetic(a) is null)
                return Kept(path, prod, s.Attention.Convert ? "no quantiser and fast GEMMs: a float32 product" : "the attention rule says Convert = false");
            prod.UseArithmetic(a, _layer++, s.Seed, s.Backend);
            Rows.Add(new(path, nameof(ActivationProduct), nameof(ActivationProduct), true, 0,
                $"both operands {a.Activations?.ToString() ?? "float32"}, errors {a.Errors?.ToString() ?? "float32"}; GEMM {a.Gemm.ToString().ToLowerInvariant()}"));
            return prod;
        }

        private nn.Module Row(string path, nn.Module from, nn.Module to, string detail)
        {
            Rows.Add(new(path, from.GetType().Name, to.GetType().Name, true, Params(from), detail));
            return to;
        }

        private static string Name(string path) => path.Length == 0 ? "root" : path;
    }

    private static long Params(nn.Module m) => m.parameters().Sum(p => p.numel());

    // TorchSharp's own modules whose forward runs in libtorch as one call: attention, transformer layers, RNNs
    private static bool IsNativeComposite(nn.Module m) =>
        m.GetType().Assembly == typeof(nn.Module).Assembly && !IsContainer(m.GetType()) &&
        (m.named_children().Any() || m is MultiheadAttention || m.GetType().Name is var n &&
            (n.Contains("Transformer", StringComparison.Ordinal) || n.Contains("LSTM", StringComparison.Ordinal) ||
             n.Contains("GRU", StringComparison.Ordinal) || n.StartsWith("RNN", StringComparison.Ordinal)));

    private static bool IsContainer(Type t)
    {
        for (var c = t; c is not null; c = c.BaseType)
            if (c.IsGenericType && (c.GetGenericTypeDefinition() == typeof(ModuleList<>) || c.GetGenericTypeDefinition() == typeof(ModuleDict<>)))
                return true;
        return t == typeof(Sequential);
    }

    private static string FloatReason(nn.Module m) => m switch
    {
        LayerNorm or BatchNorm1d or BatchNorm2d or BatchNorm3d or GroupNorm => "normalisation: float32 by design",
        Softmax or LogSoftmax => "softmax: float32 by design",
        GELU or ReLU or Tanh or Sigmoid or SiLU or LeakyReLU or ELU => "activation: float32 by design",
        MaxPool2d or AvgPool2d or AdaptiveAvgPool2d or MaxPool1d or AvgPool1d => "pooling: float32 by design",
        Flatten or Identity or Dropout => "no arithmetic",
        _ when m.parameters().Any() => $"{m.GetType().Name} has no LNS counterpart: float32",
        _ => "float32 by design (no weights)",
    };

    // the parent's registry entry, and every field, list, array or dictionary of it that held the old module
    private static void Replace(nn.Module parent, string path, string name, nn.Module old, nn.Module repl, bool mustHold = true)
    {
        bool held = false;
        if (Registry.GetValue(parent) is OrderedDict<string, nn.Module> registry && registry.ContainsKey(name))
        {
            registry[name] = repl; // keeps the order
            held = true;
        }
        for (var t = parent.GetType(); t is not null && t != typeof(object); t = t.BaseType)
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            {
                var value = f.GetValue(parent);
                if (ReferenceEquals(value, old))
                {
                    if (!f.FieldType.IsInstanceOfType(repl)) throw Cannot(path, $"field '{f.Name}' of {t.Name}", f.FieldType, repl);
                    f.SetValue(parent, repl);
                    held = true;
                }
                else if (value is IList list)
                    held |= ReplaceInList(list, old, repl, path, $"{f.Name} of {t.Name}");
                else if (value is IDictionary dict)
                    foreach (var key in dict.Keys.Cast<object>().ToList())
                        if (ReferenceEquals(dict[key], old))
                        {
                            try { dict[key] = repl; }
                            catch (ArgumentException) { throw Cannot(path, $"dictionary '{f.Name}' of {t.Name}", dict.GetType(), repl); }
                            held = true;
                        }
            }
        if (!held && mustHold) throw new ArgumentException($"{path}: could not find where {parent.GetType().Name} keeps '{name}', so the LNS layer could not take its place.");
    }

    private static bool ReplaceInList(IList list, nn.Module old, nn.Module repl, string path, string where)
    {
        bool held = false;
        for (int i = 0; i < list.Count; ++i)
        {
            if (!ReferenceEquals(list[i], old)) continue;
            var element = list.GetType().IsArray ? list.GetType().GetElementType()! : list.GetType().GetGenericArguments().FirstOrDefault() ?? typeof(object);
            if (!element.IsInstanceOfType(repl)) throw Cannot(path, $"list '{where}'", element, repl);
            list[i] = repl;
            held = true;
        }
        return held;
    }

    private static ArgumentException Cannot(string path, string where, Type declared, nn.Module repl) =>
        new($"{path}: {where} is declared {declared.Name} and cannot hold the {repl.GetType().Name} that replaces it; " +
            "declare it as nn.Module<Tensor, Tensor>.");

    private static readonly FieldInfo Registry = typeof(nn.Module).GetField("_internal_submodules", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("TorchSharp's Module has no _internal_submodules field: the converter needs updating for this TorchSharp.");
}
