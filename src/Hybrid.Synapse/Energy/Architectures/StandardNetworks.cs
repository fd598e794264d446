namespace Hybrid.Synapse.Energy.Architectures;

/// <summary>
/// The shapes of standard architectures at their real input sizes, written from their definitions, for the ledger:
/// ResNet-18 and ResNet-50 (He et al., CVPR 2016, as torchvision builds them: stride in the bottleneck's 3×3 conv, 224×224
/// ImageNet inputs, 1000 classes), BERT-base with its masked-LM head (Devlin et al., NAACL 2019, as HuggingFace's
/// BertForMaskedLM: 12 layers, d = 768, 12 heads, FFN 3072, vocabulary 30522, sequence 512, decoder tied to the word
/// embeddings) and GPT-2 small (Radford et al., 2019, as HuggingFace's GPT2LMHeadModel: 12 layers, d = 768, 12 heads,
/// vocabulary 50257, context 1024, pre-LN, output projection tied to the token embedding). Dropout and the
/// running statistics of batch norm are not counted; attention is fused (FlashAttention-style) unless asked otherwise.
/// </summary>
public static class StandardNetworks
{
    /// <summary>Valid names.</summary>
    public static readonly IReadOnlyList<string> Names = ["resnet18", "resnet50", "bert-base", "gpt2-small"];

    /// <summary>The network called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the valid ones.</exception>
    public static NetworkSpec Get(string name, bool fusedAttention = true) => name.Trim().ToLowerInvariant() switch
    {
        "resnet18" => ResNet18(),
        "resnet50" => ResNet50(),
        "bert-base" => BertBase(fusedAttention),
        "gpt2-small" => Gpt2Small(fusedAttention),
        _ => throw new ArgumentException($"--model '{name}' is unknown; valid: {string.Join(", ", Names)}.", "model"),
    };

    /// <summary>ResNet-18: basic blocks [2, 2, 2, 2].</summary>
    public static NetworkSpec ResNet18() => ResNet("resnet18", [2, 2, 2, 2], bottleneck: false);

    /// <summary>ResNet-50: bottleneck blocks [3, 4, 6, 3].</summary>
    public static NetworkSpec ResNet50() => ResNet("resnet50", [3, 4, 6, 3], bottleneck: true);

