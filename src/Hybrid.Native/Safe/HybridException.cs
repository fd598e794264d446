using System.Runtime.InteropServices;
using Hybrid.Native.Interop;

namespace Hybrid.Native;

/// <summary>A failure reported by libhybrid that is not about an argument (memory, CUDA, internal).</summary>
public class HybridException : Exception
{
    /// <summary>Creates the exception for a native status and its message.</summary>
    public HybridException(HybStatus status, string nativeMessage)
        : base(NativeStatus.Describe(status, nativeMessage)) =>
        (Status, NativeMessage) = (status, nativeMessage);

    /// <summary>The native status code.</summary>
    public HybStatus Status { get; }

    /// <summary>The native library's own message (hyb_last_error_message).</summary>
    public string NativeMessage { get; }
}

/// <summary>libhybrid rejected an argument (length, format, value, overlap, non-finite input).</summary>
public class HybridArgumentException : ArgumentException
{
    /// <summary>Creates the exception for a native status and its message.</summary>
    public HybridArgumentException(HybStatus status, string nativeMessage)
        : base(NativeStatus.Describe(status, nativeMessage)) =>
        (Status, NativeMessage) = (status, nativeMessage);

    /// <summary>The native status code.</summary>
    public HybStatus Status { get; }

    /// <summary>The native library's own message (hyb_last_error_message).</summary>
    public string NativeMessage { get; }
}

/// <summary>Turns native status codes into exceptions that carry the native message.</summary>
public static class NativeStatus
{
    /// <summary>Throws the exception for <paramref name="status"/> unless it is <see cref="HybStatus.Ok"/>.
    /// Must run on the thread that made the failing call (the message is thread-local).</summary>
    public static void Check(HybStatus status)
    {
        if (status == HybStatus.Ok) return;
        throw Exception(status, LastErrorMessage());
    }

    /// <summary>Reads a value through a native getter of a loaded, ABI-compatible library
    /// (<c>T v; Check(get(&amp;v)); return v;</c>).</summary>
    public static unsafe T Get<T>(delegate*<T*, HybStatus> get) where T : unmanaged
    {
        HybridLibrary.EnsureCompatible();
        T value;
        Check(get(&value));
        return value;
    }

    /// <summary>Passes a value to a native setter of a loaded, ABI-compatible library; throws on its status.</summary>
    public static unsafe void Set<T>(delegate*<T, HybStatus> set, T value) where T : unmanaged
    {
        HybridLibrary.EnsureCompatible();
        Check(set(value));
    }

    /// <summary>The exception type for a status: argument problems become
    /// <see cref="HybridArgumentException"/>, everything else <see cref="HybridException"/>.</summary>
    public static Exception Exception(HybStatus status, string message) => status switch
    {
        HybStatus.NullPointer or HybStatus.InvalidLength or HybStatus.InvalidFormat
            or HybStatus.InvalidArgument or HybStatus.NonFinite or HybStatus.Overlap
            or HybStatus.InvalidCode or HybStatus.BufferTooSmall
            => new HybridArgumentException(status, message),
        _ => new HybridException(status, message),
    };

    /// <summary>The native name of a status ("invalid LNS format").</summary>
    public static unsafe string Name(HybStatus status) =>
        Marshal.PtrToStringUTF8((IntPtr)HybridNative.hyb_status_string(status)) ?? status.ToString();

    /// <summary>The calling thread's last native error message.</summary>
    public static unsafe string LastErrorMessage() =>
        Marshal.PtrToStringUTF8((IntPtr)HybridNative.hyb_last_error_message()) ?? "";

    internal static string Describe(HybStatus status, string message) =>
        $"libhybrid: {Name(status)} ({(int)status}): {message}";
}
