using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Models;

/// <summary>
/// A model in μP, the maximal-update parametrisation (Yang, Hu et al., "Tensor Programs V", arXiv:2203.03466;
/// reference code microsoft/mup): what <see cref="ModelFactory"/> changes when <see cref="ModelSpec.Mup"/> is set.
/// </summary>
/// <remarks>
/// The version of μP microsoft/mup implements (its <c>MuReadout</c>, "1/width multiplier and constant-variance
/// initialisation"), for a model of hidden width n built from a base model of width n₀ (m = n/n₀):
/// <list type="bullet">
/// <item>Base shapes (mup's <c>set_base_shapes(model, base)</c> without a delta model): every parameter dimension
/// that differs from the same parameter's dimension in the base model (the same spec at width n₀) is "infinite";
/// the others are finite. So at n = n₀ nothing is infinite and the model is exactly the standard-parametrisation
/// (SP) model of the same seed.</item>
/// <item>Input and hidden layers keep TorchSharp's default initialisation (kaiming-uniform, variance ∝ 1/fan_in,
/// what mup assumes); the bias of a layer whose fan-in is infinite is multiplied by √(fan_in/base fan_in)
/// (mup's <c>rescale_linear_bias</c>), i.e. its initial scale stays that of the base model.</item>
/// <item>The output layer ("out") is a <see cref="MupReadout"/>: its input is multiplied by
/// <c>output_mult / m</c>, and its weight and bias, drawn as an <c>nn.Linear</c> of the same shape would draw
/// them, are multiplied by √m (mup's <c>MuReadout._rescale_parameters</c>), or set to zero with
/// <see cref="MupSettings.ReadoutZeroInit"/>.</item>
/// <item>The per-layer learning rates are the optimiser's (<c>MupAdam</c>, <c>MupSgd</c>), read from the base shapes
/// this class records for every parameter (mup's <c>p.infshape</c>).</item>
/// </list>
/// <see cref="ModelSpec.InitScale"/> multiplies the μP initialisation afterwards, as it multiplies the SP one.
/// Which base width is ours: mup asks the user for a base model; its MLP example uses width 64, and so does
/// <see cref="MupSettings.DefaultBaseWidth"/>.
/// </remarks>
public static class MupParametrization
{
    private static readonly ConditionalWeakTable<Parameter, InfShape> ShapesByParameter = new();
    private static readonly ConditionalWeakTable<nn.Module, MupModel> Models = new();

    /// <summary>The μP description of a model built with <see cref="ModelSpec.Mup"/> (null for any other model).</summary>
    public static MupModel? Of(nn.Module model) => Models.TryGetValue(model, out var m) ? m : null;

    /// <summary>The base shape of a parameter of a μP model (mup's <c>p.infshape</c>); false for any other parameter.</summary>
    public static bool TryGetShape(Parameter parameter, out InfShape shape)
    {
        if (ShapesByParameter.TryGetValue(parameter, out var s)) { shape = s; return true; }
        shape = null!;
        return false;
    }

