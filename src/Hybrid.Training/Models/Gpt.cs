using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Models;

/// <summary>
/// One pre-norm transformer block: x ← x + attn(ln1(x)); x ← x + fc2(gelu(fc1(ln2(x)))), the MLP 4× wide.
/// Layers without biases and LayerNorms without bias (nanoGPT's <c>bias=False</c>): a zero-initialised bias never
/// moves under Madam's multiplicative update, so the model has none.
/// </summary>
public sealed class GptBlock : nn.Module<Tensor, Tensor>, ILayerWork, INetworkPart
{
    private readonly LayerNorm ln1, ln2;
    private readonly SelfAttention attn;
    private nn.Module<Tensor, Tensor> fc1, fc2;
    private readonly nn.Module<Tensor, Tensor> act;

    /// <summary>A block of width <paramref name="dim"/> with <paramref name="heads"/> heads.</summary>
    public GptBlock(string name, long dim, int heads) : base(name)
    {
        ln1 = nn.LayerNorm(dim, bias: false);
        attn = new SelfAttention("attn", dim, heads);
        ln2 = nn.LayerNorm(dim, bias: false);
        fc1 = nn.Linear(dim, 4 * dim, hasBias: false);
        act = nn.GELU();
        fc2 = nn.Linear(4 * dim, dim, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The attention.</summary>
    public SelfAttention Attention => attn;
    /// <summary>The MLP's output projection (scaled at initialisation like attention's).</summary>
    public nn.Module<Tensor, Tensor> MlpOutput => fc2;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = x.Plus(attn.call(ln1.call(x)));
        return h.Plus(fc2.call(act.call(fc1.call(ln2.call(h))))).MoveToOuterDisposeScope();
    }

    /// <summary>The two residual adds (the sublayers describe themselves).</summary>
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad)
    {
        long n = inputShape.Aggregate(1L, (a, b) => a * b);
        return LayerWork.Floats(path, nameof(GptBlock),
        [
            new(Pass.Forward, FloatOp.ResidualAdd, "x + attn", n), new(Pass.BackwardData, FloatOp.ResidualAdd, "x + attn", n),
            new(Pass.Forward, FloatOp.ResidualAdd, "h + mlp", n), new(Pass.BackwardData, FloatOp.ResidualAdd, "h + mlp", n),
        ], []);
    }

    /// <summary>ln1 and attention, the add x + attn (the tensor ln2 reads), ln2 and the MLP, the add h + mlp (the output).</summary>
    public void Describe(NetworkBuilder network, TracedCall call)
    {
        network.Emit(call.Child(ln1));
        network.Emit(call.Child(attn));
        var norm2 = call.Child(ln2);
        string h = network.Residual(NetworkBuilder.Join(call.Path, "add1"), network.Name(call.Child(attn).Output, call), network.Name(call.Input, call),
            norm2.Input, norm2.InputShape);
        foreach (var m in new nn.Module[] { ln2, fc1, act, fc2 }) network.Emit(call.Child(m));
        network.Residual(NetworkBuilder.Join(call.Path, "add2"), network.Name(call.Child(fc2).Output, call), h, call.Output, call.OutputShape);
    }
}

/// <summary>
/// A character-level decoder-only transformer (GPT-2's shape, after nanoGPT): token and learned position
/// embeddings (<c>tok</c>, <c>pos</c>), <c>blocks.0…</c> (<see cref="GptBlock"/>), a final LayerNorm
/// (<c>ln_f</c>) and an untied output layer (<c>head</c>) to logits [B, T, vocabulary]. GPT-2's initialisation:
/// every weight N(0, 0.02²), the residual projections (attention's and the MLP's outputs) N(0, (0.02/√(2L))²).
/// Input: token ids [B, T] (int64, T ≤ the context).
/// </summary>
public sealed class Gpt : nn.Module<Tensor, Tensor>, ILayerWork, INetworkPart
{
    private nn.Module<Tensor, Tensor> tok, pos, head;
    private readonly ModuleList<GptBlock> blocks;
    private readonly LayerNorm ln_f;

    /// <summary>A model of <paramref name="layers"/> blocks of width <paramref name="dim"/>, <paramref name="heads"/> heads,
    /// over <paramref name="vocabulary"/> tokens and contexts up to <paramref name="context"/>.</summary>
    public Gpt(long vocabulary, long context, int layers, long dim, int heads) : base(nameof(Gpt))
    {
        Vocabulary = vocabulary;
        Context = context;
        Dim = dim;
        tok = nn.Embedding(vocabulary, dim);
        pos = nn.Embedding(context, dim);
        blocks = nn.ModuleList(Enumerable.Range(0, layers).Select(i => new GptBlock($"block{i}", dim, heads)).ToArray());
        ln_f = nn.LayerNorm(dim, bias: false);
        head = nn.Linear(dim, vocabulary, hasBias: false);
        RegisterComponents();
        using var noGrad = torch.no_grad();
        double residual = 0.02 / Math.Sqrt(2.0 * Math.Max(layers, 1));
        foreach (var (name, p) in named_parameters())
        {
            if (name.Contains("ln")) continue; // LayerNorm gains stay 1
            bool projection = name.EndsWith("attn.o.weight", StringComparison.Ordinal) || name.EndsWith("fc2.weight", StringComparison.Ordinal);
            nn.init.normal_(p, 0, projection ? residual : 0.02);
        }
    }

    /// <summary>Tokens.</summary>
    public long Vocabulary { get; }
    /// <summary>The longest context.</summary>
    public long Context { get; }
    /// <summary>Model width.</summary>
    public long Dim { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor idx)
    {
        if (idx.dim() != 2 || idx.shape[1] > Context)
            throw new ArgumentException($"the GPT takes token ids [B, T] with T ≤ {Context}, got [{string.Join(", ", idx.shape)}].");
        using var scope = torch.NewDisposeScope();
        using var stop = idx.shape[1].ToScalar();
        using var positions = torch.arange(stop, ScalarType.Int64, device: idx.device);
        var x = tok.call(idx).Plus(pos.call(positions));
        foreach (var block in blocks) x = block.call(x);
        return head.call(ln_f.call(x)).MoveToOuterDisposeScope();
    }

    /// <summary>The add of token and position embeddings (the layers describe themselves).</summary>
    public LayerWork Work(string path, long[] inputShape, bool inputNeedsGrad)
    {
        long n = inputShape.Aggregate(1L, (a, b) => a * b) * Dim;
        return LayerWork.Floats(path, nameof(Gpt), [new(Pass.Forward, FloatOp.EmbeddingAdd, "tok + pos", n)], []);
    }

    /// <summary>The token embedding with the position table added (one embedding layer of the ledger, the positions its
    /// added table), whose sum the first block reads; then the blocks, ln_f and the head as traced.</summary>
    public void Describe(NetworkBuilder network, TracedCall call)
    {
        var t = call.Child(tok);
        var p = call.Child(pos);
        int next = call.Children.IndexOf(p) + 1;
        var sum = call.Children[next].Input;
        network.Add(network.EmbeddingOf(t, [Context], sum), sum);
        foreach (var child in call.Children.Skip(next)) network.Emit(child);
    }
}
