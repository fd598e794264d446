using Hybrid.Native;
using Hybrid.Native.Interop;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests.Support;

namespace Hybrid.Native.Tests.Safe;

/// <summary>
/// The CUDA safe layer on a GPU: device buffers, host and device copies, memset, streams,
/// events, and kernels on device buffers against the CPU kernels. Skipped (with the reason)
/// where CUDA cannot run; the kernels' bit-identity over every length, B and option is the
/// parameterised cross-checks' job (native-cuda joins them when a GPU is present) and
/// native/tests/test_cuda.c's.
/// </summary>
[TestFixture]
[Category("Cuda")]
public class CudaTests
{
    [OneTimeSetUp]
    public void RequireGpu()
    {
        var (ok, why) = Cuda.Probe();
        if (!ok) Assert.Ignore("No CUDA here: " + why);
        TestContext.Progress.WriteLine("CUDA: " + why);
    }

    [Test]
    public void DeviceIsDescribed()
    {
        Assert.That(Cuda.DeviceCount, Is.GreaterThanOrEqualTo(1));
        var d = Cuda.Device(Cuda.CurrentDevice);
        Assert.Multiple(() =>
        {
            Assert.That(d.Name, Is.Not.Empty);
            Assert.That(d.TotalMemory, Is.GreaterThan(1L << 28));
            Assert.That(d.ComputeMajor, Is.GreaterThanOrEqualTo(7), "libhybrid targets sm_70 and newer");
            Assert.That(d.Multiprocessors, Is.GreaterThan(0));
            Assert.That(d.RuntimeVersion, Is.GreaterThanOrEqualTo(12000));
        });
        var (free, total) = Cuda.MemoryInfo();
        Assert.That(free, Is.InRange(1L, total));
    }

    [Test]
    public void BufferRoundTripsAndCopies()
    {
        var data = TestData.Normal(10_007, 1);
        using var a = CudaBuffer<float>.From(data);
        using var b = new CudaBuffer<float>(data.Length);
        Assert.That(a.ByteLength, Is.EqualTo(4L * data.Length));
        b.CopyFrom(a);
        Assert.That(b.ToArray(), Is.EqualTo(data));
        b.Clear(0xFF);
        var bytes = new byte[4 * data.Length];
        using (var raw = new CudaBuffer<byte>(bytes.Length))
        {
            raw.Clear(0x7E);
            raw.CopyTo(bytes);
        }
        Assert.That(bytes, Is.All.EqualTo(0x7E));
        Assert.That(b.ToArray().All(float.IsNaN), "0xFF bytes are NaNs");
    }

    [Test]
    public void EmptyBufferIsFine()
    {
        using var e = new CudaBuffer<float>(0);
        e.CopyFrom(ReadOnlySpan<float>.Empty);
        Assert.That(e.ToArray(), Is.Empty);
        Assert.That(e.DevicePointer, Is.EqualTo(IntPtr.Zero));
    }

    [Test]
    public void LengthsAreChecked()
    {
        using var a = new CudaBuffer<float>(8);
        using var c = new CudaBuffer<byte>(9);
        var ex = Assert.Throws<ArgumentException>(() => a.CopyFrom(new float[7]));
        Assert.That(ex!.Message, Does.Contain("7 elements"));
        Assert.Throws<ArgumentException>(() => a.CopyTo(new float[9]));
        var f = new HybLnsFormat { Bits = 8, Gamma = 8f, WMax = 1f };
        ex = Assert.Throws<ArgumentException>(() => CudaKernels.LnsEncode(f, a, c));
        Assert.That(ex!.Message, Does.Contain("must match"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new CudaBuffer<float>(-1));
    }

    [Test]
    public void DisposedBufferIsRefused()
    {
        var a = new CudaBuffer<float>(4);
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.CopyFrom(new float[4]));
        Assert.Throws<ObjectDisposedException>(() => _ = a.DevicePointer);
    }

    [Test]
    public void KernelErrorsNameTheProblemAndWriteNothing()
    {
        var f = new HybLnsFormat { Bits = 12, Gamma = 64f, WMax = 1f };
        var codes = TestData.Codes<ushort>(100, 12, 3);
        codes[61] = 1 << 12;
        using var dc = CudaBuffer<ushort>.From(codes);
        using var dx = new CudaBuffer<float>(100);
        dx.Clear();
        var ex = Assert.Throws<HybridArgumentException>(() => CudaKernels.LnsDecode(f, dc, dx));
        Assert.That(ex!.Message, Does.Contain("hyb_cuda_lns_decode_u16: codes[61] = 4096"));
        Assert.That(dx.ToArray(), Is.All.EqualTo(0f), "nothing written");
        var bad = f with { Bits = 1 };
        ex = Assert.Throws<HybridArgumentException>(() => CudaKernels.LnsDecode(bad, dc, dx));
        Assert.That(ex!.Status, Is.EqualTo(HybStatus.InvalidFormat));
    }

