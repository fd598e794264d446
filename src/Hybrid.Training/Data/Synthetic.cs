using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>Parameters of the random-teacher task (<see cref="Synthetic.Teacher"/>).</summary>
/// <param name="Train">Training examples.</param>
/// <param name="Test">Test examples.</param>
/// <param name="Dim">Input dimension d.</param>
/// <param name="Classes">Classes k (2 = the binary variant for margin experiments).</param>
/// <param name="Depth">Hidden layers of the teacher (0 = a random linear classifier).</param>
/// <param name="Width">Hidden width of the teacher.</param>
public sealed record TeacherOptions(int Train = 2000, int Test = 500, int Dim = 32, int Classes = 10,
    int Depth = 2, int Width = 64)
{
    /// <summary>The binary variant (k = 2) with the other defaults.</summary>
    public static TeacherOptions Binary => new(Classes: 2);
}

/// <summary>Parameters of the Gaussian-mixture task (<see cref="Synthetic.Mixture"/>).</summary>
/// <param name="Train">Training examples.</param>
/// <param name="Test">Test examples.</param>
/// <param name="Dim">Input dimension d (at least <paramref name="Classes"/>).</param>
/// <param name="Classes">Classes k = clusters (2 = the binary variant).</param>
/// <param name="Separation">The distance Δ between any two cluster centres, in units of the
/// clusters' standard deviation (the noise is N(0, I)). Two classes alone are confused with
/// probability Φ(−Δ/2): 2.3 % at the default Δ = 4.</param>
public sealed record MixtureOptions(int Train = 2000, int Test = 500, int Dim = 32, int Classes = 10,
    double Separation = 4.0)
{
    /// <summary>The binary variant (k = 2) with the other defaults.</summary>
    public static MixtureOptions Binary => new(Classes: 2);
}

/// <summary>
/// Small synthetic classification tasks for tests and for machines without a real data set.
/// Everything is a pure function of the options and the seed: numbers come from Hybrid's
/// Philox stream (not torch's generator), so a task is the same on every machine and device.
/// Train and test sets are drawn from separate substreams, so the test set does not change when
/// only the training size does. Labels are int64 in 0..k−1; inputs float32 [N, d].
/// </summary>
public static class Synthetic
{
    // process-lifetime Scalars: implicit ones could be freed mid-call (TorchScalars)
    private static readonly Scalar Sqrt2 = Math.Sqrt(2.0).ToScalar();
    private static readonly Scalar StdFloor = 1e-12.ToScalar();

    // Substreams within a purpose's stream.
    private const uint SubTrain = 0, SubTest = 1, SubReference = 2;
    private const int ReferenceSize = 4096;

    /// <summary>
    /// The random-teacher task: inputs x ~ N(0, I_d); a fixed random MLP — hidden layers
    /// relu(W·h)·√2 with W ~ N(0, 1/fan_in) (norm-preserving on average), then a linear readout
    /// to k logits — labels each input by its largest logit. Each logit is first standardised
    /// (mean and standard deviation over a fixed reference sample of 4096 inputs, part of the
    /// teacher) so that no class dominates: classes come out roughly balanced, not exactly.
    /// The teacher's forward pass runs in float64.
    /// </summary>
    /// <param name="options">Sizes and teacher shape; defaults: 2000/500 examples, d = 32, k = 10, depth 2, width 64.</param>
    /// <param name="seed">Selects the teacher and the inputs.</param>
    public static DataSet Teacher(TeacherOptions? options = null, long seed = 0)
    {
        var o = options ?? new TeacherOptions();
        Check(o.Train, o.Test, o.Dim, o.Classes);
        if (o.Depth < 0) throw new ArgumentOutOfRangeException(nameof(options), $"teacher depth must be ≥ 0, got {o.Depth}.");
        if (o.Width < 1) throw new ArgumentOutOfRangeException(nameof(options), $"teacher width must be ≥ 1, got {o.Width}.");
        ulong s = unchecked((ulong)seed);

        using var scope = torch.NewDisposeScope();
        var weights = new List<Tensor>();
        var wRandom = new CounterRandom(s, CounterRandom.StreamTeacherWeights);
        int fanIn = o.Dim;
        for (int layer = 0; layer <= o.Depth; ++layer)
        {
            int fanOut = layer == o.Depth ? o.Classes : o.Width;
            weights.Add(Gaussian(wRandom, [fanIn, fanOut], 1.0 / Math.Sqrt(fanIn)).to_type(ScalarType.Float64));
            fanIn = fanOut;
        }

        Tensor Logits(Tensor x)
        {
            var h = x.to_type(ScalarType.Float64);
            for (int layer = 0; layer < weights.Count; ++layer)
            {
                h = h.matmul(weights[layer]);
                if (layer < weights.Count - 1) h = torch.nn.functional.relu(h) * Sqrt2;
            }
            return h;
        }

        var reference = Logits(Gaussian(new CounterRandom(s, CounterRandom.StreamTeacherInputs, SubReference), [ReferenceSize, o.Dim]));
        var mean = reference.mean([0]);
        var std = reference.std(0).clamp_min(StdFloor);
        Tensor Label(Tensor x) => ((Logits(x) - mean) / std).argmax(1);

        var trainX = Gaussian(new CounterRandom(s, CounterRandom.StreamTeacherInputs, SubTrain), [o.Train, o.Dim]);
        var testX = Gaussian(new CounterRandom(s, CounterRandom.StreamTeacherInputs, SubTest), [o.Test, o.Dim]);
        var trainY = Label(trainX);
        var testY = Label(testX);
        string source =
            $"synthetic teacher task: a fixed random MLP (depth {o.Depth}, width {o.Width}, ReLU·√2) labels N(0, I_{o.Dim}) " +
            $"inputs into {o.Classes} classes; {o.Train} train / {o.Test} test, seed {seed}";
        return new DataSet(o.Classes == 2 ? "teacher-binary" : "teacher",
            trainX.MoveToOuterDisposeScope(), trainY.MoveToOuterDisposeScope(),
            testX.MoveToOuterDisposeScope(), testY.MoveToOuterDisposeScope(),
            o.Classes, [o.Dim], source);
    }

