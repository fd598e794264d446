using Hybrid.Training.Data;

namespace Hybrid.Training.Tests.Data;

public class IdxReaderTests : TempFolderTest
{
    [TestCase(false)]
    [TestCase(true)]
    public void ImagesRoundTrip(bool gzip)
    {
        var data = IdxFiles.Pattern(5 * 4 * 3);
        var path = IdxFiles.Write(PathOf("images" + (gzip ? ".gz" : "")), IdxFiles.Bytes([5, 4, 3], data), gzip);
        var idx = IdxReader.Read(path, expectedDims: 3);
        Assert.That(idx.Dims, Is.EqualTo(new[] { 5, 4, 3 }));
        Assert.That(idx.Data, Is.EqualTo(data));
        Assert.That(idx.Shape, Is.EqualTo("5×4×3"));
        Assert.That(idx.Source, Is.EqualTo(Path.GetFileName(path)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void LabelsRoundTrip(bool gzip)
    {
        var data = IdxFiles.Pattern(17, 10);
        var path = IdxFiles.Write(PathOf("labels"), IdxFiles.Bytes([17], data), gzip);
        var idx = IdxReader.Read(path, expectedDims: 1);
        Assert.That(idx.Dims, Is.EqualTo(new[] { 17 }));
        Assert.That(idx.Data, Is.EqualTo(data));
    }

    [Test]
    public void GzipIsDetectedByMagicNotByName()
    {
        var data = IdxFiles.Pattern(6);
        var gzNamedRaw = IdxFiles.Write(PathOf("plain-name"), IdxFiles.Bytes([6], data), gzip: true);
        var rawNamedGz = IdxFiles.Write(PathOf("looks.gz"), IdxFiles.Bytes([6], data), gzip: false);
        Assert.That(IdxReader.Read(gzNamedRaw).Data, Is.EqualTo(data));
        Assert.That(IdxReader.Read(rawNamedGz).Data, Is.EqualTo(data));
    }

    [Test]
    public void ZeroDimensionIsAnError()
    {
        var path = IdxFiles.Write(PathOf("zero-dim"), IdxFiles.Bytes([0, 28, 28], []));
        AssertFails(path, "zero-dim", "dimension 0 is 0");
    }

    [Test]
    public void BadMagicNamesFileAndMagic()
    {
        var bytes = IdxFiles.Bytes([3], [1, 2, 3]);
        bytes[0] = 0x12;
        bytes[1] = 0x34;
        var path = IdxFiles.Write(PathOf("bad-magic"), bytes);
        AssertFails(path, "bad-magic: not an IDX file", "0x12340801");
    }

    [TestCase(0x0D, "float32")]
    [TestCase(0x0C, "int32")]
    [TestCase(0x09, "signed byte")]
    [TestCase(0x42, "unknown type")]
    public void OtherElementTypesAreRejectedByName(int type, string name)
    {
        var path = IdxFiles.Write(PathOf("typed"), IdxFiles.Bytes([4], [0, 0, 0, 0], (byte)type));
        AssertFails(path, "typed: element type", name, "only 0x08 (unsigned byte)");
    }

    [Test]
    public void WrongDimensionCountIsNamed()
    {
        var path = IdxFiles.Write(PathOf("train-images-idx3-ubyte"), IdxFiles.Bytes([2, 3], new byte[6]));
        AssertFails(path, 3, "train-images-idx3-ubyte: has 2 dimensions, expected 3", "images");
        AssertFails(path, 1, "has 2 dimensions, expected 1", "labels");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TruncatedDataSaysDeclaredAndHeldBytes(bool gzip)
    {
        var full = IdxFiles.Bytes([5, 4, 3], IdxFiles.Pattern(60));
        var cut = full[..^10];
        var name = "train-images-idx3-ubyte" + (gzip ? ".gz" : "");
        var path = IdxFiles.Write(PathOf(name), cut, gzip);
        AssertFails(path, $"{name}: truncated: declares 5×4×3 = 60 bytes but holds 50{(gzip ? " (after gunzip)" : ".")}");
    }

    [Test]
    public void TruncatedGzipStreamIsAnError()
    {
        // .NET reads a cut-off gzip stream as a short one: the size check catches it.
        var gz = IdxFiles.Gzip(IdxFiles.Bytes([50, 4, 3], IdxFiles.Pattern(600)));
        var path = PathOf("cut.gz");
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        AssertFails(path, "cut.gz: truncated", "(after gunzip)");
    }

    [Test]
    public void CorruptGzipStreamIsAnError()
    {
        var path = PathOf("junk.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04]);
        AssertFails(path, "junk.gz:");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TrailingBytesAreCounted(bool gzip)
    {
        var bytes = IdxFiles.Bytes([4], [1, 2, 3, 4]).Concat(new byte[] { 9, 9, 9 }).ToArray();
        var path = IdxFiles.Write(PathOf("t10k-labels-idx1-ubyte"), bytes, gzip);
        AssertFails(path, "t10k-labels-idx1-ubyte: 3 trailing bytes after the declared 4 = 4 bytes");
    }

    [Test]
    public void ShortHeaderIsAnError()
    {
        var path = PathOf("tiny");
        File.WriteAllBytes(path, [0, 0]);
        AssertFails(path, "tiny: 2 bytes is too short for an IDX header");
        File.WriteAllBytes(path, []);
        AssertFails(path, "tiny: 0 bytes is too short");
    }

    [Test]
    public void TruncatedDimensionsAreAnError()
    {
        var bytes = IdxFiles.Bytes([60000, 28, 28], [])[..10];
        var path = IdxFiles.Write(PathOf("dims"), bytes);
        AssertFails(path, "dims: truncated header: 3 dimensions need 12 bytes, the file holds 6");
    }

    [Test]
    public void MissingFileNamesThePath()
    {
        var path = PathOf("nowhere-idx1-ubyte");
        var ex = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));
        Assert.That(ex!.Message, Does.Contain(path));
    }

    private static void AssertFails(string path, params string[] fragments) => AssertFails(path, null, fragments);

    private static void AssertFails(string path, int? dims, params string[] fragments)
    {
        var ex = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path, dims));
        foreach (var f in fragments) Assert.That(ex!.Message, Does.Contain(f));
    }
}
