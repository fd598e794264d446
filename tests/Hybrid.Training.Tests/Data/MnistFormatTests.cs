using Hybrid.Training.Data;
using TorchSharp;

namespace Hybrid.Training.Tests.Data;

public class MnistFormatTests : TempFolderTest
{
    [TestCase(false)]
    [TestCase(true)]
    public void LoadsAFolderAsScaledImagesAndInt64Labels(bool gzip)
    {
        IdxFiles.WriteMnistFolder(Folder, train: 12, test: 5, rows: 4, cols: 3, gzip: gzip);
        using var data = MnistFormat.Load(Folder);
        Assert.That(data.TrainX.shape, Is.EqualTo(new long[] { 12, 1, 4, 3 }));
        Assert.That(data.TestX.shape, Is.EqualTo(new long[] { 5, 1, 4, 3 }));
        Assert.That(data.TrainX.dtype, Is.EqualTo(torch.ScalarType.Float32));
        Assert.That(data.TrainY.dtype, Is.EqualTo(torch.ScalarType.Int64));
        Assert.That(data.InputShape, Is.EqualTo(new long[] { 1, 4, 3 }));
        Assert.That(data.Classes, Is.EqualTo(10));
        Assert.That(data.Name, Is.EqualTo(Path.GetFileName(Folder)));
        Assert.That(data.Source, Does.Contain(Path.GetFullPath(Folder)).And.Contain("12 train / 5 test"));

        var pixels = IdxFiles.Pattern(12 * 4 * 3);
        var x = data.TrainX.data<float>().ToArray();
        for (int i = 0; i < pixels.Length; ++i) Assert.That(x[i], Is.EqualTo(pixels[i] / 255f), $"pixel {i}");
        Assert.That(data.TrainY.data<long>().ToArray(), Is.EqualTo(IdxFiles.Pattern(12, 10, 7).Select(b => (long)b).ToArray()));
        Assert.That(data.TestY.data<long>().ToArray(), Is.EqualTo(IdxFiles.Pattern(5, 10, 11).Select(b => (long)b).ToArray()));
    }

    [Test]
    public void FlattenGivesRows()
    {
        IdxFiles.WriteMnistFolder(Folder, train: 12, test: 5, rows: 4, cols: 3);
        using var data = MnistFormat.Load(Folder, new DataOptions(Flatten: true, Name: "tiny"));
        Assert.That(data.TrainX.shape, Is.EqualTo(new long[] { 12, 12 }));
        Assert.That(data.InputShape, Is.EqualTo(new long[] { 12 }));
        Assert.That(data.Name, Is.EqualTo("tiny"));
    }

    [Test]
    public void DottedSpellingIsAccepted()
    {
        IdxFiles.WriteMnistFolder(Folder);
        foreach (var b in MnistFormat.BaseNames)
            File.Move(PathOf(b), PathOf(b.Replace("-idx", ".idx", StringComparison.Ordinal)));
        using var data = MnistFormat.Load(Folder);
        Assert.That(data.TrainCount, Is.EqualTo(12));
    }

    [Test]
    public void MismatchedImageAndLabelCountsNameBothFiles()
    {
        IdxFiles.WriteMnistFolder(Folder, train: 12);
        IdxFiles.Write(PathOf("train-labels-idx1-ubyte"), IdxFiles.Bytes([11], IdxFiles.Pattern(11, 10)));
        var ex = Assert.Throws<IdxFormatException>(() => MnistFormat.Load(Folder));
        Assert.That(ex!.Message, Does.Contain("train-labels-idx1-ubyte: holds 11 labels but train-images-idx3-ubyte holds 12 images"));
    }

    [Test]
    public void OutOfRangeLabelIsNamedWithItsIndex()
    {
        IdxFiles.WriteMnistFolder(Folder, test: 5);
        IdxFiles.Write(PathOf("t10k-labels-idx1-ubyte"), IdxFiles.Bytes([5], [0, 1, 2, 10, 3]));
        var ex = Assert.Throws<IdxFormatException>(() => MnistFormat.Load(Folder));
        Assert.That(ex!.Message, Does.Contain("t10k-labels-idx1-ubyte: label 10 at index 3 is outside 0..9 (10 classes)"));
    }

    [Test]
    public void ClassCountBoundsTheLabels()
    {
        IdxFiles.WriteMnistFolder(Folder, classes: 3);
        using (var data = MnistFormat.Load(Folder, new DataOptions(Classes: 3)))
            Assert.That(data.Classes, Is.EqualTo(3));
        var ex = Assert.Throws<IdxFormatException>(() => MnistFormat.Load(Folder, new DataOptions(Classes: 2)));
        Assert.That(ex!.Message, Does.Contain("outside 0..1 (2 classes)"));
    }