    /// <summary>
    /// The Gaussian-mixture task: k centres μ_c at exactly the same distance Δ from each other
    /// (μ_c = (Δ/√2)·u_c with u_1…u_k orthonormal, a random orthonormal set from Gram–Schmidt on
    /// Gaussian vectors), and each example x = μ_y + N(0, I_d). Classes are exactly balanced
    /// (example i has class i mod k before a seeded shuffle), up to the remainder of N/k.
    /// </summary>
    /// <param name="options">Sizes, k, Δ; defaults: 2000/500 examples, d = 32, k = 10, Δ = 4.</param>
    /// <param name="seed">Selects the centres and the points.</param>
    /// <exception cref="ArgumentOutOfRangeException">k &gt; d (k equidistant centres need k dimensions), or Δ not positive and finite.</exception>
    public static DataSet Mixture(MixtureOptions? options = null, long seed = 0)
    {
        var o = options ?? new MixtureOptions();
        Check(o.Train, o.Test, o.Dim, o.Classes);
        if (o.Classes > o.Dim)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"a mixture of {o.Classes} equidistant clusters needs dimension ≥ {o.Classes}, got {o.Dim}.");
        if (!(o.Separation > 0) || double.IsInfinity(o.Separation))
            throw new ArgumentOutOfRangeException(nameof(options), $"separation must be positive and finite, got {o.Separation}.");
        ulong s = unchecked((ulong)seed);

        var centres = OrthonormalRows(new CounterRandom(s, CounterRandom.StreamMixtureCentres), o.Classes, o.Dim);
        double radius = o.Separation / Math.Sqrt(2.0);
        for (int i = 0; i < centres.Length; ++i) centres[i] *= radius;

        var (trainX, trainY) = MixturePoints(new CounterRandom(s, CounterRandom.StreamMixturePoints, SubTrain), o.Train, o, centres);
        var (testX, testY) = MixturePoints(new CounterRandom(s, CounterRandom.StreamMixturePoints, SubTest), o.Test, o, centres);
        string source =
            $"synthetic Gaussian mixture: {o.Classes} clusters N(μ_c, I_{o.Dim}) with centres {o.Separation:0.###} apart; " +
            $"{o.Train} train / {o.Test} test, seed {seed}";
        return new DataSet(o.Classes == 2 ? "mixture-binary" : "mixture",
            trainX, trainY, testX, testY, o.Classes, [o.Dim], source);
    }

    private static void Check(int train, int test, int dim, int classes)
    {
        if (train < 1 || test < 1)
            throw new ArgumentOutOfRangeException(nameof(train), $"train and test sizes must be ≥ 1, got {train} and {test}.");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), $"input dimension must be ≥ 1, got {dim}.");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), $"classes must be ≥ 2, got {classes}.");
    }

    private static Tensor Gaussian(CounterRandom random, long[] shape, double scale = 1.0)
    {
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        random.FillGaussian(values, scale);
        return torch.tensor(values, shape);
    }

    // k orthonormal rows of length d (k ≤ d), by modified Gram–Schmidt on Gaussian vectors;
    // a vector that comes out (numerically) dependent is redrawn.
    private static double[] OrthonormalRows(CounterRandom random, int k, int d)
    {
        var rows = new double[k * d];
        for (int r = 0; r < k; ++r)
        {
            var row = rows.AsSpan(r * d, d);
            double norm;
            do
            {
                for (int j = 0; j < d; ++j) row[j] = random.NextGaussian();
                for (int q = 0; q < r; ++q)
                {
                    var prev = rows.AsSpan(q * d, d);
                    double dot = 0;
                    for (int j = 0; j < d; ++j) dot += row[j] * prev[j];
                    for (int j = 0; j < d; ++j) row[j] -= dot * prev[j];
                }
                double sq = 0;
                for (int j = 0; j < d; ++j) sq += row[j] * row[j];
                norm = Math.Sqrt(sq);
            } while (norm < 1e-6);
            for (int j = 0; j < d; ++j) row[j] /= norm;
        }
        return rows;
    }

    private static (Tensor X, Tensor Y) MixturePoints(CounterRandom random, int n, MixtureOptions o, double[] centres)
    {
        var labels = new long[n];
        for (int i = 0; i < n; ++i) labels[i] = i % o.Classes;
        random.Shuffle<long>(labels);
        var x = new float[(long)n * o.Dim];
        for (int i = 0; i < n; ++i)
        {
            int c = (int)labels[i];
            for (int j = 0; j < o.Dim; ++j)
                x[(long)i * o.Dim + j] = (float)(centres[c * o.Dim + j] + random.NextGaussian());
        }
        return (torch.tensor(x, [n, o.Dim]), torch.tensor(labels, [n]));
    }
}
