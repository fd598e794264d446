using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Data;

/// <summary>Exact tensor comparison (TorchSharp's <c>equal</c> is elementwise and returns a tensor).</summary>
internal static class TensorCompare
{
    /// <summary>Same dtype, same shape, every element equal (bitwise for non-NaN values).</summary>
    public static bool SameAs(this Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var bCpu = b.to(a.device);
        using var eq = a.eq(bCpu);
        using var all = eq.all();
        return all.item<bool>();
    }
}
