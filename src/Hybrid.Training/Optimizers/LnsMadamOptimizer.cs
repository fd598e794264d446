using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Lns;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// The optimiser of an LNS synapse model: every synapse layer (<see cref="ISynapseLayer"/>: <see cref="LnsLinear"/>,
/// <see cref="LnsConv2d"/>, <see cref="LnsEmbedding"/>, whose step is sparse) takes the synapse
/// backend's LNS Madam step on its codes; every other parameter (biases, normalisation gains) takes
/// float32 Madam (<see cref="KernelMadam"/>) on the same synapse backend, so every update goes
/// through the chosen backend. It keeps a <see cref="Ledger"/> of each step,
/// priced by an <see cref="EnergyTable"/> elsewhere. A TorchSharp optimiser: the trainer,
/// <c>zero_grad</c> and learning-rate schedulers work as usual (the LNS step reads the first
/// parameter group's learning rate each step).
/// </summary>
public sealed class LnsMadamOptimizer : OptimizerHelper, ICheckpointedOptimizer, IReportingOptimizer
{
    private readonly IReadOnlyList<ISynapseLayer> _layers;
    private readonly IReadOnlyList<IArithmeticLayer> _arithmetic;
    private readonly KernelMadam? _floatOptimizer;
    private readonly long _floatCount;
    private long _step;

    /// <summary>Creates the optimiser for <paramref name="model"/>'s LNS layers and its other parameters.</summary>
    /// <param name="model">The model (its synapse layers are found by walking its modules).</param>
    /// <param name="settings">The step's settings (lr, β2, g_bound, rounding, seed, device model); format, moment mode,
    /// rows and tensor id come from each layer.</param>
    /// <param name="pScale">Float Madam's p_scale for the other parameters (w_max = p_scale · RMS at their first step).</param>
    public LnsMadamOptimizer(nn.Module model, LnsMadamSettings settings, double pScale = 3.0)
    {
        Settings = settings;
        _layers = model.modules().OfType<ISynapseLayer>().ToList();
        _arithmetic = model.modules().OfType<IArithmeticLayer>().ToList();
        if (_layers.Count == 0) throw new ArgumentException("the model has no synapse layer (LnsLinear, LnsConv2d, LnsEmbedding) to train.", nameof(model));
        var lnsWeights = _layers.Select(l => l.Weight.Handle).ToHashSet();
        var floats = model.parameters().Where(p => !lnsWeights.Contains(p.Handle)).ToList();
        _floatCount = floats.Sum(p => p.numel());
        var backend = _layers[0].Synapses.Backend;
        if (_layers.Any(l => l.Synapses.Backend != backend))
            throw new ArgumentException("the model's LNS layers use different backends; convert it with one.", nameof(model));
        if (floats.Count > 0) _floatOptimizer = new KernelMadam(floats, settings.Lr, pScale, settings.GBound, settings.Beta2, backend);
        _defaults = new Madam.Options { LearningRate = settings.Lr, InitialLearningRate = settings.Lr };
        _parameter_groups = new List<ParamGroup> { new Madam.ParamGroup(model.parameters(), (Madam.Options)_defaults) };
    }

    /// <summary>The step settings (the learning rate is taken from the parameter group each step).</summary>
    public LnsMadamSettings Settings { get; }

    /// <summary>Steps taken.</summary>
    public long Steps => _step;

    /// <summary>The LNS layers this optimiser steps.</summary>
    public IReadOnlyList<ISynapseLayer> Layers => _layers;

    /// <summary>The ledger of the last step (LNS layers plus float32 Madam for the rest).</summary>
    public Ledger LastStep { get; private set; } = Ledger.Zero;

    /// <summary>The sum of every step's ledger over the whole run (restored on resume).</summary>
    public Ledger Total { get; private set; } = Ledger.Zero;

    /// <summary>Synapse codes changed, summed over every step of the run (restored on resume).</summary>
    public long CodesChanged { get; private set; }

    /// <summary>Gradient elements skipped as NaN/inf (policy skip-and-count), summed over every step of the run.</summary>
    public long NonFiniteSkipped { get; private set; }

    /// <summary>An analog device's programming events and pulses over the run (zero for digital synapses; restored on resume).</summary>
    public DeviceCosts DeviceTotal { get; private set; }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure is not null) using (torch.enable_grad()) loss = closure();
        double lr = ParamGroups.First().LearningRate;
        _step += 1;
        var ledger = Ledger.Zero;
        using (torch.no_grad())
        {
            foreach (var layer in _layers)
            {
                var step = layer.Step(Settings with { Step = _step, Lr = (float)lr });
                CodesChanged += step.Stats.Changed;
                NonFiniteSkipped += step.Stats.NonFiniteSkipped;
                ledger += step.Ledger;
                DeviceTotal += step.Device;
            }
        }
        if (_floatOptimizer is not null)
        {
            _floatOptimizer.ParamGroups.First().LearningRate = lr;
            _floatOptimizer.step();
            ledger += UpdateCosts.Madam(_floatCount);
        }
        LastStep = ledger;
        Total += ledger;
        return loss!;
    }

    /// <inheritdoc />
    public OptimizerReport Report()
    {
        long synapses = _layers.Sum(l => l.Synapses.Count);
        long moments = _layers.Sum(l => (long)l.Synapses.MomentCount);
        long weightBytes = _layers.Sum(l => (l.Synapses.Count * l.Bits + 7) / 8) + 4 * _floatCount;
        var arithmetic = _arithmetic.Any(l => l.Arithmetic is not null)
            ? _arithmetic.Select(l => l.Arithmetic?.Stats ?? ArithmeticStats.Empty).Aggregate((a, b) => a + b)
            : null;
        return new OptimizerReport(_step, Total, CodesChanged, NonFiniteSkipped, synapses, weightBytes, 4 * moments + 4 * _floatCount,
            arithmetic, Settings.Device.IsAnalog ? DeviceTotal : null);
    }

    /// <inheritdoc />
    public void SaveCheckpoint(BinaryWriter writer)
    {
        writer.Write(_step);
        LedgerIO.Write(writer, Total);
        writer.Write(CodesChanged);
        writer.Write(NonFiniteSkipped);
        writer.Write(_floatOptimizer is not null);
        _floatOptimizer?.save_state_dict(writer);
        if (Settings.Device.IsAnalog) DeviceTotal.Write(writer); // an analog run's device costs (the config decides the format)
    }

    /// <inheritdoc />
    public void LoadCheckpoint(BinaryReader reader)
    {
        _step = reader.ReadInt64();
        Total = LedgerIO.Read(reader);
        CodesChanged = reader.ReadInt64();
        NonFiniteSkipped = reader.ReadInt64();
        bool hasFloat = reader.ReadBoolean();
        if (hasFloat != (_floatOptimizer is not null))
            throw new InvalidDataException("checkpoint does not match this model's float parameters.");
        _floatOptimizer?.load_state_dict(reader);
        if (Settings.Device.IsAnalog) DeviceTotal = DeviceCosts.Read(reader);
        foreach (var layer in _layers) layer.Decode();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _floatOptimizer?.Dispose();
    }
}
