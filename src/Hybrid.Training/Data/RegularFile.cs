using System.Runtime.InteropServices;

namespace Hybrid.Training.Data;

/// <summary>
/// What kind of file a path names, asked before opening it: opening a FIFO for reading blocks until
/// a writer comes (issue 15 item 4: <c>--data</c> on a FIFO hung forever), and a device can stream
/// without end. .NET reports no file type on Unix, so this asks the kernel with <c>statx(2)</c>,
/// whose struct layout is the same on every Linux architecture (glibc ≥ 2.28); elsewhere it
/// falls back to .NET's own checks.
/// </summary>
public static partial class RegularFile
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1; // STATX_TYPE
    private const int ModeOffset = 28;  // struct statx: stx_mask, stx_blksize (u32), stx_attributes (u64), stx_nlink, stx_uid, stx_gid (u32), stx_mode (u16)

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The file type of <paramref name="path"/> (symbolic links followed), or null if it cannot be told.</summary>
    public static unsafe string? Kind(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        byte* buffer = stackalloc byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        int mode = *(ushort*)(buffer + ModeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => "regular file",
            0x4000 => "directory",
            0x1000 => "FIFO (named pipe)",
            0x2000 => "character device",
            0x6000 => "block device",
            0xC000 => "socket",
            0xA000 => "symbolic link",
            _ => "unknown kind of file",
        };
    }

    /// <summary>Throws unless <paramref name="path"/> is a regular file (what <paramref name="what"/> must be).</summary>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    /// <exception cref="InvalidDataException">It is a directory, FIFO, device or socket.</exception>
    public static void Require(string path, string what)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a directory, not {what}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        var kind = Kind(path);
        if (kind is not null && kind != "regular file")
            throw new InvalidDataException($"{path}: is a {kind}, not {what}; only regular files are read.");
    }
}
