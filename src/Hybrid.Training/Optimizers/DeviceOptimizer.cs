using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Devices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// A float optimiser on analog devices: the inner optimiser (SGD, Adam, Madam, …) proposes each step's update as it
/// always does, and the update of every <see cref="DeviceLinear"/> weight is then programmed through the device's
/// response (<see cref="DeviceLinear.Program"/>: pulses, the family's state-dependent step, noise, bounds), so SGD and
/// Madam run on the same device as LNS-Madam's synapses. Digital parameters (biases) keep the inner optimiser's update.
/// The parameter groups are the inner optimiser's, so learning-rate schedules reach it.
/// </summary>
public sealed class DeviceOptimizer : OptimizerHelper, ICheckpointedOptimizer, IReportingOptimizer
{
    private readonly optim.Optimizer _inner;
    private readonly IReadOnlyList<DeviceLinear> _layers;
    private long _step;

    /// <summary>Wraps <paramref name="inner"/>, an optimiser over <paramref name="model"/>'s parameters.</summary>
    public DeviceOptimizer(nn.Module model, optim.Optimizer inner)
    {
        _inner = inner;
        _layers = model.modules().OfType<DeviceLinear>().ToList();
        if (_layers.Count == 0) throw new ArgumentException("the model has no DeviceLinear layer to program.", nameof(model));
        if (inner is not OptimizerHelper helper) throw new ArgumentException($"{inner.GetType().Name} exposes no parameter groups.", nameof(inner));
        _parameter_groups = helper.ParamGroups.Cast<ParamGroup>().ToList();
        _defaults = _parameter_groups[0].Options;
    }

    /// <summary>Steps taken.</summary>
    public long Steps => _step;

    /// <summary>The programming events and pulses of the whole run (restored on resume).</summary>
    public DeviceCosts Total { get; private set; }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        _step += 1;
        var before = new List<Tensor>(_layers.Count);
        using (torch.no_grad())
            foreach (var l in _layers) before.Add(l.Weight.detach().clone());
        var loss = _inner.step(closure);
        using (torch.no_grad())
            for (int i = 0; i < _layers.Count; ++i)
            {
                var l = _layers[i];
                using var b = before[i];
                using var dw = l.Weight.detach() - b;
                l.Weight.detach().copy_(b); // the devices decide what the weight becomes
                var p = l.Program(dw, _step);
                Total += new DeviceCosts(p.Programmed, p.Pulses);
            }
        return loss;
    }

    /// <inheritdoc />
    public OptimizerReport Report()
    {
        long synapses = _layers.Sum(l => l.OutFeatures * l.InFeatures);
        long floats = _layers.Sum(l => l.Bias?.numel() ?? 0);
        return new OptimizerReport(_step, Ledger.Zero, (long)Total.Programmed, 0, synapses, 4 * synapses + 4 * floats,
            _inner is IReportingOptimizer r ? r.Report().StateBytes : 0, Device: Total);
    }

    /// <inheritdoc />
    public void SaveCheckpoint(BinaryWriter writer)
    {
        writer.Write(_step);
        Total.Write(writer);
        OptimizerCatalog.Save(_inner, writer);
    }

    /// <inheritdoc />
    public void LoadCheckpoint(BinaryReader reader)
    {
        _step = reader.ReadInt64();
        Total = DeviceCosts.Read(reader);
        OptimizerCatalog.Load(_inner, reader);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _inner.Dispose();
    }
}