    [Test]
    public void StreamsAndEventsTimeQueuedWork()
    {
        const int n = 1 << 20;
        var x = TestData.Normal(n, 5, 0.3f);
        var f = new HybLnsFormat { Bits = 8, Gamma = 8f, WMax = 1f };
        using var stream = new CudaStream();
        using var start = new CudaEvent();
        using var end = new CudaEvent();
        using var dx = CudaBuffer<float>.From(x, stream);
        using var dc = new CudaBuffer<byte>(n);
        using var back = new CudaBuffer<float>(n);
        start.Record(stream);
        CudaKernels.LnsEncode(f, dx, dc, stream);
        CudaKernels.LnsDecode(f, dc, back, stream);
        end.Record(stream);
        end.Synchronize();
        var ms = CudaEvent.ElapsedMilliseconds(start, end);
        Assert.That(ms, Is.InRange(0f, 10_000f));
        stream.Synchronize();
        var want = new byte[n];
        LnsKernels.Encode(f, x, want);
        Assert.That(dc.ToArray(stream), Is.EqualTo(want));
        var wantX = new float[n];
        LnsKernels.Decode(f, want, wantX);
        TestData.AssertIdentical<float>(wantX, back.ToArray(stream), "decoded on a stream");
    }

    [Test]
    public void StepOnDeviceBuffersMatchesTheCpu([Values] RoundingMode rounding)
    {
        const int n = 300_001;
        var s = new LnsMadamSettings(new LnsFormat(8, 8f, 1f), 1, 0.05f, Rounding: rounding, Seed: 11);
        var codes = TestData.Codes<byte>(n, 8, 2);
        var g = TestData.Gradient(n, 4);
        var v = new float[n];
        using var dc = CudaBuffer<byte>.From(codes);
        using var dg = CudaBuffer<float>.From(g);
        using var dv = CudaBuffer<float>.From(v);
        var cfg = InteropMapping.ToNative(s);
        var got = CudaKernels.LnsMadamStep(cfg, dc, dg, dv);
        var want = LnsKernels.MadamStep(cfg, codes, g, v);
        Assert.That(got, Is.EqualTo(want));
        TestData.AssertIdentical<byte>(codes, dc.ToArray(), "codes");
        TestData.AssertIdentical<float>(v, dv.ToArray(), "v");
        Assert.That(CudaKernels.Rms(dg), Is.EqualTo(MadamKernels.Rms(g)));
    }

    [Test]
    public void CudaBackendIsRegistered()
    {
        Assert.That(SynapseBackends.Available.Select(b => b.Name), Does.Contain("native-cuda"));
        var status = SynapseBackends.Describe().Single(b => b.Name == "native-cuda");
        Assert.That(status.Available, status.Detail);
    }
}

/// <summary>Where CUDA cannot run, everything says why instead of failing obscurely.</summary>
[TestFixture]
public class CudaUnavailableTests
{
    [Test]
    public void NoGpuIsReportedClearly()
    {
        var (ok, why) = Cuda.Probe();
        if (ok) Assert.Ignore("A GPU is present: " + why);
        Assert.That(why, Is.Not.Empty);
        var build = SynapseBackends.NativeBuildInfo()!;
        var status = SynapseBackends.Describe().Single(b => b.Name == "native-cuda");
        Assert.That(status.Available, Is.False);
        Assert.That(status.Detail, build.CudaCompiled ? Does.StartWith("no usable CUDA device: ") : Does.Contain("built without CUDA"));
        Assert.That(SynapseBackends.Available.Select(b => b.Name), Does.Not.Contain("native-cuda"));
        var ex = Assert.Throws<HybridException>(() => _ = new CudaBuffer<float>(16));
        Assert.That(ex!.Status, Is.EqualTo(HybStatus.CudaUnavailable));
        Assert.That(ex.Message, build.CudaCompiled ? Does.Contain("cudaMalloc") : Does.Contain("built without CUDA"));
        ex = Assert.Throws<HybridException>(() => Cuda.EnsureAvailable());
        Assert.That(ex!.Message, Does.Contain(why));
    }
}
