using Hybrid.Synapse.Tensors;
using Hybrid.Synapse;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Lns;

// The analog-device part of LnsLinear (docs/devices.md): write offsets and the read count in module buffers, so
// checkpoints carry them, and the forward pass's read (read noise per read, drift for a drift evaluation).
public sealed partial class LnsLinear
{
    private DeviceBuffers? _device;

    /// <summary>Seconds since programming at which the forward pass reads the synapses (a drift evaluation; 0 = none).</summary>
    public double DriftTime { get; set; }

    /// <summary>
    /// Makes the layer's synapses analog devices of <paramref name="device"/> (write noise, read noise, drift; the step
    /// options come with the optimiser's settings), their draws keyed by <paramref name="seed"/>. With write noise the
    /// present codes are programmed now. Call once, right after construction (the state becomes module buffers).
    /// </summary>
    public void UseDevice(DeviceModel device, ulong seed)
    {
        if (_device is not null) throw new InvalidOperationException($"{GetName()} already has its device.");
        _device = new DeviceBuffers(device.WriteNoiseStd > 0f ? checked((int)Synapses.Count) : 0);
        register_buffer("device_offsets", _device.OffsetsTensor);
        register_buffer("device_reads", _device.ReadsTensor);
        Synapses.UseDevice(device, seed, _device);
        Decode();
    }

    /// <summary>The weight the forward pass uses: the decoded weight itself, or — with read noise, or drift under a drift
    /// evaluation — the same autograd leaf with its value replaced by this read of the devices.</summary>
    private Tensor ReadWeight()
    {
        var d = Synapses.Device;
        bool noisy = d.ReadNoiseStd > 0f, drifted = DriftTime > 0 && d.Drift.IsOn;
        if (!noisy && !drifted) return Weight;
        using var read = torch.empty_like(Weight);
        using (torch.no_grad()) Synapses.Read(TensorMemory.Float32(read, "read"), noisy, DriftTime);
        using var delta = (read - Weight).detach();
        return Weight.Plus(delta);
    }

    private sealed class DeviceBuffers(int offsets) : IDeviceStorage
    {
        public Tensor OffsetsTensor { get; } = torch.zeros(offsets, ScalarType.Float32);
        public Tensor ReadsTensor { get; } = torch.zeros(1, ScalarType.Int64);
        public Span<float> Offsets => TensorMemory.Cpu<float>(OffsetsTensor);
        public long Reads
        {
            get => TensorMemory.Cpu<long>(ReadsTensor)[0];
            set => TensorMemory.Cpu<long>(ReadsTensor)[0] = value;
        }
    }
}
