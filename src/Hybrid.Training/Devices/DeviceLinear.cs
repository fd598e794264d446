using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Devices;

/// <summary>
/// A linear layer whose float weights live on analog devices (the weight domain of hybrid/device.h): the weight the
/// forward pass sees is the devices' apparent state (programmed state plus write noise, read with read noise per
/// forward pass), and every update a float optimiser proposes is applied through the device's response by
/// <see cref="Program"/>. Weights map to device units by u = w / scale, scale = p_scale·RMS(W₀) / w_max, so the
/// devices' upper bound is where Madam would clip. The biases stay digital float32 parameters.
/// </summary>
/// <remarks>
/// The device state (hidden state in device units, scale, read count) lives in module buffers, so checkpoints carry
/// it. The initial weights are programmed at construction (step 0, with write noise). CPU tensors only.
/// </remarks>
public sealed class DeviceLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly Tensor _hidden, _scale, _reads;

    /// <summary>Converts a float layer: its weights programmed onto devices of <paramref name="device"/>.</summary>
    public DeviceLinear(string name, Linear source, DeviceModel device, DeviceSpec spec, double pScale, uint tensorId, ulong seed,
        ISynapseBackend backend) : base(name)
    {
        Device = device;
        (TensorId, Seed, Backend) = (tensorId, seed, backend);
        (DwMin, WMin, WMax) = (spec.EffectiveDwMin, spec.EffectiveWMin, spec.EffectiveWMax);
        OutFeatures = source.out_features;
        InFeatures = source.in_features;
        using var w0 = source.weight!.detach().contiguous().cpu().clone();
        var w = TensorMemory.Float32(w0, "weight");
        float scale = (float)(pScale * backend.Rms(w) / WMax);
        if (!(scale > 0) || !float.IsFinite(scale))
            throw new ArgumentException($"{name}: the weights give device scale {scale}; a device mapping needs non-zero finite weights.");
        _scale = torch.tensor(new[] { scale });
        _hidden = torch.zeros([OutFeatures, InFeatures]);
        var h = TensorMemory.Float32(_hidden, "hidden");
        for (int i = 0; i < h.Length; ++i) h[i] = Math.Clamp(w[i] / scale, WMin, WMax);
        _reads = torch.zeros(1, ScalarType.Int64);
        _weight = new Parameter(torch.zeros([OutFeatures, InFeatures]), requires_grad: true);
        _bias = source.bias is null ? null : new Parameter(source.bias.detach().clone(), requires_grad: true);
        register_parameter("weight", _weight);
        if (_bias is not null) register_parameter("bias", _bias);
        register_buffer("device_hidden", _hidden);
        register_buffer("device_scale", _scale);
        register_buffer("device_reads", _reads);
        using var zero = torch.zeros([OutFeatures, InFeatures]);
        using (torch.no_grad()) Program(zero, 0); // the initial programming (write noise, step 0)
    }

    /// <summary>The devices.</summary>
    public DeviceModel Device { get; }
    /// <summary>The layer's sub-stream of the device draws.</summary>
    public uint TensorId { get; }
    /// <summary>The run's seed.</summary>
    public ulong Seed { get; }
    /// <summary>The backend whose kernels program and read the devices.</summary>
    public ISynapseBackend Backend { get; }
    /// <summary>One pulse's step in device units.</summary>
    public float DwMin { get; }
    /// <summary>The lower bound in device units.</summary>
    public float WMin { get; }
    /// <summary>The upper bound in device units.</summary>
    public float WMax { get; }
    /// <summary>Output features.</summary>
    public long OutFeatures { get; }
    /// <summary>Input features.</summary>
    public long InFeatures { get; }
    /// <summary>The apparent weight (the autograd leaf).</summary>
    public Parameter Weight => _weight;
    /// <summary>The digital float32 bias, or null.</summary>
    public Parameter? Bias => _bias;
    /// <summary>Weight units per device unit.</summary>
    public float Scale => TensorMemory.Cpu<float>(_scale)[0];
    /// <summary>The devices' state in device units (a module buffer).</summary>
    public Tensor Hidden => _hidden;

    /// <summary>Seconds since programming at which the forward pass reads the devices (a drift evaluation; 0 = none).</summary>
    public double DriftTime { get; set; }

    /// <summary>The device settings of one programming step.</summary>
    public DeviceUpdateSettings UpdateSettings(long step) => new(Device, Seed, step, TensorId, Scale, DwMin, WMin, WMax);

    /// <summary>Programs the update <paramref name="dw"/> (weight units, the layer's shape) onto the devices at step
    /// <paramref name="step"/>: hidden state and apparent weight change where a device was programmed.</summary>
    public ProgramStats Program(Tensor dw, long step)
    {
        using var d = dw.contiguous();
        return Backend.DeviceUpdate(UpdateSettings(step), TensorMemory.Float32(_hidden, "hidden"),
            TensorMemory.Float32(_weight, "weight"), TensorMemory.Float32(d, "update"));
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        bool noisy = Device.ReadNoiseStd > 0f, drifted = DriftTime > 0 && Device.Drift.IsOn;
        if (!noisy && !drifted) return nn.functional.linear(input, _weight, _bias);
        // the read: the same weight for autograd, its value replaced by what the devices give on this read
        using var read = torch.empty_like(_weight);
        var reads = TensorMemory.Cpu<long>(_reads);
        long r = noisy ? reads[0]++ : 0;
        using (torch.no_grad())
        {
            using var w = _weight.detach().contiguous();
            var s = new DeviceReadSettings(Seed, r, TensorId, noisy ? Device.ReadNoiseStd * DwMin * Scale : 0f, Device.Drift, DriftTime);
            Backend.DeviceRead(s, TensorMemory.Float32(w, "weight"), TensorMemory.Float32(read, "read"));
        }
        using var delta = (read - _weight).detach();
        using var weight = _weight.Plus(delta);
        return nn.functional.linear(input, weight, _bias);
    }
}
