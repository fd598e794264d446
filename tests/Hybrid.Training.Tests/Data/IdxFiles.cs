using System.Buffers.Binary;
using System.IO.Compression;

namespace Hybrid.Training.Tests.Data;

/// <summary>Writes IDX files (raw or gzipped, optionally damaged) for the reader's tests.</summary>
internal static class IdxFiles
{
    /// <summary>The bytes of an IDX file: magic 00 00 type ndims, big-endian dims, data.</summary>
    public static byte[] Bytes(int[] dims, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; ++i) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }

    public static string Write(string path, byte[] bytes, bool gzip = false)
    {
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    /// <summary>Deterministic pseudo-random bytes below <paramref name="bound"/>.</summary>
    public static byte[] Pattern(int n, int bound = 256, int salt = 0)
    {
        var data = new byte[n];
        for (int i = 0; i < n; ++i) data[i] = (byte)(((i + salt) * 2654435761u >> 13) % (uint)bound);
        return data;
    }

    /// <summary>
    /// Writes a small MNIST-format folder: <paramref name="train"/> and <paramref name="test"/>
    /// images of rows×cols with labels below <paramref name="classes"/>.
    /// </summary>
    public static void WriteMnistFolder(string folder, int train = 12, int test = 5, int rows = 4, int cols = 3,
        int classes = 10, bool gzip = false)
    {
        Directory.CreateDirectory(folder);
        string ext = gzip ? ".gz" : "";
        Write(Path.Combine(folder, "train-images-idx3-ubyte" + ext), Bytes([train, rows, cols], Pattern(train * rows * cols)), gzip);
        Write(Path.Combine(folder, "train-labels-idx1-ubyte" + ext), Bytes([train], Pattern(train, classes, 7)), gzip);
        Write(Path.Combine(folder, "t10k-images-idx3-ubyte" + ext), Bytes([test, rows, cols], Pattern(test * rows * cols, 256, 3)), gzip);
        Write(Path.Combine(folder, "t10k-labels-idx1-ubyte" + ext), Bytes([test], Pattern(test, classes, 11)), gzip);
    }
}

/// <summary>A fresh temporary folder per test, deleted afterwards.</summary>
public abstract class TempFolderTest
{
    protected string Folder { get; private set; } = "";

    [SetUp]
    public void MakeFolder()
    {
        Folder = Path.Combine(Path.GetTempPath(), "hybrid-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    [TearDown]
    public void RemoveFolder()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    protected string PathOf(string name) => Path.Combine(Folder, name);
}
