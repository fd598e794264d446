using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>
/// Loads an MNIST-format folder (MNIST, Fashion-MNIST, KMNIST, …): four IDX files
/// <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>
/// and <c>t10k-labels-idx1-ubyte</c>, each raw or gzipped (<c>.gz</c>). The spelling with a dot
/// before "idx" (<c>train-images.idx3-ubyte</c>) is accepted too; when several spellings are
/// present the first of raw, gzipped, dotted, dotted-gzipped wins.
/// </summary>
/// <remarks>
/// Checks, each with an error that names the file: the IDX checks of <see cref="IdxReader"/>;
/// images are 3-D and labels 1-D; each split has as many labels as images; train and test images
/// have the same size; every label lies in 0..classes−1.
/// </remarks>
public static class MnistFormat
{
    /// <summary>The four base file names, in the order train images, train labels, test images, test labels.</summary>
    public static readonly IReadOnlyList<string> BaseNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Whether <paramref name="folder"/> holds all four files (in any accepted spelling).</summary>
    public static bool IsMnistFolder(string folder) =>
        Directory.Exists(folder) && BaseNames.All(b => FindFile(folder, b) is not null);

    /// <summary>Loads the MNIST-format folder <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder holding the four IDX files.</param>
    /// <param name="options">Flattening, class count, name; defaults: images [N, 1, rows, columns], 10 classes.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing (the message lists them all).</exception>
    /// <exception cref="IdxFormatException">A file is invalid, or the files do not fit together.</exception>
    public static DataSet Load(string folder, DataOptions? options = null)
    {
        options ??= new DataOptions();
        if (options.Classes < 2 || options.Classes > 256)
            throw new ArgumentOutOfRangeException(nameof(options), $"classes must be 2..256 for byte labels, got {options.Classes}.");
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"data folder '{folder}' does not exist.");

        var paths = BaseNames.Select(b => FindFile(folder, b) ?? throw new FileNotFoundException(
            $"data folder '{folder}': no {b}[.gz]. An MNIST-format folder holds {string.Join(", ", BaseNames)}, " +
            "each raw or gzipped.", Path.Combine(folder, b))).ToArray();

        var trainImages = IdxReader.Read(paths[0], expectedDims: 3);
        var trainLabels = IdxReader.Read(paths[1], expectedDims: 1);
        var testImages = IdxReader.Read(paths[2], expectedDims: 3);
        var testLabels = IdxReader.Read(paths[3], expectedDims: 1);
        string fullFolder = Path.GetFullPath(folder);
        string name = options.Name ?? DefaultName(fullFolder);
        return FromArrays(trainImages, trainLabels, testImages, testLabels, options with { Name = name },
            $"{name} from {fullFolder} ({string.Join(", ", paths.Select(Path.GetFileName))})");
    }

    /// <summary>Builds a data set from four IDX arrays already read, with the checks of <see cref="Load"/>.</summary>
    /// <param name="trainImages">Training images, N×rows×columns.</param>
    /// <param name="trainLabels">Training labels, N.</param>
    /// <param name="testImages">Test images, M×rows×columns.</param>
    /// <param name="testLabels">Test labels, M.</param>
    /// <param name="options">Flattening, class count and name (<see cref="DataOptions.Name"/> is required here).</param>
    /// <param name="origin">Where the arrays came from, in words; the sizes are appended for <see cref="DataSet.Source"/>.</param>
    /// <exception cref="IdxFormatException">The arrays do not fit together, or a label is out of range.</exception>
    internal static DataSet FromArrays(IdxArray trainImages, IdxArray trainLabels, IdxArray testImages, IdxArray testLabels,
        DataOptions options, string origin)
    {
        if (options.Classes < 2 || options.Classes > 256)
            throw new ArgumentOutOfRangeException(nameof(options), $"classes must be 2..256 for byte labels, got {options.Classes}.");
        string name = options.Name ?? throw new ArgumentException("a name is required.", nameof(options));
        CheckSplit(trainImages, trainLabels, options.Classes);
        CheckSplit(testImages, testLabels, options.Classes);
        if (testImages.Dims[1] != trainImages.Dims[1] || testImages.Dims[2] != trainImages.Dims[2])
            throw new IdxFormatException(
                $"{testImages.Source}: images are {testImages.Dims[1]}×{testImages.Dims[2]} but {trainImages.Source}'s are " +
                $"{trainImages.Dims[1]}×{trainImages.Dims[2]}.");

        int rows = trainImages.Dims[1], cols = trainImages.Dims[2];
        long[] inputShape = options.Flatten ? [rows * (long)cols] : [1, rows, cols];
        string source =
            $"{origin}: {trainImages.Dims[0]} train / {testImages.Dims[0]} test images of {rows}×{cols}, {options.Classes} classes";

        Tensor? trainX = null, trainY = null, testX = null;
        try
        {
            trainX = Images(trainImages, inputShape);
            trainY = Labels(trainLabels);
            testX = Images(testImages, inputShape);
            var testY = Labels(testLabels);
            return new DataSet(name, trainX, trainY, testX, testY, options.Classes, inputShape, source);
        }
        catch
        {
            trainX?.Dispose();
            trainY?.Dispose();
            testX?.Dispose();
            throw;
        }
    }

    private static string? FindFile(string folder, string baseName)
    {
        string dotted = baseName.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (var candidate in new[] { baseName, baseName + ".gz", dotted, dotted + ".gz" })
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static string DefaultName(string fullFolder)
    {
        if (string.Equals(fullFolder.TrimEnd('/'), DataSets.FashionMnistFolder, StringComparison.Ordinal))
            return "Fashion-MNIST";
        var leaf = Path.GetFileName(fullFolder.TrimEnd('/'));
        return string.IsNullOrEmpty(leaf) ? fullFolder : leaf;
    }

    private static void CheckSplit(IdxArray images, IdxArray labels, int classes)
    {
        if (images.Dims[0] != labels.Dims[0])
            throw new IdxFormatException(
                $"{labels.Source}: holds {labels.Dims[0]} labels but {images.Source} holds {images.Dims[0]} images.");
        var data = labels.Data;
        for (int i = 0; i < data.Length; ++i)
        {
            if (data[i] >= classes)
                throw new IdxFormatException(
                    $"{labels.Source}: label {data[i]} at index {i} is outside 0..{classes - 1} ({classes} classes).");
        }
    }

    // Bytes → float32 in [0, 1]: x/255, computed by torch from a uint8 tensor so that the full
    // float copy is the only large allocation besides the file's bytes.
    private static Tensor Images(IdxArray images, long[] inputShape)
    {
        using Scalar full = 255f.ToScalar(); // lives through the call (TorchScalars)
        long[] shape = [images.Dims[0], .. inputShape];
        using var bytes = torch.tensor(images.Data, shape, dtype: ScalarType.Byte);
        return bytes.to_type(ScalarType.Float32).div_(full);
    }

    private static Tensor Labels(IdxArray labels)
    {
        using var bytes = torch.tensor(labels.Data, [labels.Dims[0]], dtype: ScalarType.Byte);
        return bytes.to_type(ScalarType.Int64);
    }
}
