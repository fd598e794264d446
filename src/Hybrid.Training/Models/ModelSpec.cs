namespace Hybrid.Training.Models;

/// <summary>The model families <see cref="ModelFactory"/> builds.</summary>
public enum ModelKind
{
    /// <summary>A multilayer perceptron over the flattened input.</summary>
    Mlp,

    /// <summary>A small CNN for image input: two 3×3 convolutions (32 and 64 channels, each
    /// followed by the activation and a 2×2 max-pool), then an MLP head.</summary>
    Cnn,

    /// <summary>An MLP whose hidden layers after the first add their output to their input,
    /// h ← h + act(W·h + b) (<see cref="ResidualMlp"/>); the plain MLP's parameters.</summary>
    ResidualMlp,

    /// <summary>A small pre-activation ResNet for images (<see cref="PreActResNet"/>): three stages of widths 16, 32,
    /// 64; <see cref="ModelSpec.Depth"/> blocks per stage (ResNet-(6·depth + 2)).</summary>
    ResNet,

    /// <summary>A character-level decoder-only transformer (<see cref="Models.Gpt"/>): <see cref="ModelSpec.Depth"/>
    /// blocks of width <see cref="ModelSpec.Width"/> and <see cref="ModelSpec.Heads"/> heads; input token ids
    /// [context], <see cref="ModelSpec.Classes"/> the vocabulary.</summary>
    Gpt,
}

/// <summary>Hidden-layer nonlinearities.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>x·Φ(x) (exact, erf-based GELU).</summary>
    Gelu,

    /// <summary>relu(x)·√2: the margin experiments' activation (SCIENCE.md Part I), which keeps
    /// E‖h‖² unchanged through a layer with weights of variance 1/fan_in.</summary>
    ReluSqrt2,
}

