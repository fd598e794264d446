using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>What one CUDA device is (hyb_cuda_device_props).</summary>
/// <param name="Ordinal">The device's number, 0-based.</param>
/// <param name="Name">The device's name, e.g. "NVIDIA H200".</param>
/// <param name="TotalMemory">Bytes of device memory.</param>
/// <param name="ComputeMajor">Compute capability, major.</param>
/// <param name="ComputeMinor">Compute capability, minor.</param>
/// <param name="Multiprocessors">Streaming multiprocessors.</param>
/// <param name="MemoryClockKhz">Peak memory clock in kHz (0 if not reported).</param>
/// <param name="MemoryBusWidth">Memory bus width in bits (0 if not reported).</param>
/// <param name="DriverVersion">CUDA version the driver supports, 1000·major + 10·minor.</param>
/// <param name="RuntimeVersion">CUDA runtime compiled into libhybrid, 1000·major + 10·minor.</param>
public sealed record CudaDeviceInfo(int Ordinal, string Name, long TotalMemory, int ComputeMajor,
    int ComputeMinor, int Multiprocessors, int MemoryClockKhz, int MemoryBusWidth, int DriverVersion,
    int RuntimeVersion)
{
    /// <summary>Theoretical memory bandwidth in GB/s (double data rate × bus width), 0 if unknown.</summary>
    public double PeakBandwidthGBs => 2.0 * MemoryClockKhz * 1e3 * (MemoryBusWidth / 8) / 1e9;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name} (device {Ordinal}, compute {ComputeMajor}.{ComputeMinor}, {Multiprocessors} SMs, " +
        $"{TotalMemory / (1L << 30)} GiB; driver CUDA {Version(DriverVersion)}, runtime {Version(RuntimeVersion)})";

    private static string Version(int v) => $"{v / 1000}.{v % 1000 / 10}";
}

/// <summary>
/// libhybrid's CUDA devices: whether CUDA works here, which devices there are, the current
/// device. Every failure is a <see cref="HybridException"/> (status CudaUnavailable or
/// CudaError) carrying the CUDA runtime's own message.
/// </summary>
public static unsafe class Cuda
{
    private static readonly Lazy<(bool Available, string Reason)> Probed = new(ProbeOnce);

    /// <summary>
    /// Whether CUDA kernels can run here, and why not: libhybrid does not load, was built
    /// without CUDA, or finds no driver or device. Probed once per process.
    /// </summary>
    public static (bool Available, string Reason) Probe() => Probed.Value;

    private static (bool, string) ProbeOnce()
    {
        try
        {
            HybridLibrary.EnsureCompatible();
            int count;
            var status = HybridNative.hyb_cuda_device_count(&count);
            if (status != HybStatus.Ok) return (false, NativeStatus.LastErrorMessage());
            return (true, $"{count} device(s); current: {Device(CurrentDevice)}");
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException)
        {
            return (false, "libhybrid not loaded: " + e.Message);
        }
        catch (EntryPointNotFoundException e)
        {
            return (false, "this libhybrid has no CUDA entry points (built before them); rebuild it: " + e.Message);
        }
    }

    /// <summary>Throws <see cref="HybridException"/> (with the reason) unless CUDA works here.</summary>
    public static void EnsureAvailable()
    {
        HybridLibrary.EnsureCompatible(); // its own clear exception when libhybrid does not load
        var (ok, why) = Probe();
        if (!ok) throw new HybridException(HybStatus.CudaUnavailable, why);
    }

    /// <summary>Number of CUDA devices.</summary>
    public static int DeviceCount
    {
        get
        {
            HybridLibrary.EnsureCompatible();
            int n;
            NativeStatus.Check(HybridNative.hyb_cuda_device_count(&n));
            return n;
        }
    }

    /// <summary>The properties of device <paramref name="ordinal"/>.</summary>
    public static CudaDeviceInfo Device(int ordinal)
    {
        HybridLibrary.EnsureCompatible();
        HybCudaDeviceProps p;
        NativeStatus.Check(HybridNative.hyb_cuda_device_properties(ordinal, &p));
        return new CudaDeviceInfo(p.Ordinal, LibraryInfo.FixedString(p.Name, 256), p.TotalMemory,
            p.ComputeMajor, p.ComputeMinor, p.MultiprocessorCount, p.MemoryClockKhz, p.MemoryBusWidth,
            p.DriverVersion, p.RuntimeVersion);
    }

    /// <summary>The calling thread's current device, which allocations and kernels use.</summary>
    public static int CurrentDevice
    {
        get
        {
            HybridLibrary.EnsureCompatible();
            int d;
            NativeStatus.Check(HybridNative.hyb_cuda_device_get(&d));
            return d;
        }
        set
        {
            HybridLibrary.EnsureCompatible();
            NativeStatus.Check(HybridNative.hyb_cuda_device_set(value));
        }
    }

    /// <summary>Waits for all work on the current device; throws on an asynchronous fault.</summary>
    public static void Synchronize()
    {
        HybridLibrary.EnsureCompatible();
        NativeStatus.Check(HybridNative.hyb_cuda_device_synchronize());
    }

    /// <summary>Free and total bytes of the current device's memory.</summary>
    public static (long Free, long Total) MemoryInfo()
    {
        HybridLibrary.EnsureCompatible();
        long free, total;
        NativeStatus.Check(HybridNative.hyb_cuda_memory_info(&free, &total));
        return (free, total);
    }
}

/// <summary>Holds a <see cref="SafeHandle"/> alive (not released) for the span of a native call.</summary>
internal ref struct HandleLease
{
    private readonly SafeHandle? _handle;
    private bool _added;

    /// <summary>AddRefs <paramref name="handle"/> (null: nothing); throws <see cref="ObjectDisposedException"/> if it is closed.</summary>
    public HandleLease(SafeHandle? handle)
    {
        _handle = handle;
        _added = false;
        handle?.DangerousAddRef(ref _added);
    }

    /// <summary>The raw handle as a native pointer (NULL for a null handle).</summary>
    public readonly unsafe void* Pointer => _handle is null ? null : (void*)_handle.DangerousGetHandle();

    /// <summary>Releases the reference taken by the constructor.</summary>
    public void Dispose()
    {
        if (_added) _handle!.DangerousRelease();
        _added = false;
    }
}
