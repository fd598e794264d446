using System.Text;
using System.Text.RegularExpressions;
using Hybrid.Training.Data;

namespace Hybrid.Training.Tests.Data;

/// <summary>The text corpus: fortune entries, the deterministic held-out split, character windows, and the pinned files.</summary>
public class TextCorpusTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void FortuneEntriesAreTheTextBetweenPercentLines()
    {
        var entries = TextCorpus.Entries(Bytes("one\nline\n%\ntwo\n%\n%\nthree %\n%")).Select(e => Encoding.UTF8.GetString(e)).ToList();
        Assert.That(entries, Is.EqualTo(new[] { "one\nline\n", "two\n", "three %\n" }));
    }

    [Test]
    public void EveryTenthDocumentIsHeldOutAndWindowsPredictTheNextCharacter()
    {
        var docs = Enumerable.Range(0, 20).Select(i => Bytes($"doc {i:D2} text\n")).ToList();
        var corpus = TextCorpus.FromDocuments("t", "test", docs);
        Assert.That(Encoding.UTF8.GetString(corpus.Validation), Is.EqualTo("doc 09 text\n%\ndoc 19 text\n%\n"));
        Assert.That(Encoding.UTF8.GetString(corpus.Train), Does.Not.Contain("doc 09").And.StartWith("doc 00 text\n%\ndoc 01"));
        Assert.That(corpus.Vocabulary, Is.Ordered.And.Unique);
        using var data = corpus.Windows(8);
        Assert.That(data.InputShape, Is.EqualTo(new long[] { 8 }));
        Assert.That(data.Classes, Is.EqualTo(corpus.Vocabulary.Length));
        Assert.That(data.TrainCount, Is.EqualTo((corpus.Train.Length - 1) / 8));
        string Decode(IEnumerable<long> ids) => Encoding.UTF8.GetString(ids.Select(i => corpus.Vocabulary[i]).ToArray());
        var x = data.TrainX[1].data<long>().ToArray();
        var y = data.TrainY[1].data<long>().ToArray();
        Assert.That(Decode(x), Is.EqualTo(Encoding.UTF8.GetString(corpus.Train, 8, 8)));
        Assert.That(Decode(y), Is.EqualTo(Encoding.UTF8.GetString(corpus.Train, 9, 8)), "targets are the inputs shifted by one");
        Assert.That(TextCorpus.BitsPerCharacter(Math.Log(2)), Is.EqualTo(1.0).Within(1e-12));
    }

    [Test]
    public void TooLittleTextIsRefused()
    {
        Assert.Throws<ArgumentException>(() => TextCorpus.FromDocuments("t", "t", [Bytes("a")]));
        var corpus = TextCorpus.FromDocuments("t", "t", Enumerable.Range(0, 10).Select(_ => Bytes("ab")).ToList());
        Assert.That(Assert.Throws<ArgumentException>(() => corpus.Windows(64))!.Message, Does.Contain("shorter than one window"));
    }

    [Test]
    public void SetupPinsTheSameFilesAndHashes()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) dir = dir.Parent;
        Assert.That(dir, Is.Not.Null, "Hybrid.sln not found above the test folder");
        var script = File.ReadAllText(Path.Combine(dir!.FullName, "scripts", "setup.sh"));
        var block = script[script.IndexOf("fortunes_files=(", StringComparison.Ordinal)..];
        block = block[..block.IndexOf(')')];
        var pins = Regex.Matches(block, "\"([a-z-]+) ([0-9a-f]{64})\"").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.That(pins, Is.EqualTo(Fortunes.Pinned.Select(p => (p.Name, p.Sha256))));
    }

    [Test]
    public void ADamagedFileIsRefusedNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("hybrid-fortunes-").FullName;
        try
        {
            var good = Bytes("a fortune\n%\nanother\n%\n");
            File.WriteAllBytes(Path.Combine(dir, "one"), good);
            var pin = new PinnedFile("one", good.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(good)));
            Assert.Throws<ArgumentException>(() => Fortunes.Load(dir, [pin]), "two documents leave none for validation");
            Assert.That(Fortunes.Load(dir, [pin], validationEvery: 2).Documents, Is.EqualTo(2));
            var bad = (byte[])good.Clone();
            bad[0] = (byte)'A';
            File.WriteAllBytes(Path.Combine(dir, "one"), bad);
            Assert.That(Assert.Throws<InvalidDataException>(() => Fortunes.Load(dir, [pin], validationEvery: 2))!.Message,
                Does.Contain("one").And.Contain("SHA-256"));
            File.Delete(Path.Combine(dir, "one"));
            Assert.That(Assert.Throws<FileNotFoundException>(() => Fortunes.Load(dir, [pin]))!.Message, Does.Contain("setup.sh"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void TheInstalledCorpusLoads()
    {
        if (!Fortunes.Installed()) Assert.Ignore($"fortunes not installed in {Fortunes.Folder} ({Fortunes.InstallHint})");
        var corpus = Fortunes.Load();
        TestContext.Out.WriteLine($"{corpus.Documents} documents, {corpus.Train.Length} + {corpus.Validation.Length} characters, vocabulary {corpus.Vocabulary.Length}");
        Assert.That(corpus.Train.Length + corpus.Validation.Length, Is.GreaterThan(1_700_000));
        Assert.That(corpus.Validation.Length, Is.InRange(0.07 * corpus.Train.Length, 0.14 * corpus.Train.Length));
        Assert.That(corpus.Vocabulary.Length, Is.InRange(90, 140));
    }
}
