using Hybrid.Training.Models;
using TorchSharp.Modules;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// μP's Adam (Yang, Hu et al., "Tensor Programs V", arXiv:2203.03466; microsoft/mup <c>mup/optim.py</c>,
/// <c>MuAdam</c>): TorchSharp's Adam (as <see cref="KeptScalarsAdam"/>) over parameter groups whose learning
/// rates follow μP. It needs a model built in μP (<see cref="ModelSpec.Mup"/>; <see cref="OptimizerCatalog.PrepareModel"/>
/// builds one for <c>mup-adam</c>), whose parameters carry their base shapes (<see cref="MupParametrization"/>).
/// </summary>
/// <remarks>
/// Per parameter, with its base shape (<see cref="InfShape"/>) and m its width multiplier (fan_in / base fan_in):
/// <list type="bullet">
/// <item>two infinite dimensions ("matrix-like": hidden weights): lr / m, and, unless weight decay is decoupled,
/// weight_decay · m (TorchSharp's Adam decay is L2, coupled, as torch's is);</item>
/// <item>at most one infinite dimension ("vector-like": input weights, the readout weight, biases): lr and
/// weight_decay unchanged;</item>
/// <item>more than two infinite dimensions: refused, as mup does.</item>
/// </list>
/// One group per distinct m (mup's <c>defaultdict</c> keyed by width_mult) in order of first appearance, then the
/// vector-like group; empty groups are left out (ours: mup keeps an empty vector-like group; no step differs).
/// Defaults are Adam's (lr 1e-3, β = (0.9, 0.999), ε = 1e-8, no decay): μP's lr is the base model's lr.
/// At width = base width every m is 1, so the steps are bit-identical to <c>adam</c>'s on the SP model of the same seed.
/// LR schedulers scale every group relative to its own initial rate, which keeps μP's ratios (mup's README asks the same).
/// </remarks>
public sealed class MupAdam : KeptScalarsAdam
{
    // groups first, then the optimiser: a constructor that threw half-way would leave TorchSharp's finalizer a broken object
    private MupAdam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weight_decay)
        : base(groups, lr, beta1, beta2, eps, weight_decay)
    {
    }

    /// <summary>μP's Adam over parameters of a μP model (mup's <c>MuAdam(params, lr=…)</c>).</summary>
    /// <exception cref="ArgumentException">A parameter has no base shape, or more than two infinite dimensions.</exception>
    public static MupAdam Create(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 0, bool decoupled_wd = false) =>
        new(Groups(parameters, lr, weight_decay, decoupled_wd), lr, beta1, beta2, eps, weight_decay);

    /// <summary>μP's Adam factors (lr, weight decay) for a parameter of this base shape.</summary>
    public static (double Lr, double WeightDecay) Scale(InfShape shape, bool decoupledWeightDecay = false) => shape.Ninf switch
    {
        2 => (1 / shape.WidthMult, decoupledWeightDecay ? 1 : shape.WidthMult),
        > 2 => throw new ArgumentException($"μP: a parameter of base shape {shape} has more than 2 infinite dimensions (mup: not implemented).", "parameters"),
        _ => (1, 1),
    };

    private static List<ParamGroup> Groups(IEnumerable<Parameter> parameters, double lr, double weightDecay, bool decoupled)
    {
        var matrixLike = new List<(double Mult, List<Parameter> Ps)>();
        var vectorLike = new List<Parameter>();
        foreach (var p in parameters)
        {
            var shape = MupShape(p, "mup-adam");
            if (shape.Ninf == 2)
            {
                Scale(shape);
                int i = matrixLike.FindIndex(g => g.Mult == shape.WidthMult);
                if (i < 0) matrixLike.Add((shape.WidthMult, [p]));
                else matrixLike[i].Ps.Add(p);
            }
            else
            {
                Scale(shape); // refuses > 2
                vectorLike.Add(p);
            }
        }
        var groups = new List<ParamGroup>();
        foreach (var (mult, ps) in matrixLike)
            groups.Add(new ParamGroup(ps, new Options { LearningRate = lr / mult, weight_decay = decoupled ? weightDecay : weightDecay * mult }));
        if (vectorLike.Count > 0) groups.Add(new ParamGroup(vectorLike, new Options { LearningRate = lr, weight_decay = weightDecay }));
        return groups;
    }

    /// <summary>The base shape of a parameter of a μP model, or an error that says how to get one.</summary>
    internal static InfShape MupShape(Parameter p, string optimizer) =>
        MupParametrization.TryGetShape(p, out var shape)
            ? shape
            : throw new ArgumentException(
                $"{optimizer}: a parameter of shape [{string.Join(", ", p.shape)}] has no μP base shape; build the model in μP " +
                $"(ModelSpec.Mup, or OptimizerCatalog.PrepareModel for {optimizer}).", "parameters");
}
