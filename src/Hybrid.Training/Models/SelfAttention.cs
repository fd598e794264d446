using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Models;

/// <summary>
/// Multi-head self-attention over [B, T, d] (causal by default, as a decoder's): q, k, v and output projections
/// (<c>q</c>, <c>k</c>, <c>v</c>, <c>o</c>: linear layers without biases), the scores Q·Kᵀ/√d_head
/// (<c>scores</c>), the causal mask and softmax in float32, and the mix softmax(·)·V (<c>mix</c>). The two
/// products are <see cref="ActivationProduct"/>s, so <see cref="LnsConverter"/> gives them the same quantisers
/// and GEMM mode as the projections, which it turns into <see cref="LnsLinear"/> layers. The projections are held
/// as <c>nn.Module&lt;Tensor, Tensor&gt;</c> so a converted layer takes their place.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>, ILayerWork, INetworkPart
{
    private nn.Module<Tensor, Tensor> q, k, v, o;
    private readonly ActivationProduct scores, mix;

    /// <summary>Attention of <paramref name="heads"/> heads over a model width of <paramref name="dim"/>.</summary>
    public SelfAttention(string name, long dim, int heads, bool causal = true) : base(name)
    {
        if (heads < 1 || dim % heads != 0) throw new ArgumentException($"{name}: width {dim} must be a multiple of the {heads} heads.");
        Dim = dim;
        Heads = heads;
        Causal = causal;
        q = nn.Linear(dim, dim, hasBias: false);
        k = nn.Linear(dim, dim, hasBias: false);
        v = nn.Linear(dim, dim, hasBias: false);
        o = nn.Linear(dim, dim, hasBias: false);
        scores = new ActivationProduct("scores");
        mix = new ActivationProduct("mix");
        RegisterComponents();
    }

    /// <summary>Model width.</summary>
    public long Dim { get; }
    /// <summary>Heads.</summary>
    public int Heads { get; }
    /// <summary>Whether position t attends only to positions ≤ t.</summary>
    public bool Causal { get; }
    /// <summary>The output projection (GPT-2 scales its initialisation by 1/√(2·layers)).</summary>
    public nn.Module<Tensor, Tensor> Output => o;
    /// <summary>The two products (scores Q·Kᵀ, mix P·V).</summary>
    public (ActivationProduct Scores, ActivationProduct Mix) Products => (scores, mix);

    /// <summary>[B, T, d] → [B, T, d].</summary>
    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 3 || x.shape[2] != Dim) throw new ArgumentException($"{GetName()}: attention takes [B, T, {Dim}], got [{string.Join(", ", x.shape)}].");
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], dh = Dim / Heads;
        Tensor Heads_(Tensor y) => y.reshape(b, t, Heads, dh).transpose(1, 2); // [B, H, T, dh]
        var qh = Heads_(q.call(x));
        var kh = Heads_(k.call(x));
        var vh = Heads_(v.call(x));
        using var scale = (1.0 / Math.Sqrt(dh)).ToScalar();
        var s = scores.call(qh, kh.transpose(-2, -1)).mul(scale); // [B, H, T, T]
        if (Causal)
        {
            using var mask = torch.ones(t, t, ScalarType.Bool, device: x.device).triu(1);
            s = s.masked_fill(mask, TorchScalars.NegativeInfinity);
        }
        var p = s.softmax(-1);
        var y = mix.call(p, vh).transpose(1, 2).reshape(b, t, Dim);
        return o.call(y).MoveToOuterDisposeScope();
    }

    /// <summary>The two products and the float operations between them (the projections describe themselves).</summary>
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad)
    {
        long b = inputShape[0], t = inputShape[1], dh = Dim / Heads, bh = b * Heads, st = bh * t * t;
        var qk = LayerWorks.Product(path + ".scores", nameof(ActivationProduct), ("Q·Kᵀ", "∂Q = e·K", "∂K = eᵀ·Q"), bh, t, dh, t,
            Lns.StepFormats.Of(scores.Arithmetic), "Q", "K");
        var pv = LayerWorks.Product(path + ".mix", nameof(ActivationProduct), ("P·V", "∂P = e·Vᵀ", "∂V = Pᵀ·e"), bh, t, t, dh,
            Lns.StepFormats.Of(mix.Arithmetic), "P", "V");
        var ops = new List<FloatWork>
        {
            new(Pass.Forward, FloatOp.Scale, "scores / √d_head", st), new(Pass.BackwardData, FloatOp.Scale, "scores / √d_head", st),
            new(Pass.Forward, FloatOp.Softmax, "softmax", st), new(Pass.BackwardData, FloatOp.Softmax, "softmax", st),
        };
        if (Causal) ops.AddRange([new(Pass.Forward, FloatOp.Mask, "causal mask", st), new(Pass.BackwardData, FloatOp.Mask, "causal mask", st)]);
        return new LayerWork(path, nameof(SelfAttention), [.. qk.Gemms, .. pv.Gemms], [.. qk.Quantizers, .. pv.Quantizers], ops, [],
            [.. qk.Kept, .. pv.Kept, new KeptTensor("softmax output", st, 32, "fp32")], null, 0);
    }

    /// <summary>
    /// The q, k and v projections (as traced), the two products as one attention layer of the ledger reading their outputs
    /// (formats from the products' arithmetic), whose output the output projection reads. As trained: all T² scores computed
    /// and S, P stored, unless the options ask for the masked scores skipped or FlashAttention's fusion.
    /// </summary>
    public void Describe(NetworkBuilder network, TracedCall call)
    {
        foreach (var m in new[] { q, k, v }) network.Emit(call.Child(m));
        var formats = NetworkBuilder.FormatsOf(scores);
        if (NetworkBuilder.FormatsOf(mix) != formats)
            throw new NotSupportedException($"{call.Path}: the ledger gives one attention layer one format; its products differ.");
        var output = call.Child(o);
        long t = call.InputShape[1];
        network.Add(new AttentionSpec(NetworkBuilder.Join(call.Path, "products"), network.Name(call.Child(q).Output, call), network.Name(call.Child(k).Output, call),
            network.Name(call.Child(v).Output, call), network.OutputName(NetworkBuilder.Join(call.Path, "products"), output.Input), Heads, t, Dim / Heads,
            Causal && network.Options.SkipMaskedScores, network.Options.FusedAttention) { Formats = formats }, output.Input);
        network.Emit(output);
    }
}
