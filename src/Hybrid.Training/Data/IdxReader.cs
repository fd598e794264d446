using System.Buffers.Binary;
using System.IO.Compression;

namespace Hybrid.Training.Data;

/// <summary>An IDX array as read from a file: its dimensions and its unsigned bytes, row-major.</summary>
/// <param name="Source">The file it came from (for messages).</param>
/// <param name="Dims">The dimensions, outermost first (e.g. [60000, 28, 28]).</param>
/// <param name="Data">The elements, row-major; its length is the product of <paramref name="Dims"/>.</param>
public sealed record IdxArray(string Source, int[] Dims, byte[] Data)
{
    /// <summary>The dimensions as "60000×28×28".</summary>
    public string Shape => string.Join('×', Dims);
}

/// <summary>Thrown for a file that is not a valid IDX file, or not the one expected.</summary>
public sealed class IdxFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.,
/// http://yann.lecun.com/exdb/mnist/): a magic number <c>00 00 &lt;type&gt; &lt;ndims&gt;</c>,
/// <c>ndims</c> big-endian int32 dimensions, then the elements row-major. A file is read raw or
/// through gzip, decided by its first two bytes (0x1f 0x8b), never by its name.
/// </summary>
/// <remarks>
/// Only element type 0x08 (unsigned byte, what MNIST-format data sets use) is supported; 0x09
/// (signed byte), 0x0B (int16), 0x0C (int32), 0x0D (float32) and 0x0E (float64) are recognised
/// and rejected by name, any other type byte is reported as unknown. Every problem — a bad
/// magic number, the wrong number of dimensions, a zero or negative dimension, a file shorter
/// than it declares, bytes after the declared data, a corrupt gzip stream — raises an
/// <see cref="IdxFormatException"/> whose message starts with the file name and says what is wrong.
/// </remarks>
public static class IdxReader
{
    /// <summary>The element type byte for unsigned bytes, the one type this reader accepts.</summary>
    public const byte TypeUByte = 0x08;

    private const int MaxDims = 8;

    /// <summary>Reads the IDX file at <paramref name="path"/>.</summary>
    /// <param name="path">A raw or gzip-compressed IDX file.</param>
    /// <param name="expectedDims">When given, the number of dimensions the file must have
    /// (3 for images, 1 for labels).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is not valid IDX, or has other dimensions.</exception>
    public static IdxArray Read(string path, int? expectedDims = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        using var file = File.OpenRead(path);
        return Read(file, Path.GetFileName(path), expectedDims);
    }

    /// <summary>Reads an IDX array from <paramref name="stream"/>, named <paramref name="name"/> in messages.</summary>
    /// <exception cref="IdxFormatException">The stream is not valid IDX, or has other dimensions.</exception>
    public static IdxArray Read(Stream stream, string name, int? expectedDims = null)
    {
        Span<byte> first = stackalloc byte[2];
        int got = ReadFully(stream, first, name);
        var prefix = first[..got].ToArray();
        // The first two bytes decide: gzip's magic is 1f 8b, an IDX file starts with 00 00.
        if (got == 2 && prefix[0] == 0x1f && prefix[1] == 0x8b)
        {
            using var gz = new GZipStream(new PrefixedStream(prefix, stream), CompressionMode.Decompress, leaveOpen: true);
            try
            {
                return ReadIdx(gz, name, [], expectedDims, gzip: true);
            }
            catch (InvalidDataException e)
            {
                throw new IdxFormatException($"{name}: corrupt gzip stream ({e.Message}).", e);
            }
        }
        return ReadIdx(stream, name, prefix, expectedDims, gzip: false);
    }

    private static IdxArray ReadIdx(Stream stream, string name, byte[] consumed, int? expectedDims, bool gzip)
    {
        // Sizes in messages are decompressed bytes; .NET reads a cut-off gzip stream as a short one.
        string unzipped = gzip ? " (after gunzip)" : "";
        var header = new byte[4];
        consumed.CopyTo(header, 0);
        int headerBytes = consumed.Length + ReadFully(stream, header.AsSpan(consumed.Length), name);
        if (headerBytes < 4)
            throw new IdxFormatException($"{name}: {headerBytes} bytes is too short for an IDX header (4-byte magic number){unzipped}.");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (header[0] != 0 || header[1] != 0)
            throw new IdxFormatException(
                $"{name}: not an IDX file: magic number 0x{magic:X8}, expected 0x0000TTNN (two zero bytes, a type byte, a dimension count).");
        byte type = header[2];
        if (type != TypeUByte)
            throw new IdxFormatException(
                $"{name}: element type 0x{type:X2} ({TypeName(type)}) is not supported; only 0x08 (unsigned byte) is.");
        int ndims = header[3];
        if (ndims == 0 || ndims > MaxDims)
            throw new IdxFormatException($"{name}: declares {ndims} dimensions; an IDX file here has 1 to {MaxDims}.");
        if (expectedDims is int want && ndims != want)
            throw new IdxFormatException(
                $"{name}: has {ndims} dimension{(ndims == 1 ? "" : "s")}, expected {want} ({DimsMeaning(want)}).");

        var dimBytes = new byte[4 * ndims];
        int gotDims = ReadFully(stream, dimBytes, name);
        if (gotDims < dimBytes.Length)
            throw new IdxFormatException($"{name}: truncated header: {ndims} dimensions need {dimBytes.Length} bytes, the file holds {gotDims}{unzipped}.");
        var dims = new int[ndims];
        long total = 1;
        for (int i = 0; i < ndims; ++i)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] <= 0)
                throw new IdxFormatException($"{name}: dimension {i} is {dims[i]}; every dimension must be positive.");
            total *= dims[i]; // ≤ 2^31 per factor, and we stop as soon as it passes Array.MaxLength
            if (total > Array.MaxLength)
                throw new IdxFormatException($"{name}: declares {string.Join('×', dims[..(i + 1)])}… elements, more than one array can hold.");
        }

        var shape = string.Join('×', dims);
        var data = new byte[total];
        int have = ReadFully(stream, data, name);
        if (have < total)
            throw new IdxFormatException($"{name}: truncated: declares {shape} = {total} bytes but holds {have}{unzipped}.");
        long trailing = CountRemaining(stream, name);
        if (trailing > 0)
            throw new IdxFormatException($"{name}: {trailing} trailing bytes after the declared {shape} = {total} bytes{unzipped}.");
        return new IdxArray(name, dims, data);
    }

    private static int ReadFully(Stream stream, Span<byte> buffer, string name)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = stream.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException($"{name}: corrupt gzip stream after {total} bytes of this read ({e.Message}).", e);
        }
        return total;
    }

    private static long CountRemaining(Stream stream, string name)
    {
        var scratch = new byte[64 * 1024];
        long count = 0;
        int n;
        while ((n = ReadFully(stream, scratch, name)) > 0) count += n;
        return count;
    }

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type",
    };

    private static string DimsMeaning(int dims) => dims switch
    {
        1 => "labels: N",
        3 => "images: N×rows×columns",
        _ => $"{dims}-D array",
    };

    /// <summary>A read-only stream that replays a few already-read bytes before the rest of another stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _pos;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_pos < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _pos);
                prefix.AsSpan(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }
            return rest.Read(buffer);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
