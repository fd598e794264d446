using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Training.Devices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// Tiki-Taka (Gokmen and Haensch, Front. Neurosci. 2020), aihwkit's TransferCompound with two devices: every step's
/// SGD update −η·∇W is programmed onto a fast device array A (a hidden weight, same device as the layer's, its own
/// random sub-stream); every <c>transfer_every</c> steps the next <c>n_reads_per_transfer</c> columns of A are read
/// (with read noise) and transferred onto the visible array C (the layer's <see cref="DeviceLinear"/> devices) as the
/// update η_t·A[:, c], η_t = transfer_lr (times η with scale_transfer_lr), programmed through C's response. The columns
/// cycle in order. The forward pass sees C only (aihwkit's default γ = 0). Digital parameters (biases) take plain SGD.
/// </summary>
public sealed class TikiTaka : OptimizerHelper, ICheckpointedOptimizer, IReportingOptimizer
{
    private readonly IReadOnlyList<DeviceLinear> _layers;
    private readonly List<Parameter> _digital;
    private readonly List<(float[] Hidden, float[] Apparent)> _fast;
    private readonly DeviceSpec _spec;
    private long _step, _column;

    /// <summary>The optimiser of <paramref name="model"/>'s device layers (made by <see cref="DeviceModels.FromFloat"/>).</summary>
    public TikiTaka(nn.Module model, double lr, DeviceSpec spec)
    {
        _spec = spec;
        _layers = model.modules().OfType<DeviceLinear>().ToList();
        if (_layers.Count == 0) throw new ArgumentException("the model has no DeviceLinear layer for Tiki-Taka.", nameof(model));
        var analog = _layers.Select(l => l.Weight.Handle).ToHashSet();
        _digital = model.parameters().Where(p => !analog.Contains(p.Handle)).ToList();
        _fast = _layers.Select(l => { int n = checked((int)(l.OutFeatures * l.InFeatures)); return (new float[n], new float[n]); }).ToList();
        _defaults = new SGD.Options { LearningRate = lr, InitialLearningRate = lr };
        _parameter_groups = new List<ParamGroup> { new SGD.ParamGroup(model.parameters(), (SGD.Options)_defaults) };
    }

    /// <summary>The fast array A's sub-stream: the layer's tensor id with the top bit set.</summary>
    public static uint FastTensorId(uint tensorId) => tensorId | 0x8000_0000u;

    /// <summary>Steps taken.</summary>
    public long Steps => _step;

    /// <summary>The fast array A of layer <paramref name="layer"/> in device units (read only).</summary>
    public ReadOnlySpan<float> Fast(int layer) => _fast[layer].Hidden;

    /// <summary>Programming events and pulses of both arrays over the run (restored on resume).</summary>
    public DeviceCosts Total { get; private set; }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure is not null) using (torch.enable_grad()) loss = closure();
        double lr = ParamGroups.First().LearningRate;
        _step += 1;
        bool transfer = _step % _spec.EffectiveTransferEvery == 0;
        var costs = default(DeviceCosts);
        using (torch.no_grad())
        {
            for (int i = 0; i < _layers.Count; ++i)
            {
                var l = _layers[i];
                using var g0 = l.Weight.grad ?? throw new InvalidOperationException($"{l.GetName()}: no gradient (call backward first).");
                using var negLr = (-lr).ToScalar();
                using var dw = g0.mul(negLr).contiguous();
                var (h, a) = _fast[i];
                var fast = l.UpdateSettings(_step) with { TensorId = FastTensorId(l.TensorId) };
                var p = l.Backend.DeviceUpdate(fast, h, a, TensorMemory.Float32(dw, "update"));
                costs += new DeviceCosts(p.Programmed, p.Pulses);
                if (transfer) costs += Transfer(l, a, lr);
            }
            using var negLrDigital = (-lr).ToScalar();
            foreach (var p in _digital)
                if (p.grad is { } g) p.add_(g, negLrDigital);
        }
        Total += costs;
        return loss!;
    }

    // the next columns of A, read with read noise, programmed onto C as η_t·A[:, c]
    private DeviceCosts Transfer(DeviceLinear l, float[] apparent, double lr)
    {
        int rows = (int)l.OutFeatures, cols = (int)l.InFeatures;
        var read = new float[apparent.Length];
        var d = l.Device;
        var s = new DeviceReadSettings(l.Seed, _step, FastTensorId(l.TensorId), d.ReadNoiseStd * l.DwMin * l.Scale);
        l.Backend.DeviceRead(s, apparent, read);
        float rate = (float)(_spec.EffectiveTransferLr * (_spec.EffectiveScaleTransferLr ? lr : 1.0));
        using var dw = torch.zeros([rows, cols]);
        var u = TensorMemory.Float32(dw, "transfer");
        for (int k = 0; k < Math.Min(_spec.EffectiveReadsPerTransfer, cols); ++k)
        {
            int c = (int)(_column++ % cols);
            for (int r = 0; r < rows; ++r) u[r * cols + c] = rate * read[r * cols + c];
        }
        var p = l.Program(dw, _step);
        return new DeviceCosts(p.Programmed, p.Pulses);
    }

    /// <inheritdoc />
    public OptimizerReport Report()
    {
        long synapses = _layers.Sum(l => l.OutFeatures * l.InFeatures);
        long floats = _digital.Sum(p => p.numel());
        return new OptimizerReport(_step, Ledger.Zero, (long)Total.Programmed, 0, synapses, 4 * synapses + 4 * floats,
            8L * synapses, Device: Total);
    }

    /// <inheritdoc />
    public void SaveCheckpoint(BinaryWriter writer)
    {
        writer.Write(_step);
        writer.Write(_column);
        Total.Write(writer);
        foreach (var (h, a) in _fast)
        {
            foreach (var x in h) writer.Write(x);
            foreach (var x in a) writer.Write(x);
        }
    }

    /// <inheritdoc />
    public void LoadCheckpoint(BinaryReader reader)
    {
        _step = reader.ReadInt64();
        _column = reader.ReadInt64();
        Total = DeviceCosts.Read(reader);
        foreach (var (h, a) in _fast)
        {
            for (int i = 0; i < h.Length; ++i) h[i] = reader.ReadSingle();
            for (int i = 0; i < a.Length; ++i) a[i] = reader.ReadSingle();
        }
        if (_fast.Any(f => f.Hidden.Any(x => !float.IsFinite(x)) || f.Apparent.Any(x => !float.IsFinite(x))))
            throw new InvalidDataException("Tiki-Taka's fast array in the checkpoint is not finite.");
    }
}
