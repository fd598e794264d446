using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// TorchSharp's own Adam (<c>torch.optim.Adam</c>) with one change: its step passes Scalars that live
/// through the native calls (see <see cref="TorchScalars"/>). TorchSharp 0.107's step converts
/// β1, 1 − β1, ε, −lr/bc1 … to Scalars implicitly, and a collection during the call can free them
/// (issue 15 item 2: Adam crashed under collection pressure like the LNS simulation did). Same
/// options, state, state-dict layout and schedulers as TorchSharp's class (it is that class), and the
/// same operations in the same order, so a step is bit-identical to TorchSharp's when no collection
/// strikes (<c>TorchOptimizerTests</c>). Not sealed: <see cref="MupAdam"/> is this class over μP's parameter groups.
/// </summary>
public class KeptScalarsAdam : Adam
{
    /// <summary>Adam over <paramref name="parameters"/> (one group).</summary>
    public KeptScalarsAdam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : base(parameters, lr, beta1, beta2, eps, weight_decay) { }

    /// <summary>Adam over parameter groups (unset group options take these defaults).</summary>
    public KeptScalarsAdam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0)
        : base(groups, lr, beta1, beta2, eps, weight_decay) { }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, weightDecay = o.weight_decay!.Value, eps = o.eps!.Value,
            lr = o.LearningRate!.Value;
        bool amsgrad = o.amsgrad!.Value, maximize = o.maximize!.Value;
        using Scalar b1 = beta1.ToScalar(), a1 = (1 - beta1).ToScalar(), b2 = beta2.ToScalar(), a2 = (1 - beta2).ToScalar(),
            wd = weightDecay.ToScalar(), e = eps.ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step += 1;
            double bc1 = 1 - Math.Pow(beta1, state.step), bc2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0) grad = grad.add(param, wd);
            state.exp_avg.mul_(b1).add_(grad, a1);
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad.conj(), a2);
            using Scalar root = Math.Sqrt(bc2).ToScalar(), stepSize = (-(lr / bc1)).ToScalar();
            Tensor denom;
            if (amsgrad)
            {
                var t0 = state.max_exp_avg_sq;
                state.max_exp_avg_sq = torch.maximum(t0, state.exp_avg_sq).DetachFromDisposeScope();
                t0.Dispose();
                denom = (state.max_exp_avg_sq.sqrt() / root).add_(e, TorchScalars.One);
            }
            else
            {
                denom = (state.exp_avg_sq.sqrt() / root).add_(e, TorchScalars.One);
            }
            param.addcdiv_(state.exp_avg, denom, stepSize);
        }
    }, closure);
}

/// <summary>
/// TorchSharp's own SGD (<c>torch.optim.SGD</c>) with its step's Scalars kept alive through the native
/// calls (see <see cref="KeptScalarsAdam"/> and <see cref="TorchScalars"/>); otherwise the same class,
/// options, state and operations. Not sealed: <see cref="MupSgd"/> is this class over μP's parameter groups.
/// </summary>
public class KeptScalarsSgd : SGD
{
    /// <summary>SGD over <paramref name="parameters"/> (one group).</summary>
    public KeptScalarsSgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double weight_decay = 0)
        : base(parameters, lr, momentum, weight_decay: weight_decay) { }

    /// <summary>SGD over parameter groups (unset group options take these defaults).</summary>
    public KeptScalarsSgd(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double weight_decay = 0)
        : base(groups, lr, momentum, weight_decay: weight_decay) { }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        double momentum = o.momentum!.Value, dampening = o.dampening!.Value, weightDecay = o.weight_decay!.Value,
            lr = o.LearningRate!.Value;
        bool nesterov = o.nesterov!.Value, maximize = o.maximize!.Value;
        using Scalar wd = weightDecay.ToScalar(), m = momentum.ToScalar(), keep = (1 - dampening).ToScalar(),
            alpha = (maximize ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(param, wd);
            if (momentum != 0)
            {
                var buf = state.momentum_buffer;
                if (buf is null)
                {
                    buf = grad.clone().detach().DetachFromDisposeScope();
                    state.momentum_buffer = buf;
                }
                else
                {
                    buf.mul_(m).add_(grad, keep);
                }
                grad = nesterov ? grad.add(buf, m) : buf;
                state.momentum_buffer = buf;
            }
            param.add_(grad, alpha);
        }
    }, closure);
}
