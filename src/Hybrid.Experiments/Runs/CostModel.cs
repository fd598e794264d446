using Hybrid.Training.Data;
using Hybrid.Training.Models;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// A plan's cost estimate from settings alone: multiply-adds of the model's arithmetic, forward
/// and backward (≈ 3× forward) over the training set plus a forward pass over the test set per
/// epoch. Optimiser and data-loading work is left out; <c>sweep plan</c> turns it into time with
/// the speed measured on the sweep's finished runs.
/// </summary>
public static class CostModel
{
    /// <summary>(input shape, classes, train examples, test examples) of a data choice, as far as it is known without loading it.</summary>
    public static (long[] Shape, int Classes, long Train, long Test) DataShape(string? data, int? trainSize)
    {
        var name = data?.Trim().ToLowerInvariant();
        // the text corpus: 1.67 M training and 0.19 M validation characters in windows of 128, a vocabulary of about 100
        if (name == Hybrid.Experiments.Data.DataChoice.Text)
            return (new long[] { Hybrid.Experiments.Data.DataChoice.TextContext }, 100, trainSize ?? 13_000L, 1_450L);
        bool synthetic = name is "teacher" or "mixture" || (name is null && !DataSets.FashionMnistInstalled);
        var (shape, classes, train, test) = synthetic
            ? (new long[] { 32 }, 10, 10_000L, 2_000L)
            : (new long[] { 1, 28, 28 }, 10, 60_000L, 10_000L); // MNIST, Fashion-MNIST, and the guess for a folder
        return (shape, classes, trainSize ?? train, test);
    }

    /// <summary>Multiply-adds of training one model for <paramref name="epochs"/> epochs.</summary>
    public static double Training(string model, int depth, int width, bool bias, string? data, int? trainSize, int epochs)
    {
        var (shape, classes, train, test) = DataShape(Hybrid.Experiments.Data.DataChoice.ForModel(data, model), trainSize);
        double perExample;
        try
        {
            var kind = ModelSpec.ParseKind(model);
            if (kind == ModelKind.Mlp) shape = [shape.Aggregate(1L, (a, b) => a * b)];
            var spec = new ModelSpec(kind, shape, classes, depth, width, Bias: bias);
            perExample = spec.ParameterCount();
            if (kind == ModelKind.Cnn && shape.Length == 3)
            {
                // the convolutions reuse their weights at every position: conv1 at H×W, conv2 after a 2×2 pool
                long h = shape[1], w = shape[2];
                perExample += h * w * ModelSpec.CnnChannels1 * 9.0 * shape[0]
                              + (h / 2) * (w / 2) * ModelSpec.CnnChannels2 * 9.0 * ModelSpec.CnnChannels1;
            }
            if (kind == ModelKind.ResNet && shape.Length == 3) perExample = ResNetMacs(shape, depth);
            // every weight is used once per token; attention adds 2·T·d per token and block (scores and mixing)
            if (kind == ModelKind.Gpt) perExample = shape[0] * (perExample + 2.0 * depth * shape[0] * width);
        }
        catch (ArgumentException)
        {
            return double.NaN; // an invalid model: validation names it
        }
        return epochs * perExample * (3.0 * train + test);
    }

    // the pre-activation ResNet's convolutions at their resolutions (stage s at 1/2^s of the input), per example
    private static double ResNetMacs(long[] shape, int depth)
    {
        var widths = PreActResNet.Widths;
        double h = shape[1], w = shape[2], macs = h * w * 9.0 * shape[0] * widths[0];
        long width = widths[0];
        for (int st = 0; st < widths.Count; ++st)
        {
            if (st > 0) { h = Math.Ceiling(h / 2); w = Math.Ceiling(w / 2); }
            for (int blk = 0; blk < depth; ++blk)
            {
                long o = widths[st];
                macs += h * w * (9.0 * width * o + 9.0 * o * o + (width != o ? width * o : 0));
                width = o;
            }
        }
        return macs;
    }
}