    private static NetworkSpec ResNet(string name, int[] blocks, bool bottleneck, long classes = 1000, long size = 224)
    {
        var b = new ImageBuilder(3, size, size);
        b.Conv("conv1", 64, 7, 2, 3);
        b.BatchNorm("bn1", Activation.Relu);
        b.MaxPool("maxpool", 3, 2, 1);
        long inplanes = 64;
        int expansion = bottleneck ? 4 : 1;
        for (int stage = 0; stage < 4; ++stage)
        {
            long planes = 64L << stage;
            for (int block = 0; block < blocks[stage]; ++block)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                string p = $"layer{stage + 1}.{block}";
                string x = b.Current;
                var (c0, h0, w0) = b.Shape;
                if (bottleneck)
                {
                    b.Conv($"{p}.conv1", planes, 1, 1, 0);
                    b.BatchNorm($"{p}.bn1", Activation.Relu);
                    b.Conv($"{p}.conv2", planes, 3, stride, 1);
                    b.BatchNorm($"{p}.bn2", Activation.Relu);
                    b.Conv($"{p}.conv3", planes * expansion, 1, 1, 0);
                    b.BatchNorm($"{p}.bn3");
                }
                else
                {
                    b.Conv($"{p}.conv1", planes, 3, stride, 1);
                    b.BatchNorm($"{p}.bn1", Activation.Relu);
                    b.Conv($"{p}.conv2", planes, 3, 1, 1);
                    b.BatchNorm($"{p}.bn2");
                }
                string branch = b.Current;
                var shape = b.Shape;
                string skip = x;
                if (stride != 1 || inplanes != planes * expansion)
                {
                    b.At(x, (c0, h0, w0));
                    b.Conv($"{p}.downsample.0", planes * expansion, 1, stride, 0);
                    b.BatchNorm($"{p}.downsample.1");
                    skip = b.Current;
                }
                b.At(branch, shape);
                b.Add($"{p}.add", skip, Activation.Relu);
                inplanes = planes * expansion;
            }
        }
        b.GlobalAvgPool("avgpool");
        b.Linear("fc", classes, bias: true, rows: 1, input: b.Current, inFeatures: inplanes);
        b.Loss(classes, 1);
        return new NetworkSpec(name, new DataInput("images", 3 * size * size, 1, true, 2), b.Layers);
    }

    /// <summary>BERT-base with the masked-LM head at sequence length <paramref name="tokens"/>.</summary>
    public static NetworkSpec BertBase(bool fusedAttention = true, long tokens = 512)
    {
        const long d = 768, vocab = 30522, ffn = 3072, heads = 12;
        var layers = new List<LayerSpec>
        {
            new EmbeddingSpec("embeddings", "tokens", "embeddings.sum", vocab, d, tokens, [512, 2]),
            new FloatOpSpec("embeddings.norm", FloatOpKind.LayerNorm, ["embeddings.sum"], "h0", tokens * d, d),
        };
        string h = "h0";
        for (int l = 0; l < 12; ++l)
        {
            string p = $"layer{l}";
            layers.AddRange(Attention(p, h, tokens, d, heads, causal: false, fusedAttention, out string attn));
            layers.Add(new FloatOpSpec($"{p}.add1", FloatOpKind.ResidualAdd, [attn, h], $"{p}.sum1", tokens * d, d));
            layers.Add(new FloatOpSpec($"{p}.norm1", FloatOpKind.LayerNorm, [$"{p}.sum1"], $"{p}.h1", tokens * d, d));
            layers.Add(new LinearSpec($"{p}.ffn.in", $"{p}.h1", $"{p}.ffn.act", d, ffn, tokens, true, Activation.Gelu));
            layers.Add(new LinearSpec($"{p}.ffn.out", $"{p}.ffn.act", $"{p}.ffn.y", ffn, d, tokens));
            layers.Add(new FloatOpSpec($"{p}.add2", FloatOpKind.ResidualAdd, [$"{p}.ffn.y", $"{p}.h1"], $"{p}.sum2", tokens * d, d));
            layers.Add(new FloatOpSpec($"{p}.norm2", FloatOpKind.LayerNorm, [$"{p}.sum2"], $"h{l + 1}", tokens * d, d));
            h = $"h{l + 1}";
        }
        // the masked-LM head: dense + GELU + LayerNorm, then the decoder tied to the word embeddings (its own bias)
        layers.Add(new LinearSpec("mlm.dense", h, "mlm.act", d, d, tokens, true, Activation.Gelu));
        layers.Add(new FloatOpSpec("mlm.norm", FloatOpKind.LayerNorm, ["mlm.act"], "mlm.h", tokens * d, d));
        layers.Add(new LinearSpec("mlm.decoder", "mlm.h", "logits", d, vocab, tokens, true, SharedWeights: "embeddings.weights"));
        layers.Add(new FloatOpSpec("loss", FloatOpKind.SoftmaxCrossEntropy, ["logits"], null, tokens * vocab, vocab));
        return new NetworkSpec("bert-base", new DataInput("tokens", tokens, 2, false, 2.0 * tokens), layers);
    }

    /// <summary>GPT-2 small at context <paramref name="tokens"/>.</summary>
    public static NetworkSpec Gpt2Small(bool fusedAttention = true, long tokens = 1024)
    {
        const long d = 768, vocab = 50257, ffn = 3072, heads = 12;
        var layers = new List<LayerSpec> { new EmbeddingSpec("wte", "tokens", "h0", vocab, d, tokens, [1024]) };
        string h = "h0";
        for (int l = 0; l < 12; ++l)
        {
            string p = $"h.{l}";
            layers.Add(new FloatOpSpec($"{p}.ln_1", FloatOpKind.LayerNorm, [h], $"{p}.x1", tokens * d, d));
            layers.AddRange(Attention(p, $"{p}.x1", tokens, d, heads, causal: true, fusedAttention, out string attn));
            layers.Add(new FloatOpSpec($"{p}.add1", FloatOpKind.ResidualAdd, [attn, h], $"{p}.r1", tokens * d, d));
            layers.Add(new FloatOpSpec($"{p}.ln_2", FloatOpKind.LayerNorm, [$"{p}.r1"], $"{p}.x2", tokens * d, d));
            layers.Add(new LinearSpec($"{p}.mlp.c_fc", $"{p}.x2", $"{p}.mlp.act", d, ffn, tokens, true, Activation.Gelu));
            layers.Add(new LinearSpec($"{p}.mlp.c_proj", $"{p}.mlp.act", $"{p}.mlp.y", ffn, d, tokens));
            layers.Add(new FloatOpSpec($"{p}.add2", FloatOpKind.ResidualAdd, [$"{p}.mlp.y", $"{p}.r1"], $"h{l + 1}", tokens * d, d));
            h = $"h{l + 1}";
        }
        layers.Add(new FloatOpSpec("ln_f", FloatOpKind.LayerNorm, [h], "hf", tokens * d, d));
        layers.Add(new LinearSpec("lm_head", "hf", "logits", d, vocab, tokens, false, SharedWeights: "wte.weights"));
        layers.Add(new FloatOpSpec("loss", FloatOpKind.SoftmaxCrossEntropy, ["logits"], null, tokens * vocab, vocab));
        return new NetworkSpec("gpt2-small", new DataInput("tokens", tokens, 2, false, 2.0 * tokens), layers);
    }

    /// <summary>Self-attention on <paramref name="x"/>: a fused q/k/v projection, the two products, the output projection.</summary>
    public static IEnumerable<LayerSpec> Attention(string p, string x, long tokens, long d, long heads, bool causal, bool fused, out string output)
    {
        output = $"{p}.attn.y";
        return
        [
            new LinearSpec($"{p}.attn.qkv", x, $"{p}.attn.qkv", d, 3 * d, tokens),
            new AttentionSpec($"{p}.attn.products", $"{p}.attn.qkv", $"{p}.attn.qkv", $"{p}.attn.qkv", $"{p}.attn.o", heads, tokens, d / heads, causal, fused),
            new LinearSpec($"{p}.attn.proj", $"{p}.attn.o", output, d, d, tokens),
        ];
    }

    /// <summary>Builds a chain of image layers, tracking the current tensor and its C×H×W shape.</summary>
    public sealed class ImageBuilder(long channels, long height, long width, string input = "images")
    {
        private readonly List<LayerSpec> _layers = [];

        /// <summary>The layers so far.</summary>
        public IReadOnlyList<LayerSpec> Layers => _layers;
        /// <summary>The tensor the next layer reads.</summary>
        public string Current { get; private set; } = input;
        /// <summary>Its shape.</summary>
        public (long C, long H, long W) Shape { get; private set; } = (channels, height, width);

        /// <summary>Continue from <paramref name="tensor"/> of <paramref name="shape"/>.</summary>
        public void At(string tensor, (long, long, long) shape) { Current = tensor; Shape = shape; }

        /// <summary>A K×K convolution without bias.</summary>
        public void Conv(string name, long outChannels, int kernel, int stride, int padding, Activation act = Activation.None)
        {
            var (c, h, w) = Shape;
            var conv = new Conv2dSpec(name, Current, $"{name}.out", c, outChannels, h, w, kernel, stride, padding, Activation: act);
            Push(conv, (outChannels, conv.OutHeight, conv.OutWidth));
        }

        /// <summary>Batch norm (with an activation).</summary>
        public void BatchNorm(string name, Activation act = Activation.None)
        {
            var (c, h, w) = Shape;
            Push(new FloatOpSpec(name, FloatOpKind.BatchNorm, [Current], $"{name}.out", c * h * w, c, act), Shape);
        }

        /// <summary>Max pooling.</summary>
        public void MaxPool(string name, int kernel, int stride, int padding)
        {
            var (c, h, w) = Shape;
            long oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1;
            Push(new FloatOpSpec(name, FloatOpKind.MaxPool, [Current], $"{name}.out", c * oh * ow, c, Activation.None, kernel, stride, padding), (c, oh, ow));
        }

        /// <summary>The current tensor plus <paramref name="other"/>.</summary>
        public void Add(string name, string other, Activation act)
        {
            var (c, h, w) = Shape;
            Push(new FloatOpSpec(name, FloatOpKind.ResidualAdd, [Current, other], $"{name}.out", c * h * w, c, act), Shape);
        }

        /// <summary>Global average pooling to C values.</summary>
        public void GlobalAvgPool(string name)
        {
            var (c, _, _) = Shape;
            Push(new FloatOpSpec(name, FloatOpKind.GlobalAvgPool, [Current], $"{name}.out", c, c), (c, 1, 1));
        }

        /// <summary>A linear layer on <paramref name="rows"/> rows of <paramref name="inFeatures"/>.</summary>
        public void Linear(string name, long outFeatures, bool bias, long rows, string input, long inFeatures, Activation act = Activation.None) =>
            Push(new LinearSpec(name, input, name == "fc" ? "logits" : $"{name}.out", inFeatures, outFeatures, rows, bias, act), (outFeatures, 1, 1));

        /// <summary>The softmax cross-entropy loss on the current tensor.</summary>
        public void Loss(long classes, long rows) =>
            _layers.Add(new FloatOpSpec("loss", FloatOpKind.SoftmaxCrossEntropy, [Current], null, classes * rows, classes));

        private void Push(LayerSpec layer, (long, long, long) shape)
        {
            _layers.Add(layer);
            Current = layer.Writes!;
            Shape = shape;
        }
    }
}
