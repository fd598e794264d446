using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Hybrid.Synapse.Files;

/// <summary>
/// The one reader of every file Hybrid reads (docs/reliability.md "Readers that refuse politely"): regular files
/// only, asked of the kernel before opening (a FIFO blocks an open until a writer comes; <c>/dev/zero</c> or a link
/// to it streams without end), a size limit checked before and while reading, text that must be UTF-8, JSON with
/// a key given twice refused, and every error an <see cref="InvalidDataException"/> (or
/// <see cref="FileNotFoundException"/>) whose message starts with the file. It sits in the lowest managed layer
/// so that every reader above (IDX data, energy tables, run files, sweep files) can use it.
/// </summary>
/// <remarks>.NET reports no file type on Unix, so this asks <c>statx(2)</c>, whose struct layout is the same on
/// every Linux architecture (glibc ≥ 2.28); elsewhere it falls back to .NET's own checks.</remarks>
public static partial class RegularFile
{
    /// <summary>The default limit for a small metadata file (JSON, CSV): 64 MiB.</summary>
    public const long DefaultMaxBytes = 64L << 20;

    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;   // STATX_TYPE
    private const uint StatxIno = 0x100;  // STATX_INO
    private const int ModeOffset = 28;    // struct statx: stx_mask, stx_blksize (u32), stx_attributes (u64), stx_nlink, stx_uid, stx_gid (u32), stx_mode (u16)
    private const int InoOffset = 32;     // … then a u16 pad, stx_ino (u64)
    private const int DevMajorOffset = 136; // stx_dev_major, stx_dev_minor (u32), after the rdev pair at 128

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>JSON reading options for every file Hybrid reads: a key given twice is an error, never "the last
    /// one wins".</summary>
    public static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

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

    /// <summary>The (device, inode) of a path (links followed) or of an open file, or null if it cannot be told:
    /// whether a path still names the file a process opened (a lock file removed and recreated meanwhile).</summary>
    public static (ulong Device, ulong Inode)? Identity(string path) => IdentityOf(AtFdCwd, path, 0);

    /// <inheritdoc cref="Identity(string)"/>
    public static (ulong Device, ulong Inode)? Identity(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return IdentityOf((int)handle.DangerousGetHandle(), "", AtEmptyPath);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private static unsafe (ulong, ulong)? IdentityOf(int dirfd, string path, int flags)
    {
        if (!OperatingSystem.IsLinux()) return null;
        byte* buffer = stackalloc byte[256];
        try
        {
            if (Statx(dirfd, path, flags, StatxIno, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        ulong dev = ((ulong)*(uint*)(buffer + DevMajorOffset) << 32) | *(uint*)(buffer + DevMajorOffset + 4);
        return (dev, *(ulong*)(buffer + InoOffset));
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

    /// <summary>Opens a regular file for reading, after <see cref="Require"/> and a size check.</summary>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    /// <exception cref="InvalidDataException">Not a regular file, over <paramref name="maxBytes"/>, or unreadable.</exception>
    public static FileStream OpenRead(string path, string what, long maxBytes)
    {
        Require(path, what);
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is (IOException and not FileNotFoundException) or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read it ({e.Message}).", e);
        }
        if (fs.Length > maxBytes)
        {
            long length = fs.Length;
            fs.Dispose();
            throw new InvalidDataException($"{path}: {length} bytes, over the limit of {maxBytes} bytes for {what}.");
        }
        return fs;
    }

    /// <summary>Reads a whole regular file (<see cref="OpenRead"/>); never more than <paramref name="maxBytes"/>
    /// even if it grows meanwhile.</summary>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    /// <exception cref="InvalidDataException">Not a regular file, over the limit, or unreadable.</exception>
    public static byte[] ReadBytes(string path, string what, long maxBytes = DefaultMaxBytes)
    {
        using var fs = OpenRead(path, what, maxBytes);
        var buffer = new byte[fs.Length];
        try
        {
            fs.ReadExactly(buffer);
            if (fs.ReadByte() >= 0)
                throw new InvalidDataException($"{path}: grew while it was read; over the limit of {maxBytes} bytes for {what}, or not a stable file.");
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: shrank while it was read.", e);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: cannot read it ({e.Message}).", e);
        }
        return buffer;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a whole regular file as UTF-8 text (a byte-order mark is skipped).</summary>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    /// <exception cref="InvalidDataException">Not a regular file, over the limit, unreadable, or not UTF-8.</exception>
    public static string ReadText(string path, string what, long maxBytes = DefaultMaxBytes) =>
        DecodeText(ReadBytes(path, what, maxBytes), path);

    /// <summary>Decodes bytes read from <paramref name="source"/> as strict UTF-8 (a byte-order mark is skipped).</summary>
    /// <exception cref="InvalidDataException">They are not UTF-8; the message names the source.</exception>
    public static string DecodeText(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{source}: not UTF-8 text ({e.Message}).", e);
        }
    }

    /// <summary>Checks that a JSON text gives no key twice in any object (<see cref="StrictJson"/>), for readers
    /// whose parser would otherwise take the last one.</summary>
    /// <exception cref="InvalidDataException">It is not JSON, or a key is given twice; the message names the source.</exception>
    public static void RequireStrictJson(string text, string source)
    {
        try
        {
            using var _ = JsonDocument.Parse(text, StrictJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message.Split('\n')[0]}).", e);
        }
    }
}