    /// <summary>
    /// The base shapes of <paramref name="model"/> against <paramref name="baseModel"/>, by parameter name (mup's
    /// <c>zip_infshapes</c> with <c>fin_if_same</c>): a dimension is infinite when it differs from the base's.
    /// </summary>
    /// <exception cref="ArgumentException">The two models do not have the same parameter names and ranks.</exception>
    public static IReadOnlyDictionary<string, InfShape> BaseShapes(nn.Module model, nn.Module baseModel)
    {
        var bases = baseModel.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var shapes = new Dictionary<string, InfShape>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!bases.TryGetValue(name, out var b) || b.Length != p.shape.Length)
                throw new ArgumentException($"base model has no parameter '{name}' of rank {p.shape.Length}; base and target must differ in widths only.");
            shapes[name] = InfShape.Zip(b, p.shape);
        }
        if (bases.Count != shapes.Count)
            throw new ArgumentException($"base model has parameters the model lacks: {string.Join(", ", bases.Keys.Except(shapes.Keys))}.");
        return shapes;
    }

    /// <summary>
    /// Turns a freshly built standard-parametrisation model (whose output layer is already a <see cref="MupReadout"/>)
    /// into μP: records the base shapes and rescales the initialisation as mup's <c>set_base_shapes(…, rescale_params=True)</c>.
    /// Called by <see cref="ModelFactory.Build"/>; not idempotent.
    /// </summary>
    internal static void Apply(nn.Module model, IReadOnlyDictionary<string, InfShape> shapes, MupSettings settings)
    {
        using var noGrad = torch.no_grad();
        var readouts = model.named_modules().Where(m => m.module is MupReadout).Select(m => m.name).ToHashSet();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in parameters)
        {
            int dot = name.LastIndexOf('.');
            string owner = dot < 0 ? "" : name[..dot], leaf = name[(dot + 1)..];
            if (readouts.Contains(owner))
            {
                var readout = (MupReadout)model.named_modules().First(m => m.name == owner).module;
                if (settings.ReadoutZeroInit) p.zero_();
                else
                {
                    using Scalar root = Math.Sqrt(readout.WidthMult).ToScalar();
                    p.mul_(root);
                }
            }
            else if (leaf == "bias" && parameters.ContainsKey(owner + ".weight") && shapes[owner + ".weight"].Dims.Count >= 2)
            {
                double fanInMult = shapes[owner + ".weight"].Dims[1].WidthMult;
                if (fanInMult != 1)
                {
                    using Scalar root = Math.Sqrt(fanInMult).ToScalar();
                    p.mul_(root);
                }
            }
        }
    }

    /// <summary>Records the base shapes of a finished μP model (after its last move to a device).</summary>
    internal static void Register(nn.Module model, IReadOnlyDictionary<string, InfShape> shapes, MupSettings settings)
    {
        foreach (var (name, p) in model.named_parameters()) ShapesByParameter.AddOrUpdate(p, shapes[name]);
        Models.AddOrUpdate(model, new MupModel(settings, shapes));
    }
}

/// <summary>A μP model's settings and its parameters' base shapes by name.</summary>
public sealed record MupModel(MupSettings Settings, IReadOnlyDictionary<string, InfShape> Shapes);

/// <summary>
/// μP's settings of a model (see <see cref="MupParametrization"/>): the base width n₀, the readout's output
/// multiplier (mup's <c>output_mult</c>, 1) and whether the readout starts at zero (mup's <c>readout_zero_init</c>, false).
/// </summary>
public sealed record MupSettings(int BaseWidth = MupSettings.DefaultBaseWidth, double OutputMultiplier = 1.0, bool ReadoutZeroInit = false)
{
    /// <summary>The base width when none is given: 64, that of microsoft/mup's MLP example (<c>width64.bsh</c>).</summary>
    public const int DefaultBaseWidth = 64;

    /// <summary>Checks the values; the message names the option.</summary>
    public void Validate()
    {
        if (BaseWidth < 1) throw new ArgumentException($"--base-width {BaseWidth} must be >= 1.", "base-width");
        if (!(OutputMultiplier > 0) || !double.IsFinite(OutputMultiplier))
            throw new ArgumentException($"--output-mult {OutputMultiplier} must be finite and > 0.", "output-mult");
    }

    /// <summary>The readout's width multiplier m = fan_in / base fan_in for <paramref name="spec"/> (1 for a linear model).</summary>
    public double WidthMult(ModelSpec spec) => spec.Depth > 0 ? spec.Width / (double)BaseWidth : 1.0;
}

/// <summary>One dimension of a parameter: finite (<see cref="BaseDim"/> null) or infinite, with its base size (mup's <c>InfDim</c>).</summary>
public readonly record struct InfDim(long? BaseDim, long Dim)
{
    /// <summary>Whether the dimension scales with width.</summary>
    public bool IsInfinite => BaseDim is not null;

    /// <summary>dim / base dim for an infinite dimension, 1 for a finite one.</summary>
    public double WidthMult => BaseDim is { } b ? Dim / (double)b : 1.0;
}

