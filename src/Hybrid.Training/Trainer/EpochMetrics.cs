using System.Globalization;
using System.Text;

namespace Hybrid.Training.Trainer;

/// <summary>What one epoch measured; one row of metrics.csv.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches (weighted by batch size).</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch (of the model as it was at each batch).</param>
/// <param name="TestLoss">Test loss after the epoch.</param>
/// <param name="TestAccuracy">Test accuracy after the epoch.</param>
/// <param name="ExamplesPerSecond">Training examples per second (forward, backward and step).</param>
/// <param name="EpochSeconds">Wall time of the epoch's training (evaluation excluded).</param>
/// <param name="LearningRate">The learning rate of the first parameter group during the epoch.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss,
    double TestAccuracy, double ExamplesPerSecond, double EpochSeconds, double LearningRate)
{
    /// <summary>The CSV header.</summary>
    public const string CsvHeader = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,examples_per_s,epoch_seconds,lr";

    /// <summary>This row in CSV (invariant culture, round-trippable numbers).</summary>
    public string ToCsv() => string.Join(',', Epoch.ToString(CultureInfo.InvariantCulture),
        F(TrainLoss), F(TrainAccuracy), F(TestLoss), F(TestAccuracy), F(ExamplesPerSecond), F(EpochSeconds), F(LearningRate));

    /// <summary>A whole metrics.csv.</summary>
    public static string Csv(IEnumerable<EpochMetrics> rows)
    {
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var r in rows) sb.Append(r.ToCsv()).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads a metrics.csv through the regular-file reader; errors start with its path (which says whose
    /// rows they are: a compare row's or a sweep run's folder; issue 22 item 13).</summary>
    /// <exception cref="InvalidDataException">It is not a regular file, too large, or not such rows.</exception>
    public static List<EpochMetrics> ReadCsv(string path) =>
        ParseCsv(Hybrid.Synapse.Files.RegularFile.ReadText(path, "a metrics.csv"), path);

    /// <summary>Parses rows written by <see cref="Csv"/>; <paramref name="source"/> names the file in errors.</summary>
    public static List<EpochMetrics> ParseCsv(string text, string source = "metrics.csv")
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0].Trim() != CsvHeader)
            throw new InvalidDataException($"{source} does not start with the header '{CsvHeader}'.");
        return lines.Skip(1).Select((l, row) =>
        {
            var c = l.Split(',');
            if (c.Length != 8) throw new InvalidDataException($"{source} row {row + 1} has {c.Length} columns, not 8.");
            double D(int i) => double.TryParse(c[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new InvalidDataException($"{source} row {row + 1}, column {i + 1}: '{Clip(c[i])}' is not a number.");
            int epoch = int.TryParse(c[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e >= 1 ? e
                : throw new InvalidDataException($"{source} row {row + 1}: epoch '{Clip(c[0])}' is not a positive integer.");
            return new EpochMetrics(epoch, D(1), D(2), D(3), D(4), D(5), D(6), D(7));
        }).ToList();
    }

    private static string Clip(string s) => s.Length <= 20 ? s : s[..20] + "…";

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
