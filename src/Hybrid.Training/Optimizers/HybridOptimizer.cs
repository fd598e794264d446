using TorchSharp.Modules;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// What Hybrid's TorchSharp optimisers share: parameter groups whose unset options take the
/// optimiser's defaults (validated), one state object per parameter, and disposal. Each
/// optimiser adds its own <c>Options</c>, <c>State</c>, <c>ParamGroup</c> and <c>step</c>, shaped
/// like TorchSharp's <c>Adam</c>, so <c>state_dict</c> save/load and the learning-rate
/// schedulers work as they do for TorchSharp's own optimisers.
/// </summary>
public abstract class HybridOptimizer<TOptions, TState> : OptimizerHelper
    where TOptions : OptimizerOptions, new()
    where TState : OptimizerState, IDisposable
{
    /// <summary>Sets the defaults and adds every group.</summary>
    protected HybridOptimizer(IEnumerable<ParamGroup> groups, TOptions defaults)
    {
        _defaults = defaults;
        _parameter_groups = new List<ParamGroup>();
        foreach (var g in groups) add_param_group(g);
    }

    /// <summary>Fills the options the group left unset from the defaults, then validates them.</summary>
    protected abstract void Complete(TOptions options, TOptions defaults);

    /// <summary>The fresh state of one parameter (may change the parameter, as Nero's projection does).</summary>
    protected abstract TState CreateState(Parameter parameter, TOptions options);

    /// <summary>The state of a parameter.</summary>
    protected TState StateOf(Parameter parameter) => (TState)_state[parameter.Handle];

    /// <inheritdoc />
    public override void add_param_group(ParamGroup param_group)
    {
        param_group.Options ??= new TOptions();
        var o = (TOptions)param_group.Options;
        o.LearningRate ??= _defaults.LearningRate;
        OptimizerChecks.LearningRate(o.LearningRate!.Value);
        Complete(o, (TOptions)_defaults);
        o.InitialLearningRate = o.LearningRate.Value;
        _parameter_groups.Add(param_group);
        foreach (var p in param_group.Parameters) _state[p.Handle] = CreateState(p, o);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            foreach (var (_, state) in _state) ((TState)state).Dispose();
    }
}