/// <summary>
/// A parameter's dimensions with their base sizes (mup's <c>InfShape</c>). The main dimension is the last infinite
/// one (fan-in for an infinite × infinite matrix).
/// </summary>
public sealed class InfShape
{
    /// <summary>The dimensions, in the parameter's order ([fan_out, fan_in, …] for a weight).</summary>
    public IReadOnlyList<InfDim> Dims { get; }

    /// <summary>Builds a shape from its dimensions.</summary>
    public InfShape(IReadOnlyList<InfDim> dims) => Dims = dims;

    /// <summary>mup's <c>zip_infshape(base, dims, fin_if_same=True)</c>: a dimension equal to its base is finite.</summary>
    public static InfShape Zip(long[] baseShape, long[] shape) =>
        new(baseShape.Zip(shape, (b, d) => new InfDim(b == d ? null : b, d)).ToArray());

    /// <summary>How many dimensions are infinite.</summary>
    public int Ninf => Dims.Count(d => d.IsInfinite);

    /// <summary>The main (last infinite) dimension's width multiplier; 1 when none is infinite.</summary>
    public double WidthMult => Dims.LastOrDefault(d => d.IsInfinite) is { IsInfinite: true } main ? main.WidthMult : 1.0;

    /// <summary>fan_in's width multiplier over fan_out's (mup's <c>fanin_fanout_mult_ratio</c>; ≥2-D only).</summary>
    public double FanInFanOutMultRatio => Dims.Count >= 2
        ? Dims[1].WidthMult / Dims[0].WidthMult
        : throw new InvalidOperationException("fan-in and fan-out are undefined for a 1-dimensional parameter.");

    /// <inheritdoc />
    public override string ToString() =>
        "[" + string.Join(", ", Dims.Select(d => d.IsInfinite ? $"{d.Dim}/{d.BaseDim}" : $"{d.Dim}")) + "]";
}

/// <summary>
/// μP's output layer (mup's <c>MuReadout</c>): y = W·(x · output_mult / m) + b, with m = fan_in / base fan_in.
/// Its parameters are named <c>weight</c> and <c>bias</c> like <c>nn.Linear</c>'s (so state-dict keys do not change)
/// and are drawn exactly as an <c>nn.Linear</c> of the same shape draws them; <see cref="MupParametrization"/>
/// rescales them.
/// </summary>
public sealed class MupReadout : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly Scalar _factor;

    /// <summary>A readout from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>.</summary>
    public MupReadout(long inFeatures, long outFeatures, bool hasBias, double widthMult, double outputMultiplier)
        : base(nameof(MupReadout))
    {
        if (!(widthMult > 0) || !double.IsFinite(widthMult)) throw new ArgumentException($"width multiplier {widthMult} must be finite and > 0.", nameof(widthMult));
        WidthMult = widthMult;
        OutputMultiplier = outputMultiplier;
        using (var linear = nn.Linear(inFeatures, outFeatures, hasBias))
        using (torch.no_grad())
        {
            _weight = new Parameter(linear.weight!.detach().clone());
            if (hasBias) _bias = new Parameter(linear.bias!.detach().clone());
        }
        register_parameter("weight", _weight);
        if (_bias is not null) register_parameter("bias", _bias);
        _factor = (outputMultiplier / widthMult).ToScalar(); // lives as long as the module (TorchScalars)
    }

    /// <summary>m = fan_in / base fan_in.</summary>
    public double WidthMult { get; }

    /// <summary>mup's <c>output_mult</c>.</summary>
    public double OutputMultiplier { get; }

    /// <summary>The weight [out, in].</summary>
    public Parameter Weight => _weight;

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scaled = input.mul(_factor);
        return nn.functional.linear(scaled, _weight, _bias);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _factor.Dispose();
        base.Dispose(disposing);
    }
}