    [Test]
    public void TrainAndTestImageSizesMustAgree()
    {
        IdxFiles.WriteMnistFolder(Folder, test: 5, rows: 4, cols: 3);
        IdxFiles.Write(PathOf("t10k-images-idx3-ubyte"), IdxFiles.Bytes([5, 3, 4], new byte[60]));
        var ex = Assert.Throws<IdxFormatException>(() => MnistFormat.Load(Folder));
        Assert.That(ex!.Message, Does.Contain("t10k-images-idx3-ubyte: images are 3×4 but train-images-idx3-ubyte's are 4×3"));
    }

    [Test]
    public void LabelsFileWithImageDimensionsIsRejected()
    {
        IdxFiles.WriteMnistFolder(Folder, train: 12);
        IdxFiles.Write(PathOf("train-labels-idx1-ubyte"), IdxFiles.Bytes([12, 1], new byte[12]));
        var ex = Assert.Throws<IdxFormatException>(() => MnistFormat.Load(Folder));
        Assert.That(ex!.Message, Does.Contain("train-labels-idx1-ubyte: has 2 dimensions, expected 1"));
    }

    [Test]
    public void MissingFileIsNamedAndTheFourFilesListed()
    {
        IdxFiles.WriteMnistFolder(Folder);
        File.Delete(PathOf("t10k-labels-idx1-ubyte"));
        var ex = Assert.Throws<FileNotFoundException>(() => MnistFormat.Load(Folder));
        Assert.That(ex!.Message, Does.Contain("no t10k-labels-idx1-ubyte[.gz]").And.Contain("train-images-idx3-ubyte, train-labels"));
        Assert.That(MnistFormat.IsMnistFolder(Folder), Is.False);
    }

    [Test]
    public void MissingFolderIsAnError()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => MnistFormat.Load(PathOf("absent")));
        Assert.That(ex!.Message, Does.Contain("absent").And.Contain("does not exist"));
    }

    [Test]
    public void ResolveUsesAGivenFolderAndNeverFallsBackFromIt()
    {
        IdxFiles.WriteMnistFolder(Folder);
        var resolved = DataSets.Resolve(Folder);
        using (resolved.Data)
        {
            Assert.That(resolved.IsFallback, Is.False);
            Assert.That(resolved.Note, Does.StartWith("Using ").And.Contain(Path.GetFullPath(Folder)));
        }
        Assert.Throws<DirectoryNotFoundException>(() => DataSets.Resolve(PathOf("absent")));
    }

    [Test]
    public void ResolveFallsBackToTheTeacherOnlyWhenTheDefaultIsMissing()
    {
        var resolved = DataSets.Resolve(null, fallback: new TeacherOptions(Train: 50, Test: 20), seed: 3,
            defaultFolder: PathOf("not-installed"));
        using (resolved.Data)
        {
            Assert.That(resolved.IsFallback, Is.True);
            Assert.That(resolved.Data.Name, Is.EqualTo("teacher"));
            Assert.That(resolved.Note, Does.Contain("Fashion-MNIST not installed")
                .And.Contain("apt-get install dataset-fashion-mnist")
                .And.Contain("using the synthetic teacher task instead"));
        }

        // A default folder that exists but is damaged is an error, not a reason to fall back.
        IdxFiles.WriteMnistFolder(Folder);
        File.Delete(PathOf("train-images-idx3-ubyte"));
        Assert.Throws<FileNotFoundException>(() => DataSets.Resolve(null, defaultFolder: Folder));
    }
}

public class FashionMnistTests
{
    [Test]
    public void LoadsWhenInstalled()
    {
        if (!Directory.Exists(DataSets.FashionMnistFolder))
            Assert.Ignore($"{DataSets.FashionMnistFolder} is missing (apt-get install dataset-fashion-mnist).");
        var resolved = DataSets.Resolve(null);
        using var data = resolved.Data;
        Assert.That(resolved.IsFallback, Is.False);
        Assert.That(data.Name, Is.EqualTo("Fashion-MNIST"));
        Assert.That(data.TrainX.shape, Is.EqualTo(new long[] { 60000, 1, 28, 28 }));
        Assert.That(data.TestX.shape, Is.EqualTo(new long[] { 10000, 1, 28, 28 }));
        Assert.That(data.Classes, Is.EqualTo(10));
        // Fashion-MNIST is exactly balanced: 6000 train and 1000 test images per class.
        Assert.That(data.TrainClassCounts(), Is.All.EqualTo(6000));
        Assert.That(data.TestClassCounts(), Is.All.EqualTo(1000));
        Assert.That(data.TrainX.min().item<float>(), Is.EqualTo(0f));
        Assert.That(data.TrainX.max().item<float>(), Is.EqualTo(1f));
    }
}
