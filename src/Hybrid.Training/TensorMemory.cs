using Hybrid.Synapse.Backends;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training;

/// <summary>
/// Zero-copy views of CPU tensors for the native kernels: a writable span over the tensor's own
/// storage (<c>storage&lt;T&gt;().data_ptr()</c> plus <c>storage_offset()</c> elements, as checked
/// in DESIGN.md). Only contiguous CPU tensors of the right dtype qualify; anything else is a
/// clear error, never a silent copy.
/// </summary>
public static class TensorMemory
{
    /// <summary>Throws unless <paramref name="t"/> is a contiguous CPU float32 tensor.</summary>
    public static void RequireCpuFloat32(Tensor t, string name)
    {
        if (t.device_type != DeviceType.CPU)
            throw new NotSupportedException($"{name} is on {t.device}; the native CPU kernel needs a CPU tensor.");
        if (t.dtype != ScalarType.Float32)
            throw new NotSupportedException($"{name} is {t.dtype}; the native kernel needs float32.");
        if (!t.is_contiguous())
            throw new NotSupportedException($"{name} is not contiguous; call .contiguous() first.");
        if (t.numel() > int.MaxValue)
            throw new NotSupportedException($"{name} has {t.numel()} elements; spans hold at most 2^31 − 1.");
    }

    /// <summary>The tensor's elements as a writable span (no copy). Keep the tensor alive while using it.</summary>
    public static Span<float> Float32(Tensor t, string name)
    {
        RequireCpuFloat32(t, name);
        return Cpu<float>(t);
    }

    /// <summary>
    /// A contiguous CPU tensor's elements as a writable span of <typeparamref name="T"/> (which must
    /// match the tensor's dtype; TorchSharp checks). No copy; keep the tensor alive while using it.
    /// </summary>
    public static unsafe Span<T> Cpu<T>(Tensor t) where T : unmanaged
    {
        using var storage = t.storage<T>();
        return new Span<T>((T*)storage.data_ptr() + t.storage_offset(), (int)t.numel());
    }

    /// <summary>
    /// A view of a contiguous CUDA tensor's device storage (storage pointer plus offset) for the
    /// synapse layer's device kernels. Untested on our machines, which have no GPU.
    /// </summary>
    public static unsafe DeviceMemory<T> Device<T>(Tensor t, string name) where T : unmanaged
    {
        if (t.device_type != DeviceType.CUDA) throw new NotSupportedException($"{name} is on {t.device}, not a CUDA device.");
        if (!t.is_contiguous()) throw new NotSupportedException($"{name} is not contiguous; call .contiguous() first.");
        using var storage = t.storage<T>();
        return new DeviceMemory<T>((nint)((T*)storage.data_ptr() + t.storage_offset()), t.numel());
    }

    /// <summary>A view of a contiguous float32 CUDA tensor's device storage.</summary>
    public static DeviceMemory<float> Device(Tensor t, string name)
    {
        if (t.dtype != ScalarType.Float32) throw new NotSupportedException($"{name} is {t.dtype}; the kernel needs float32.");
        return Device<float>(t, name);
    }
}
