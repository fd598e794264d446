using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>
/// A classification data set held in memory on the CPU: float32 inputs (images scaled to
/// [0, 1]) of shape [N, ..<see cref="InputShape"/>] and int64 labels in 0..<see cref="Classes"/>−1
/// of shape [N]. The data set owns its four tensors; dispose it to free them. A <c>with</c>
/// copy shares the tensors of the original (dispose only one of them).
/// </summary>
/// <param name="Name">A short name ("Fashion-MNIST", "teacher", "mixture").</param>
/// <param name="TrainX">Training inputs, float32 [N_train, ..InputShape].</param>
/// <param name="TrainY">Training labels, int64 [N_train].</param>
/// <param name="TestX">Test inputs, float32 [N_test, ..InputShape].</param>
/// <param name="TestY">Test labels, int64 [N_test].</param>
/// <param name="Classes">The number of classes k; labels are 0..k−1.</param>
/// <param name="InputShape">The shape of one input ([1, 28, 28] for images, [784] flattened, [d] synthetic).</param>
/// <param name="Source">Where the data came from, in words (folder and files, or the generator and its parameters).</param>
public sealed record DataSet(
    string Name, Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY,
    int Classes, long[] InputShape, string Source) : IDisposable
{
    /// <summary>The number of training examples.</summary>
    public long TrainCount => TrainX.shape[0];

    /// <summary>The number of test examples.</summary>
    public long TestCount => TestX.shape[0];

    /// <summary>The number of input features (the product of <see cref="InputShape"/>).</summary>
    public long InputSize => InputShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Per-class example counts of the training labels (index = class).</summary>
    public long[] TrainClassCounts() => ClassCounts(TrainY, Classes);

    /// <summary>Per-class example counts of the test labels (index = class).</summary>
    public long[] TestClassCounts() => ClassCounts(TestY, Classes);

    /// <summary>A one-line summary: name, sizes, input shape and classes.</summary>
    public string Summary =>
        $"{Name}: {TrainCount} train / {TestCount} test, input {string.Join('×', InputShape)}, {Classes} classes";

    /// <summary>Frees the four tensors.</summary>
    public void Dispose()
    {
        TrainX.Dispose();
        TrainY.Dispose();
        TestX.Dispose();
        TestY.Dispose();
    }

    private static long[] ClassCounts(Tensor labels, int classes)
    {
        using var counts = labels.bincount(null, classes);
        return counts.data<long>().ToArray();
    }
}

/// <summary>Options for loading or generating a data set.</summary>
/// <param name="Flatten">Inputs as [N, features] instead of [N, 1, rows, columns] (images only;
/// synthetic inputs are always [N, d]).</param>
/// <param name="Classes">For MNIST-format folders: the number of classes the labels must lie in
/// (labels outside 0..Classes−1 are an error).</param>
/// <param name="Name">A name to report instead of the default (the folder's name, or
/// "Fashion-MNIST" for the default folder).</param>
public sealed record DataOptions(bool Flatten = false, int Classes = 10, string? Name = null);
