using Hybrid.Training;
using TorchSharp;

namespace Hybrid.Training.Tests;

public class TorchRuntimeTests
{
    [Test]
    public void TorchSharpLoads()
    {
        Assert.That(TorchRuntime.Available, Is.True, TorchRuntime.Detail);
        using var x = torch.arange(4, dtype: torch.float32);
        Assert.That(x.sum().item<float>(), Is.EqualTo(6f));
    }

    [Test]
    public void UnknownDeviceIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => TorchRuntime.Device("tpu"));
        Assert.That(ex!.Message, Does.Contain("valid: cpu"));
    }
}
