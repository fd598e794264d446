using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// A CUDA stream of the current device (non-blocking). Work queued on one stream runs in
/// order; pass <c>null</c> wherever a stream is taken for the legacy default stream.
/// </summary>
public sealed unsafe class CudaStream : SafeHandle
{
    /// <summary>Creates a stream on the current device.</summary>
    /// <exception cref="HybridException">CUDA is unavailable or failed.</exception>
    public CudaStream() : base(IntPtr.Zero, ownsHandle: true)
    {
        HybridLibrary.EnsureCompatible();
        void* s;
        NativeStatus.Check(HybridNative.hyb_cuda_stream_create(&s));
        SetHandle((IntPtr)s);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Waits until all work queued on this stream is done; throws on an asynchronous fault.</summary>
    public void Synchronize() => Synchronize(this);

    /// <summary>Waits for <paramref name="stream"/> (null: the default stream).</summary>
    public static void Synchronize(CudaStream? stream)
    {
        using var s = new HandleLease(stream);
        NativeStatus.Check(HybridNative.hyb_cuda_stream_synchronize(s.Pointer));
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => HybridNative.hyb_cuda_stream_destroy((void*)handle) == HybStatus.Ok;
}

/// <summary>A CUDA event for timing work on a stream (resolution about half a microsecond).</summary>
public sealed unsafe class CudaEvent : SafeHandle
{
    /// <summary>Creates an event.</summary>
    public CudaEvent() : base(IntPtr.Zero, ownsHandle: true)
    {
        HybridLibrary.EnsureCompatible();
        void* e;
        NativeStatus.Check(HybridNative.hyb_cuda_event_create(&e));
        SetHandle((IntPtr)e);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Records the event at the current end of <paramref name="stream"/>'s queue (null: default stream).</summary>
    public void Record(CudaStream? stream = null)
    {
        using var e = new HandleLease(this);
        using var s = new HandleLease(stream);
        NativeStatus.Check(HybridNative.hyb_cuda_event_record(e.Pointer, s.Pointer));
    }

    /// <summary>Waits until the event has happened.</summary>
    public void Synchronize()
    {
        using var e = new HandleLease(this);
        NativeStatus.Check(HybridNative.hyb_cuda_event_synchronize(e.Pointer));
    }

    /// <summary>Milliseconds from <paramref name="start"/> to <paramref name="end"/>, both recorded and completed.</summary>
    public static float ElapsedMilliseconds(CudaEvent start, CudaEvent end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        using var a = new HandleLease(start);
        using var b = new HandleLease(end);
        float ms;
        NativeStatus.Check(HybridNative.hyb_cuda_event_elapsed(a.Pointer, b.Pointer, &ms));
        return ms;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => HybridNative.hyb_cuda_event_destroy((void*)handle) == HybStatus.Ok;
}
