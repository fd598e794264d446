using System.Diagnostics;
using Hybrid.Training.Data;

namespace Hybrid.Training.Tests.Data;

/// <summary>Issue 15 item 4: the IDX reader against hostile files — sizes checked before allocating, regular
/// files only, nothing after a gzip member.</summary>
public class IdxHostileInputTests : TempFolderTest
{
    private static long Allocated(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try { read(); }
        catch (IdxFormatException) { }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Test]
    public void AGzipFileDeclaringMillionsOfImagesIsRefusedBeforeAllocating()
    {
        // 2.7 M images of 28×28 declared, a few bytes of data: the reader used to allocate the 2.1 GB first
        var bytes = IdxFiles.Bytes([2_700_000, 28, 28], IdxFiles.Pattern(5000));
        var path = IdxFiles.Write(PathOf("bomb.gz"), bytes, gzip: true);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path, expectedDims: 3))!;
        Assert.That(e.Message, Does.StartWith("bomb.gz: declares 2700000… bytes, more than its compressed size could hold"));
        Assert.That(Allocated(() => IdxReader.Read(path, expectedDims: 3)), Is.LessThan(4 << 20), "no allocation near the declared size");
    }

    [Test]
    public void AGzipFileWhoseHeaderLiesWithinTheLimitGrowsOnlyWithItsData()
    {
        // declares 40 MB (within the limit and what its compressed size could hold), holds 5000 bytes
        var bytes = IdxFiles.Bytes([50_000, 28, 28], IdxFiles.Pattern(5000));
        var path = IdxFiles.Write(PathOf("liar.gz"), IdxFiles.Gzip(bytes).Concat(new byte[40_000]).ToArray());
        long used = Allocated(() => IdxReader.Read(path, expectedDims: 3));
        Assert.That(used, Is.LessThan(8 << 20), "the buffer grows with the data, not with the header");
    }

    [Test]
    public void ARawFileDeclaringMoreThanItHoldsIsRefusedBeforeAllocating()
    {
        var path = IdxFiles.Write(PathOf("short"), IdxFiles.Bytes([1_000_000, 28, 28], IdxFiles.Pattern(100)));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path))!;
        Assert.That(e.Message, Is.EqualTo("short: truncated: declares 1000000×28×28 = 784000000 bytes but holds 100."));
        Assert.That(Allocated(() => IdxReader.Read(path)), Is.LessThan(1 << 20));
    }

    [Test]
    public void BytesAfterTheGzipStreamAreRefused()
    {
        var bytes = IdxFiles.Bytes([6], IdxFiles.Pattern(6));
        var gz = IdxFiles.Gzip(bytes);
        var junk = IdxFiles.Write(PathOf("junk.gz"), [.. gz, .. "trailing junk"u8.ToArray()]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(junk))!;
        Assert.That(e.Message, Does.StartWith("junk.gz: bytes follow the gzip stream"));
        var twice = IdxFiles.Write(PathOf("two.gz"), [.. gz, .. gz]);
        Assert.Throws<IdxFormatException>(() => IdxReader.Read(twice));
        Assert.That(IdxReader.Read(IdxFiles.Write(PathOf("ok.gz"), gz)).Data, Is.EqualTo(IdxFiles.Pattern(6)), "the control reads");
    }

    [Test]
    public void AFifoIsRefusedInsteadOfBlocking()
    {
        var fifo = PathOf("labels-fifo");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(fifo))!;
        Assert.That(e.Message, Does.Contain("is a FIFO (named pipe), not an IDX file"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "refused, not blocked waiting for a writer");
        var dir = Assert.Throws<IdxFormatException>(() => IdxReader.Read(Folder))!;
        Assert.That(dir.Message, Does.Contain("is a directory"));
        Assert.That(Hybrid.Synapse.Files.RegularFile.Kind("/dev/null"), Is.EqualTo("character device"));
    }
}
