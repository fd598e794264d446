using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>
/// A buffer of <see cref="Length"/> elements of <typeparamref name="T"/> in the current CUDA
/// device's memory, freed (hyb_cuda_free) when disposed or finalised. Copies to and from host
/// spans check lengths first; host copies return when the host span may be reused, device
/// copies and <see cref="Clear"/> are queued on the stream.
/// </summary>
/// <typeparam name="T">A blittable element type.</typeparam>
public sealed unsafe class CudaBuffer<T> : SafeHandle where T : unmanaged
{
    /// <summary>Allocates <paramref name="length"/> elements (contents undefined; 0 is allowed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">length is negative or too large.</exception>
    /// <exception cref="HybridException">CUDA is unavailable, out of memory (status OutOfMemory) or failed.</exception>
    public CudaBuffer(long length) : base(IntPtr.Zero, ownsHandle: true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > long.MaxValue / sizeof(T))
            throw new ArgumentOutOfRangeException(nameof(length), length, "too many elements for a byte count");
        HybridLibrary.EnsureCompatible();
        Length = length;
        void* p;
        NativeStatus.Check(HybridNative.hyb_cuda_malloc(&p, ByteLength));
        SetHandle((IntPtr)p);
    }

    private readonly bool _owns = true;

    private CudaBuffer(IntPtr devicePointer, long length) : base(IntPtr.Zero, ownsHandle: false)
    {
        _owns = false;
        Length = length;
        SetHandle(devicePointer);
    }

    /// <summary>
    /// A non-owning view of <paramref name="length"/> elements at <paramref name="devicePointer"/>,
    /// memory that someone else allocated (a TorchSharp CUDA tensor's storage, say): the kernels
    /// run on it in place, and disposing the view frees nothing. The owner must keep the memory
    /// alive while the view is used. libhybrid checks that the address is device memory before
    /// any kernel touches it.
    /// </summary>
    /// <exception cref="ArgumentException">A null address with a non-zero length, or a negative length.</exception>
    public static CudaBuffer<T> View(IntPtr devicePointer, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (devicePointer == IntPtr.Zero && length > 0)
            throw new ArgumentException($"a view of {length} elements needs a device address, not null.", nameof(devicePointer));
        if (length > long.MaxValue / sizeof(T))
            throw new ArgumentOutOfRangeException(nameof(length), length, "too many elements for a byte count");
        HybridLibrary.EnsureCompatible();
        return new CudaBuffer<T>(devicePointer, length);
    }

    /// <summary>Whether this buffer owns its memory (false for a <see cref="View"/>).</summary>
    public bool OwnsMemory => _owns;

    /// <summary>A new buffer holding a copy of <paramref name="source"/>.</summary>
    public static CudaBuffer<T> From(ReadOnlySpan<T> source, CudaStream? stream = null)
    {
        var b = new CudaBuffer<T>(source.Length);
        try
        {
            b.CopyFrom(source, stream);
            return b;
        }
        catch
        {
            b.Dispose();
            throw;
        }
    }

    /// <summary>Elements in the buffer.</summary>
    public long Length { get; }

    /// <summary>Bytes in the buffer.</summary>
    public long ByteLength => Length * sizeof(T);

    /// <summary>A zero-length buffer holds no memory (its pointer is null); it is still valid.</summary>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The device address, for passing to other CUDA code; valid while the buffer is not disposed.</summary>
    public IntPtr DevicePointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return handle;
        }
    }

    /// <summary>Copies <paramref name="source"/> (exactly <see cref="Length"/> elements) to the device.</summary>
    public void CopyFrom(ReadOnlySpan<T> source, CudaStream? stream = null)
    {
        CheckLength(source.Length, nameof(source));
        using var d = new HandleLease(this);
        using var s = new HandleLease(stream);
        fixed (T* p = source)
            NativeStatus.Check(HybridNative.hyb_cuda_memcpy_htod(d.Pointer, p, ByteLength, s.Pointer));
    }

    /// <summary>Copies the buffer into <paramref name="destination"/> (exactly <see cref="Length"/> elements).</summary>
    public void CopyTo(Span<T> destination, CudaStream? stream = null)
    {
        CheckLength(destination.Length, nameof(destination));
        using var d = new HandleLease(this);
        using var s = new HandleLease(stream);
        fixed (T* p = destination)
            NativeStatus.Check(HybridNative.hyb_cuda_memcpy_dtoh(p, d.Pointer, ByteLength, s.Pointer));
    }

    /// <summary>Queues a copy of another buffer of the same length into this one.</summary>
    public void CopyFrom(CudaBuffer<T> source, CudaStream? stream = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckLength(source.Length, nameof(source));
        if (ReferenceEquals(source, this))
            throw new ArgumentException("A buffer cannot be copied onto itself.", nameof(source));
        using var d = new HandleLease(this);
        using var src = new HandleLease(source);
        using var s = new HandleLease(stream);
        NativeStatus.Check(HybridNative.hyb_cuda_memcpy_dtod(d.Pointer, src.Pointer, ByteLength, s.Pointer));
    }

    /// <summary>Queues setting every byte to <paramref name="value"/> (0 by default).</summary>
    public void Clear(byte value = 0, CudaStream? stream = null)
    {
        using var d = new HandleLease(this);
        using var s = new HandleLease(stream);
        NativeStatus.Check(HybridNative.hyb_cuda_memset(d.Pointer, value, ByteLength, s.Pointer));
    }

    /// <summary>The buffer's contents as a new array.</summary>
    public T[] ToArray(CudaStream? stream = null)
    {
        if (Length > Array.MaxLength)
            throw new InvalidOperationException($"{Length} elements do not fit in an array.");
        var a = new T[Length];
        CopyTo(a, stream);
        return a;
    }

    private void CheckLength(long other, string name)
    {
        if (other != Length)
            throw new ArgumentException($"{name} has {other} elements but the device buffer has {Length}; they must match.", name);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => HybridNative.hyb_cuda_free((void*)handle) == HybStatus.Ok;
}
