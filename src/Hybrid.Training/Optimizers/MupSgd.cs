using Hybrid.Training.Models;
using TorchSharp.Modules;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// μP's SGD (Yang, Hu et al., "Tensor Programs V"; microsoft/mup <c>mup/optim.py</c>, <c>MuSGD</c>): TorchSharp's
/// SGD (as <see cref="KeptScalarsSgd"/>) over parameter groups whose learning rates follow μP, for a model built in
/// μP (<see cref="ModelSpec.Mup"/>), like <see cref="MupAdam"/>.
/// </summary>
/// <remarks>
/// Per parameter, with its base shape (<see cref="InfShape"/>):
/// <list type="bullet">
/// <item>one infinite dimension ("vector-like": input weights, the readout weight, hidden and input biases),
/// m its width multiplier: lr · m, weight_decay / m;</item>
/// <item>two infinite dimensions (hidden weights), r = fan_in's multiplier / fan_out's: lr / r, weight_decay · r;</item>
/// <item>no infinite dimension (the readout bias, convolutions of fixed channels): unchanged;</item>
/// <item>more than two: refused, as mup does.</item>
/// </list>
/// Groups: matrix-like by r, then vector-like by m (each in order of first appearance), then the fixed ones (mup's
/// order; empty groups left out). Weight decay is coupled (L2), so it is scaled unless <c>decoupled_wd</c>.
/// Default momentum 0.9 is ours: torch's SGD (which MuSGD wraps) defaults to 0, the catalog's <c>sgd</c> to 0.9,
/// and <c>mup-sgd</c> should differ from <c>sgd</c> by μP alone. At width = base width every factor is 1.
/// </remarks>
public sealed class MupSgd : KeptScalarsSgd
{
    // groups first, then the optimiser: a constructor that threw half-way would leave TorchSharp's finalizer a broken object
    private MupSgd(List<ParamGroup> groups, double lr, double momentum, double weight_decay)
        : base(groups, lr, momentum, weight_decay)
    {
    }

    /// <summary>μP's SGD over parameters of a μP model (mup's <c>MuSGD(params, lr=…)</c>).</summary>
    /// <exception cref="ArgumentException">A parameter has no base shape, or more than two infinite dimensions.</exception>
    public static MupSgd Create(IEnumerable<Parameter> parameters, double lr = 0.1, double momentum = 0.9, double weight_decay = 0,
        bool decoupled_wd = false) =>
        new(Groups(parameters, lr, weight_decay, decoupled_wd), lr, momentum, weight_decay);

    /// <summary>μP's SGD factors (lr, weight decay) for a parameter of this base shape.</summary>
    public static (double Lr, double WeightDecay) Scale(InfShape shape, bool decoupledWeightDecay = false) => shape.Ninf switch
    {
        0 => (1, 1),
        1 => (shape.WidthMult, decoupledWeightDecay ? 1 : 1 / shape.WidthMult),
        2 => (1 / shape.FanInFanOutMultRatio, decoupledWeightDecay ? 1 : shape.FanInFanOutMultRatio),
        _ => throw new ArgumentException($"μP: a parameter of base shape {shape} has more than 2 infinite dimensions (mup: not implemented).", "parameters"),
    };

    private static List<ParamGroup> Groups(IEnumerable<Parameter> parameters, double lr, double weightDecay, bool decoupled)
    {
        var matrixLike = new List<(double Key, List<Parameter> Ps)>();
        var vectorLike = new List<(double Key, List<Parameter> Ps)>();
        var fixedPs = new List<Parameter>();
        foreach (var p in parameters)
        {
            var shape = MupAdam.MupShape(p, "mup-sgd");
            Scale(shape); // refuses > 2 infinite dimensions
            switch (shape.Ninf)
            {
                case 2: Add(matrixLike, shape.FanInFanOutMultRatio, p); break;
                case 1: Add(vectorLike, shape.WidthMult, p); break;
                default: fixedPs.Add(p); break;
            }
        }
        var groups = new List<ParamGroup>();
        foreach (var (r, ps) in matrixLike)
            groups.Add(new ParamGroup(ps, new Options { LearningRate = lr / r, weight_decay = decoupled ? weightDecay : weightDecay * r }));
        foreach (var (m, ps) in vectorLike)
            groups.Add(new ParamGroup(ps, new Options { LearningRate = lr * m, weight_decay = decoupled ? weightDecay : weightDecay / m }));
        if (fixedPs.Count > 0) groups.Add(new ParamGroup(fixedPs, new Options { LearningRate = lr, weight_decay = weightDecay }));
        return groups;
    }

    private static void Add(List<(double Key, List<Parameter> Ps)> groups, double key, Parameter p)
    {
        int i = groups.FindIndex(g => g.Key == key);
        if (i < 0) groups.Add((key, [p]));
        else groups[i].Ps.Add(p);
    }
}
