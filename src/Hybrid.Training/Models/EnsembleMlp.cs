using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Models;

/// <summary>
/// k MLPs of one <see cref="ModelSpec"/> held as batched weights — every layer one
/// [k, out, in] tensor (biases [k, out]) — and evaluated by one batched forward, so an ensemble
/// of small networks costs a few large matrix products instead of k small runs. Member i is
/// exactly the network <see cref="ModelFactory.Build"/> makes from (spec, seeds[i]): its weights
/// are copied from that model, and its forward computes the same function (hidden layers
/// Linear → the spec's activation, then the output layer).
/// </summary>
/// <remarks>
/// Parameter names follow the MLP's (<c>fc1.weight</c>, …, <c>out.weight</c>) with the member as
/// the leading dimension. Train with <c>Nero(…, ensembleDims: 1)</c> so that each member's rows are
/// normalised on their own. The sum of per-member losses has, for member i, exactly member i's
/// own gradient, so one backward trains k independent networks.
/// </remarks>
public sealed class EnsembleMlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<EnsembleLinear> _layers;
    private readonly nn.Module<Tensor, Tensor> _activation;

    private EnsembleMlp(ModelSpec spec, List<EnsembleLinear> layers) : base(nameof(EnsembleMlp))
    {
        Spec = spec;
        Members = (int)layers[0].weight.shape[0];
        _layers = nn.ModuleList(layers.ToArray());
        _activation = ModelFactory.ActivationModule(spec.Activation);
        // Registered by hand so that the parameter names are the MLP's (fc1.weight, …, out.weight).
        for (int i = 0; i < layers.Count; ++i) register_module(LayerName(i, layers.Count), layers[i]);
    }

    /// <summary>The spec every member shares.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The number of members k.</summary>
    public int Members { get; }

    /// <summary>
    /// Builds the ensemble of the MLPs <c>ModelFactory.Build(spec, seeds[i])</c>, i = 0…k−1.
    /// </summary>
    /// <exception cref="ArgumentException">The spec is not a valid MLP spec, or no seeds are given.</exception>
    public static EnsembleMlp Build(ModelSpec spec, IReadOnlyList<long> seeds, Device? device = null)
    {
        spec.Validate();
        if (spec.Kind != ModelKind.Mlp) throw new ArgumentException($"an ensemble is built of MLPs, not {spec.Kind}.", nameof(spec));
        if (seeds.Count == 0) throw new ArgumentException("an ensemble needs at least one member (seed).", nameof(seeds));
        int layerCount = spec.Depth + 1;
        var weights = Enumerable.Range(0, layerCount).Select(_ => new List<Tensor>()).ToArray();
        var biases = Enumerable.Range(0, layerCount).Select(_ => new List<Tensor>()).ToArray();
        foreach (long seed in seeds)
        {
            using var member = ModelFactory.Build(spec, seed);
            var named = member.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            for (int i = 0; i < layerCount; ++i)
            {
                string name = LayerName(i, layerCount);
                weights[i].Add(named[$"{name}.weight"].detach().clone());
                if (spec.Bias) biases[i].Add(named[$"{name}.bias"].detach().clone());
            }
        }
        var layers = new List<EnsembleLinear>();
        for (int i = 0; i < layerCount; ++i)
        {
            var w = torch.stack(weights[i]);
            var b = spec.Bias ? torch.stack(biases[i]) : null;
            foreach (var t in weights[i].Concat(biases[i])) t.Dispose();
            layers.Add(new EnsembleLinear(w, b));
        }
        var model = new EnsembleMlp(spec, layers);
        if (device is not null && device.type != DeviceType.CPU) model.to(device);
        return model;
    }

    /// <summary>The outputs of every member, [k, B, classes], for one batch [B, ..InputShape] shared by all members.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var h = input.reshape(input.shape[0], -1);
        for (int i = 0; i < _layers.Count; ++i)
        {
            h = _layers[i].forward(h);
            if (i < _layers.Count - 1) h = _activation.forward(h);
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>The Frobenius norm of every member's every layer: [k, layers] (for normalised margins).</summary>
    public Tensor LayerNorms()
    {
        using var _ = torch.no_grad();
        return torch.stack(_layers.Select(l => l.weight.detach().reshape(Members, -1).norm(1, keepdim: false)).ToArray(), 1);
    }

    private static string LayerName(int index, int count) => index == count - 1 ? "out" : $"fc{index + 1}";

    /// <summary>One linear layer of every member: weight [k, out, in], optional bias [k, out].</summary>
    private sealed class EnsembleLinear : nn.Module<Tensor, Tensor>
    {
        public readonly Parameter weight;
        public readonly Parameter? bias;

        public EnsembleLinear(Tensor w, Tensor? b) : base(nameof(EnsembleLinear))
        {
            weight = new Parameter(w, requires_grad: true);
            bias = b is null ? null : new Parameter(b, requires_grad: true);
            RegisterComponents();
        }

        // [B, in] shared by all members: one [B, in] × [in, k·out] product; [k, B, in]: a batched product.
        public override Tensor forward(Tensor x)
        {
            long k = weight.shape[0], output = weight.shape[1];
            Tensor y = x.dim() == 2
                ? x.matmul(weight.reshape(k * output, -1).t()).reshape(x.shape[0], k, output).permute(1, 0, 2)
                : torch.bmm(x, weight.transpose(1, 2));
            return bias is null ? y : y + bias.unsqueeze(1);
        }
    }
}
