using Hybrid.Experiments.Train;
using Hybrid.Training;
using Hybrid.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Margin;

/// <summary>
/// The data of Part I's experiments, prepared as the control recipe wants it (SCIENCE.md Part I;
/// jxbz/bpm's and alexfarhang/margin's <c>normalize_data</c>): n training examples and the test
/// set, flattened, shifted by the training examples' mean pixel (the authors subtract MNIST's
/// global mean 0.1307 before rescaling) and then each rescaled to ‖x‖₂ = √d.
/// Binary tasks carry ±1 signs (class 1 → +1: for odd-even, odd = +1 as in the authors' code).
/// </summary>
/// <param name="TrainX">float32 [n, d], every row of norm √d.</param>
/// <param name="TrainY">int64 [n] classes.</param>
/// <param name="TestX">float32 [T, d].</param>
/// <param name="TestY">int64 [T].</param>
/// <param name="Classes">Classes (2 for a binary task).</param>
/// <param name="Source">What the data is, in words.</param>
public sealed record MarginProblem(Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY, int Classes, string Source) : IDisposable
{
    /// <summary>Training examples n.</summary>
    public int N => (int)TrainX.shape[0];

    /// <summary>Test examples T.</summary>
    public int T => (int)TestX.shape[0];

    /// <summary>Input dimension d.</summary>
    public long D => TrainX.shape[1];

    /// <summary>Whether the task is binary (one output, targets ±1).</summary>
    public bool Binary => Classes == 2;

    /// <summary>
    /// Loads the whole data set once (the subsets of every unit are cut from it by <see cref="Subset"/>).
    /// <paramref name="task"/> is a <c>--task</c> name or null for the data's own classes.
    /// </summary>
    public static ResolvedDataSet LoadWhole(string? data, string? task, long seed) =>
        DataChoice.Load(data, flatten: true, seed, new DataSelection(task, null));

    /// <summary>
    /// The problem of one unit: the n training examples that <c>--train-size n</c> with
    /// <paramref name="seed"/> selects (nested in n for one seed), and the first
    /// <paramref name="testSize"/> examples of a seeded permutation of the test set (all of it when null).
    /// </summary>
    public static MarginProblem Subset(DataSet whole, int n, int? testSize, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var trainIndex = torch.tensor(TrainingSubset.Indices(whole.TrainCount, n, seed), ScalarType.Int64);
        var trainX = whole.TrainX.index_select(0, trainIndex).reshape(n, -1);
        var trainY = whole.TrainY.index_select(0, trainIndex);
        Tensor testX = whole.TestX.reshape(whole.TestCount, -1), testY = whole.TestY;
        if (testSize is int m && m < whole.TestCount)
        {
            // a fixed permutation of the test set (seed 0, whatever the unit's seed) so every unit sees the same test points
            using var testIndex = torch.tensor(TrainingSubset.Indices(whole.TestCount, m, 0), ScalarType.Int64);
            testX = testX.index_select(0, testIndex);
            testY = testY.index_select(0, testIndex);
        }
        using var norm = InputNormalization.Fit(NormalizationKind.Standardize, trainX);
        var prepare = (Tensor x) => InputNormalization.Sphere.Apply(norm.Apply(x)).contiguous();
        var problem = new MarginProblem(prepare(trainX).MoveToOuterDisposeScope(), trainY.clone().MoveToOuterDisposeScope(),
            prepare(testX).MoveToOuterDisposeScope(), testY.clone().MoveToOuterDisposeScope(), whole.Classes,
            $"{whole.Source}; n = {n} (seed {seed}), {testX.shape[0]} test examples; inputs shifted by the training mean and rescaled to ‖x‖ = √d");
        return problem;
    }

    /// <summary>±1 signs of <paramref name="labels"/> (binary tasks): class 1 → +1, class 0 → −1. float32.</summary>
    public static Tensor Signs(Tensor labels) => labels.to_type(ScalarType.Float32) * TorchScalars.Two - TorchScalars.One;

    /// <summary>
    /// The regression targets of the control recipe for labels [n]: α·y as [n, 1] for a binary task,
    /// α·onehot(y) as [n, classes] otherwise.
    /// </summary>
    public Tensor Targets(Tensor labels, double alpha)
    {
        using Scalar a = alpha.ToScalar(); // lives through the call (TorchScalars)
        return Binary
            ? (Signs(labels) * a).unsqueeze(1)
            : nn.functional.one_hot(labels, Classes).to_type(ScalarType.Float32) * a;
    }

    /// <summary>Outputs of the model: 1 for a binary task, the number of classes otherwise.</summary>
    public int Outputs => Binary ? 1 : Classes;

    /// <summary>Uniformly random labels for the n training examples, drawn from <paramref name="seed"/> (the random-label twin).</summary>
    public Tensor RandomLabels(long seed) =>
        torch.randint(0, Classes, [N], dtype: ScalarType.Int64, generator: new torch.Generator(unchecked((ulong)seed)));

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        TrainX.Dispose();
        TrainY.Dispose();
        TestX.Dispose();
        TestY.Dispose();
    }
}