/// <summary>
/// What model to build: family, shape, activation, biases and initial scale. Validate with
/// <see cref="Validate"/> (the factory does); parse user-facing names with
/// <see cref="ParseKind"/> and <see cref="ParseActivation"/>.
/// </summary>
/// <param name="Kind">MLP, CNN or residual MLP.</param>
/// <param name="InputShape">One example's shape: [features], or [channels, rows, columns] (required for the CNN).</param>
/// <param name="Classes">Outputs (logits); 1 is allowed for a scalar-output binary model.</param>
/// <param name="Depth">MLP and residual MLP: hidden layers (0 = a linear model). CNN: hidden fully connected layers after the convolutions.</param>
/// <param name="Width">Units per hidden fully connected layer.</param>
/// <param name="Activation">The hidden nonlinearity.</param>
/// <param name="Bias">Whether linear and convolution layers have biases.</param>
/// <param name="InitScale">Every parameter's default TorchSharp initialisation is multiplied by this (&gt; 0).</param>
/// <param name="Heads">GPT: attention heads (the width must be a multiple).</param>
/// <remarks>ResNet: <see cref="Depth"/> is blocks per stage, <see cref="Width"/> is unused (the stages are 16, 32, 64 wide),
/// <see cref="Bias"/> applies to the output layer (convolutions have none: batch norm follows). GPT: <see cref="InputShape"/>
/// is [context], <see cref="Classes"/> the vocabulary, <see cref="Depth"/> the blocks, <see cref="Width"/> the model width;
/// <see cref="Activation"/> and <see cref="Bias"/> are unused (GELU, no biases).</remarks>
public sealed partial record ModelSpec(
    ModelKind Kind, long[] InputShape, int Classes,
    int Depth = 2, int Width = 256, Activation Activation = Activation.Relu, bool Bias = true, double InitScale = 1.0, int Heads = 4)
{
    /// <summary>Valid names for <see cref="ParseKind"/>.</summary>
    public static readonly IReadOnlyList<string> KindNames = ["mlp", "cnn", "residual-mlp", "resnet", "gpt"];

    /// <summary>Valid names for <see cref="ParseActivation"/> (the first spelling of each).</summary>
    public static readonly IReadOnlyList<string> ActivationNames = ["relu", "tanh", "gelu", "relu-sqrt2"];

    /// <summary>Channels of the CNN's two convolutions.</summary>
    public const int CnnChannels1 = 32, CnnChannels2 = 64;

    /// <summary>
    /// The bias-free MLP of the margin experiments' control recipe: hidden layers relu(·)·√2,
    /// no biases (so f is positively homogeneous and the normalised margin is well defined).
    /// </summary>
    public static ModelSpec MarginMlp(long[] inputShape, int classes, int depth, int width) =>
        new(ModelKind.Mlp, inputShape, classes, depth, width, Activation.ReluSqrt2, Bias: false);

    /// <summary>Parses "mlp", "cnn", "residual-mlp", "resnet" or "gpt" (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static ModelKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "mlp" => ModelKind.Mlp,
        "cnn" => ModelKind.Cnn,
        "residual-mlp" => ModelKind.ResidualMlp,
        "resnet" => ModelKind.ResNet,
        "gpt" => ModelKind.Gpt,
        _ => throw new ArgumentException($"unknown model '{name}'; valid: {string.Join(", ", KindNames)}.", nameof(name)),
    };

    /// <summary>Parses "relu", "tanh", "gelu" or "relu-sqrt2" (also "relu_sqrt2", "relusqrt2"; case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static Activation ParseActivation(string name) => name.Trim().ToLowerInvariant() switch
    {
        "relu" => Activation.Relu,
        "tanh" => Activation.Tanh,
        "gelu" => Activation.Gelu,
        "relu-sqrt2" or "relu_sqrt2" or "relusqrt2" => Activation.ReluSqrt2,
        _ => throw new ArgumentException($"unknown activation '{name}'; valid: {string.Join(", ", ActivationNames)}.", nameof(name)),
    };

    /// <summary>The user-facing name of an activation ("relu-sqrt2", …).</summary>
    public static string NameOf(Activation activation) => activation switch
    {
        Activation.Relu => "relu",
        Activation.Tanh => "tanh",
        Activation.Gelu => "gelu",
        Activation.ReluSqrt2 => "relu-sqrt2",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation,
            $"unknown activation; valid: {string.Join(", ", ActivationNames)}."),
    };

    /// <summary>The number of input features (product of <see cref="InputShape"/>).</summary>
    public long InputSize => InputShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Checks every field; throws <see cref="ArgumentException"/> naming the field, the value and what is valid.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentException($"unknown model kind {(int)Kind}; valid: {string.Join(", ", KindNames)}.", nameof(Kind));
        if (!Enum.IsDefined(Activation))
            throw new ArgumentException($"unknown activation {(int)Activation}; valid: {string.Join(", ", ActivationNames)}.", nameof(Activation));
        if (Depth < 0) throw new ArgumentException($"depth must be ≥ 0 (hidden layers), got {Depth}.", nameof(Depth));
        if (Width < 1) throw new ArgumentException($"width must be ≥ 1, got {Width}.", nameof(Width));
        if (Classes < 1) throw new ArgumentException($"classes (outputs) must be ≥ 1, got {Classes}.", nameof(Classes));
        if (!(InitScale > 0) || double.IsInfinity(InitScale))
            throw new ArgumentException($"init scale must be positive and finite, got {InitScale}.", nameof(InitScale));
        if (InputShape is null || InputShape.Length == 0 || InputShape.Any(d => d < 1))
            throw new ArgumentException(
                $"input shape must be non-empty with every dimension ≥ 1, got [{string.Join(", ", InputShape ?? [])}].", nameof(InputShape));
        if (Kind == ModelKind.Cnn && (InputShape.Length != 3 || InputShape[1] < 4 || InputShape[2] < 4))
            throw new ArgumentException(
                $"the CNN needs image input [channels, rows, columns] with rows and columns ≥ 4, got [{string.Join(", ", InputShape)}]; " +
                "load images unflattened or use --model mlp.", nameof(InputShape));
        switch (Kind)
        {
            case ModelKind.ResNet:
                if (InputShape.Length != 3 || InputShape[1] < 4 || InputShape[2] < 4)
                    throw new ArgumentException(
                        $"the ResNet needs image input [channels, rows, columns] with rows and columns ≥ 4, got [{string.Join(", ", InputShape)}].", nameof(InputShape));
                if (Depth < 1) throw new ArgumentException($"the ResNet needs depth ≥ 1 (blocks per stage), got {Depth}.", nameof(Depth));
                return;
            case ModelKind.Gpt:
                if (InputShape.Length != 1)
                    throw new ArgumentException($"the GPT takes token ids [context], got input shape [{string.Join(", ", InputShape)}].", nameof(InputShape));
                if (Depth < 1) throw new ArgumentException($"the GPT needs depth ≥ 1 (blocks), got {Depth}.", nameof(Depth));
                if (Heads < 1 || Width % Heads != 0)
                    throw new ArgumentException($"the GPT's width {Width} must be a multiple of its {Heads} heads.", nameof(Heads));
                if (ParameterCount(this) * 16.0 > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
                    throw new ArgumentException($"--depth {Depth} --width {Width}: the GPT would not fit this machine's memory.", "width");
                return;
        }
        long features = Kind == ModelKind.Cnn ? CnnFeatures(InputShape) : InputSize;
        RequireFits(Depth, Width, features, Classes, Bias);
        Mup?.Validate();
    }

    /// <summary>The most elements one weight matrix may have (the synapse layer and the native kernels index with int32).</summary>
    public const long MaxTensorElements = int.MaxValue;

    /// <summary>
    /// Checks, in closed form and without building anything, that an MLP head of <paramref name="depth"/> hidden
    /// layers of <paramref name="width"/> units fits: every weight matrix within <see cref="MaxTensorElements"/>, and
    /// weights, gradients and two optimiser moments (16 bytes a parameter) within this machine's memory. The message
    /// says how much would be needed.
    /// </summary>
    /// <exception cref="ArgumentException">It does not fit (named "depth" or "width").</exception>
    public static void RequireFits(long depth, long width, long features = 1, long classes = 2, bool bias = true)
    {
        double b = bias ? 1 : 0;
        double first = depth > 0 ? width * (features + b) : classes * (features + b);
        double hidden = depth > 1 ? (depth - 1) * (width * (width + b)) : 0;
        double last = depth > 0 ? classes * (width + b) : 0;
        double total = depth > 0 ? first + hidden + last : first;
        double largest = Math.Max(depth > 1 ? width * (double)width : 0, Math.Max(first, last));
        string option = depth > 1 && hidden >= first ? "depth" : "width";
        if (largest > MaxTensorElements)
            throw new ArgumentException(
                $"--depth {depth} --width {width}: one weight matrix would have {largest:G3} elements, more than {MaxTensorElements} (2^31 − 1).", "width");
        double bytes = 16 * total;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new ArgumentException(
                $"--depth {depth} --width {width}: the model would have {total:G3} parameters, about {bytes / (1L << 30):F1} GiB for weights, " +
                $"gradients and optimiser state; this machine has {available / (double)(1L << 30):F1} GiB.", option);
    }

    /// <summary>The number of trainable parameters the built model has, from the spec alone.</summary>
    public long ParameterCount()
    {
        Validate();
        return ParameterCount(this);
    }

    private static long ParameterCount(ModelSpec s)
    {
        long b = s.Bias ? 1 : 0;
        if (s.Kind == ModelKind.Gpt)
        {
            long d = s.Width, v = s.Classes;
            return v * d + s.InputShape[0] * d + s.Depth * (12 * d * d + 2 * d) + d + d * v;
        }
        if (s.Kind == ModelKind.ResNet)
        {
            var widths = PreActResNet.Widths;
            long total = s.InputShape[0] * widths[0] * 9, width = widths[0];
            for (int st = 0; st < widths.Count; ++st)
                for (int blk = 0; blk < s.Depth; ++blk)
                {
                    long o = widths[st];
                    total += 2 * width + width * o * 9 + 2 * o + o * o * 9 + (width != o || (st > 0 && blk == 0) ? width * o : 0);
                    width = o;
                }
            return total + 2 * width + s.Classes * (width + b);
        }
        return s.MlpParameterCount();
    }

    private long MlpParameterCount()
    {
        long b = Bias ? 1 : 0, total = 0, features;
        if (Kind == ModelKind.Cnn)
        {
            long c = InputShape[0];
            total += CnnChannels1 * (c * 9 + b) + CnnChannels2 * (CnnChannels1 * 9 + b);
            features = CnnFeatures(InputShape);
        }
        else features = InputSize;
        for (int i = 0; i < Depth; ++i)
        {
            total += Width * (features + b);
            features = Width;
        }
        return total + Classes * (features + b);
    }

    /// <summary>Features after the CNN's convolution stack (two "same" convolutions and two 2×2 pools, flooring).</summary>
    internal static long CnnFeatures(long[] inputShape) => CnnChannels2 * (inputShape[1] / 2 / 2) * (inputShape[2] / 2 / 2);
}
