using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Devices;

/// <summary>Puts a model's weights on analog devices: float layers become <see cref="DeviceLinear"/> (the weight
/// domain), and LNS synapse layers take the device's write noise, read noise and drift (the code domain).</summary>
public static class DeviceModels
{
    /// <summary>
    /// A copy of <paramref name="model"/> (a <see cref="Sequential"/>, possibly nested) in which every <see cref="Linear"/>
    /// becomes a <see cref="DeviceLinear"/> of <paramref name="device"/> (tensor ids 0, 1, … in order); other layers are kept.
    /// </summary>
    public static Sequential FromFloat(nn.Module<Tensor, Tensor> model, DeviceModel device, DeviceSpec spec, double pScale, ulong seed,
        ISynapseBackend backend)
    {
        if (model is not Sequential seq)
            throw new ArgumentException($"device conversion needs a Sequential model, not {model.GetType().Name}.", nameof(model));
        uint next = 0;
        return Convert(seq, device, spec, pScale, seed, backend, ref next);
    }

    private static Sequential Convert(Sequential seq, DeviceModel device, DeviceSpec spec, double pScale, ulong seed, ISynapseBackend backend,
        ref uint next)
    {
        var children = new List<(string, nn.Module<Tensor, Tensor>)>();
        foreach (var (name, child) in seq.named_children())
        {
            nn.Module<Tensor, Tensor> converted = child switch
            {
                Linear lin => new DeviceLinear(name, lin, device, spec, pScale, next++, seed, backend),
                Sequential inner => Convert(inner, device, spec, pScale, seed, backend, ref next),
                nn.Module<Tensor, Tensor> m => m,
                _ => throw new ArgumentException($"layer '{name}' ({child.GetType().Name}) is not a tensor-to-tensor module."),
            };
            children.Add((name, converted));
        }
        return nn.Sequential(children.ToArray());
    }

    /// <summary>Makes every <see cref="LnsLinear"/> of <paramref name="model"/> an analog device of <paramref name="device"/>
    /// (<see cref="LnsLinear.UseDevice"/>); returns the model.</summary>
    public static nn.Module<Tensor, Tensor> WithDevice(nn.Module<Tensor, Tensor> model, DeviceModel device, ulong seed)
    {
        device.Validate();
        foreach (var l in model.modules().OfType<LnsLinear>()) l.UseDevice(device, seed);
        return model;
    }

    /// <summary>Sets the drift time (seconds since programming) at which every analog layer of <paramref name="model"/> is read.</summary>
    public static void SetDriftTime(nn.Module model, double seconds)
    {
        foreach (var m in model.modules())
        {
            if (m is DeviceLinear d) d.DriftTime = seconds;
            else if (m is LnsLinear l) l.DriftTime = seconds;
        }
    }
}
