using Hybrid.Native;
using Hybrid.Native.Interop;

namespace Hybrid.Native.Tests.Safe;

/// <summary>The safe layer straight over libhybrid (no synapse-level checks in front): the
/// native validation gives typed exceptions carrying the native message; outputs stay unchanged.</summary>
public class SafeLayerTests
{
    private static readonly HybLnsFormat F8 = new() { Bits = 8, Gamma = 8f, WMax = 1f };

    [Test]
    public void NativeFormatErrorBecomesTypedExceptionWithMessage()
    {
        var f = F8;
        f.Bits = 9;
        var codes = new byte[4];
        var ex = Assert.Throws<HybridArgumentException>(() => LnsKernels.Encode(f, new float[4], codes));
        Assert.That(ex!.Status, Is.EqualTo(HybStatus.InvalidFormat));
        Assert.That(ex.NativeMessage, Does.Contain("hyb_lns_encode_u8").And.Contain("bits = 9"));
        Assert.That(ex.Message, Does.Contain("invalid LNS format"));
    }

    [Test]
    public void NativeNonFiniteErrorNamesTheElementAndWritesNothing()
    {
        var cfg = new HybLnsMadamConfig { Format = F8, Lr = 0.01f, Beta2 = 0.999f, GBound = 10f, Step = 1 };
        byte[] codes = [1, 2, 3];
        float[] v = [0.1f, 0.2f, 0.3f];
        var ex = Assert.Throws<HybridArgumentException>(() =>
            LnsKernels.MadamStep(cfg, codes, [0f, float.NaN, 0f], v));
        Assert.That(ex!.Status, Is.EqualTo(HybStatus.NonFinite));
        Assert.That(ex.NativeMessage, Does.Contain("grad[1]"));
        Assert.That(codes, Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(v, Is.EqualTo(new[] { 0.1f, 0.2f, 0.3f }));
    }

    [Test]
    public void SpanBoundsAreCheckedBeforeTheCall()
    {
        var ex = Assert.Throws<ArgumentException>(() => LnsKernels.Encode(F8, new float[3], new byte[4]));
        Assert.That(ex!.Message, Does.Contain("x has 3 elements but codes has 4"));
        Assert.Throws<ArgumentException>(() => RandomKernels.Philox(new uint[3], new uint[2], new uint[4]));
    }

    [Test]
    public void StatusNamesComeFromTheLibrary()
    {
        Assert.That(NativeStatus.Name(HybStatus.Overlap), Is.EqualTo("overlapping buffers"));
        Assert.That(NativeStatus.Name((HybStatus)999), Is.EqualTo("unknown status"));
        Assert.That(NativeStatus.Exception(HybStatus.CudaError, "x"), Is.InstanceOf<HybridException>());
    }

    [Test]
    public void BuildInfoMatchesTheBindings()
    {
        var b = LibraryInfo.Build();
        Assert.That(b.AbiVersion, Is.EqualTo(HybridConstants.HYB_ABI_VERSION));
        Assert.That(b.MaxThreads, Is.GreaterThanOrEqualTo(1));
        Assert.That(HybridLibrary.LoadedFrom, Does.EndWith("libhybrid.so"));
    }

    [Test]
    public void ThreadCountRejectsNegative()
    {
        var ex = Assert.Throws<HybridArgumentException>(() => CpuKernels.Threads = -3);
        Assert.That(ex!.NativeMessage, Does.Contain("count = -3"));
    }
}
