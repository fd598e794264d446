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

    /// <summary>The most elements (bytes) one IDX array may declare, unless a caller passes its own limit:
    /// 1 GiB, twenty times Fashion-MNIST's training images.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>Deflate's largest expansion: one compressed byte never inflates to more than 1032 bytes.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads the IDX file at <paramref name="path"/>: a regular file only (never a FIFO or device).</summary>
    /// <param name="path">A raw or gzip-compressed IDX file.</param>
    /// <param name="expectedDims">When given, the number of dimensions the file must have
    /// (3 for images, 1 for labels).</param>
    /// <param name="maxBytes">The most data bytes the file may declare (<see cref="DefaultMaxBytes"/>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is not valid IDX, not a regular file, or has other dimensions.</exception>
    public static IdxArray Read(string path, int? expectedDims = null, long maxBytes = DefaultMaxBytes)
    {
        try
        {
            Hybrid.Synapse.Files.RegularFile.Require(path, "an IDX file");
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(e.Message, e);
        }
        using var file = File.OpenRead(path);
        return Read(file, Path.GetFileName(path), expectedDims, maxBytes);
    }

    /// <summary>Reads an IDX array from <paramref name="stream"/>, named <paramref name="name"/> in messages.</summary>
    /// <remarks>Sizes are checked before anything large is allocated: a seekable raw stream must hold exactly the
    /// declared bytes; a gzip stream may declare no more than deflate could expand its compressed bytes to, and
    /// its buffer grows only as decompressed data arrives. A gzip file is one member, nothing after it.</remarks>
    /// <exception cref="IdxFormatException">The stream is not valid IDX, or has other dimensions.</exception>
    public static IdxArray Read(Stream stream, string name, int? expectedDims = null, long maxBytes = DefaultMaxBytes)
    {
        Span<byte> first = stackalloc byte[2];
        int got = ReadFully(stream, first, name);
        var prefix = first[..got].ToArray();
        // The first two bytes decide: gzip's magic is 1f 8b, an IDX file starts with 00 00.
        if (got == 2 && prefix[0] == 0x1f && prefix[1] == 0x8b)
        {
            long compressed = stream.CanSeek ? stream.Length : -1;
            if (compressed > maxBytes)
                throw new IdxFormatException($"{name}: {compressed} compressed bytes, more than the limit of {maxBytes}.");
            // the whole member in memory (bounded just above), so that what follows it can be checked
            using var all = new MemoryStream();
            all.Write(prefix);
            CopyBounded(stream, all, maxBytes, name);
            all.Position = 0;
            IdxArray idx;
            using (var gz = new GZipStream(all, CompressionMode.Decompress, leaveOpen: true))
            {
                try
                {
                    idx = ReadIdx(gz, name, [], expectedDims, gzip: true, Math.Min(maxBytes, MaxDeflateRatio * all.Length), knownSize: -1);
                }
                catch (InvalidDataException e)
                {
                    throw new IdxFormatException($"{name}: corrupt gzip stream ({e.Message}).", e);
                }
            }
            RequireTrailerAtEnd(all.GetBuffer().AsSpan(0, (int)all.Length), idx, name);
            return idx;
        }
        long remaining = stream.CanSeek ? stream.Length - stream.Position + got : -1;
        return ReadIdx(stream, name, prefix, expectedDims, gzip: false, maxBytes, remaining);
    }

    private static void CopyBounded(Stream from, Stream to, long maxBytes, string name)
    {
        var buffer = new byte[81920];
        int n;
        while ((n = from.Read(buffer)) > 0)
        {
            to.Write(buffer, 0, n);
            if (to.Length > maxBytes)
                throw new IdxFormatException($"{name}: more than the limit of {maxBytes} compressed bytes.");
        }
    }

    // A gzip member ends with CRC-32 and size (mod 2^32) of its data, little-endian; .NET's GZipStream checks
    // them but then ignores any bytes that do not start another member (issue 15 item 4). So the file must end
    // exactly with this member's trailer.
    private static void RequireTrailerAtEnd(ReadOnlySpan<byte> file, IdxArray idx, string name)
    {
        var header = IdxHeader(idx.Dims);
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(header);
        crc.Append(idx.Data);
        long size = header.Length + (long)idx.Data.Length;
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)size);
        if (file.Length < 18 || !file[^8..].SequenceEqual(trailer))
            throw new IdxFormatException(
                $"{name}: bytes follow the gzip stream (or it holds several gzip members); an IDX file is one gzip member and nothing after it.");
    }

    private static byte[] IdxHeader(int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        h[2] = TypeUByte;
        h[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; ++i) BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * i), dims[i]);
        return h;
    }

    private static IdxArray ReadIdx(Stream stream, string name, byte[] consumed, int? expectedDims, bool gzip, long maxBytes, long knownSize)
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
        long limit = Math.Min(maxBytes, Array.MaxLength);
        for (int i = 0; i < ndims; ++i)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (dims[i] <= 0)
                throw new IdxFormatException($"{name}: dimension {i} is {dims[i]}; every dimension must be positive.");
            total *= dims[i]; // ≤ 2^31 per factor, and we stop as soon as it passes the limit
            if (total > limit)
                throw new IdxFormatException($"{name}: declares {string.Join('×', dims[..(i + 1)])}… bytes, more than " +
                    (gzip ? $"its compressed size could hold or the limit ({limit} bytes)." : $"the limit of {limit} bytes."));
        }

        var shape = string.Join('×', dims);
        long headerLength = 4 + 4L * ndims;
        if (knownSize >= 0 && knownSize != headerLength + total)
            throw new IdxFormatException(knownSize < headerLength + total
                ? $"{name}: truncated: declares {shape} = {total} bytes but holds {knownSize - headerLength}."
                : $"{name}: {knownSize - headerLength - total} trailing bytes after the declared {shape} = {total} bytes.");
        var data = ReadGrowing(stream, total, name, out long have);
        if (have < total)
            throw new IdxFormatException($"{name}: truncated: declares {shape} = {total} bytes but holds {have}{unzipped}.");
        long trailing = CountRemaining(stream, name);
        if (trailing > 0)
            throw new IdxFormatException($"{name}: {trailing} trailing bytes after the declared {shape} = {total} bytes{unzipped}.");
        return new IdxArray(name, dims, data);
    }

    // Reads up to total bytes into a buffer that grows as data arrives, so a header that lies costs only what the
    // stream really holds.
    private static byte[] ReadGrowing(Stream stream, long total, string name, out long have)
    {
        var data = new byte[Math.Min(total, 1 << 20)];
        have = 0;
        while (true)
        {
            int n = ReadFully(stream, data.AsSpan((int)have), name);
            have += n;
            if (have < data.Length || have == total) break;
            Array.Resize(ref data, (int)Math.Min(total, 2L * data.Length));
        }
        if (have < data.Length) Array.Resize(ref data, (int)have);
        return data;
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
