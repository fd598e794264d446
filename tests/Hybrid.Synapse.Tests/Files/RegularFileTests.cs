using System.Diagnostics;
using Hybrid.Synapse.Files;

namespace Hybrid.Synapse.Tests.Files;

/// <summary>The one regular-file reader (issue 22): regular files only, a size limit, strict UTF-8, a key given
/// twice refused, the file named in every error.</summary>
public class RegularFileTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-regular-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void SpecialFilesAreRefusedByName()
    {
        var fifo = Path.Combine(_root, "pipe.json");
        using (var mk = Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        var e = Assert.Throws<InvalidDataException>(() => RegularFile.ReadText(fifo, "a table"))!;
        Assert.That(e.Message, Does.StartWith(fifo + ": is a FIFO (named pipe), not a table"));
        var zero = Path.Combine(_root, "zero.bin");
        File.CreateSymbolicLink(zero, "/dev/zero");
        Assert.That(Assert.Throws<InvalidDataException>(() => RegularFile.ReadBytes(zero, "a checkpoint"))!.Message,
            Does.StartWith(zero + ": is a character device"));
        Assert.That(Assert.Throws<InvalidDataException>(() => RegularFile.ReadBytes(_root, "a checkpoint"))!.Message,
            Does.StartWith(_root + ": is a directory"));
        Assert.Throws<FileNotFoundException>(() => RegularFile.ReadBytes(Path.Combine(_root, "none"), "a file"));
    }

    [Test]
    public void TheSizeLimitIsCheckedBeforeReading()
    {
        var big = Path.Combine(_root, "big.json");
        File.WriteAllBytes(big, new byte[1001]);
        var e = Assert.Throws<InvalidDataException>(() => RegularFile.ReadBytes(big, "a manifest", maxBytes: 1000))!;
        Assert.That(e.Message, Does.StartWith(big + ": 1001 bytes, over the limit of 1000 bytes for a manifest"));
        Assert.That(RegularFile.ReadBytes(big, "a manifest", maxBytes: 1001), Has.Length.EqualTo(1001));
    }

    [Test]
    public void TextMustBeUtf8AndJsonKeysUnique()
    {
        var bad = Path.Combine(_root, "bad.json");
        File.WriteAllBytes(bad, [(byte)'{', 0xC3, 0x28, (byte)'}']);
        Assert.That(Assert.Throws<InvalidDataException>(() => RegularFile.ReadText(bad, "JSON"))!.Message, Does.StartWith(bad + ": not UTF-8"));
        File.WriteAllBytes(bad, [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']);
        Assert.That(RegularFile.ReadText(bad, "JSON"), Is.EqualTo("{}"));
        Assert.That(Assert.Throws<InvalidDataException>(() => RegularFile.RequireStrictJson("{\"a\": {\"b\": 1, \"b\": 2}}", "x.json"))!.Message,
            Does.StartWith("x.json: not valid JSON"));
        Assert.DoesNotThrow(() => RegularFile.RequireStrictJson("{\"a\": {\"b\": 1}, \"b\": 2}", "x.json"));
    }

    [Test]
    public void IdentityTellsAReplacedFile()
    {
        var path = Path.Combine(_root, "lock");
        File.WriteAllText(path, "");
        using var fs = new FileStream(path, FileMode.Open);
        Assert.That(RegularFile.Identity(fs.SafeFileHandle), Is.EqualTo(RegularFile.Identity(path)).And.Not.Null);
        File.Delete(path);
        File.WriteAllText(path, "");
        Assert.That(RegularFile.Identity(fs.SafeFileHandle), Is.Not.EqualTo(RegularFile.Identity(path)));
    }
}
