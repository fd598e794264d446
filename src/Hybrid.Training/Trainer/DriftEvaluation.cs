using System.Globalization;
using Hybrid.Training.Data;
using Hybrid.Training.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Trainer;

/// <summary>A trained model's test loss and accuracy when its analog weights have drifted for <see cref="Seconds"/>.</summary>
public sealed record DriftPoint(double Seconds, double TestLoss, double TestAccuracy);

/// <summary>
/// The drift evaluation of a trained model (<c>--drift-time</c>): its analog layers read as they would be
/// <c>t</c> seconds after programming, w(t) = w₀·((t + t₀)/t₀)^(−ν_i) (aihwkit's PCM drift model, each device's ν_i
/// fixed), every synapse taken as programmed at the end of training. Digital parameters (biases) do not drift. The
/// model is left as it was.
/// </summary>
public static class DriftEvaluation
{
    /// <summary>Test loss and accuracy at each of <paramref name="seconds"/>.</summary>
    public static IReadOnlyList<DriftPoint> Evaluate(nn.Module<Tensor, Tensor> model, Batches test, IReadOnlyList<double> seconds)
    {
        var points = new List<DriftPoint>(seconds.Count);
        try
        {
            foreach (double t in seconds)
            {
                DeviceModels.SetDriftTime(model, t);
                var (loss, accuracy) = Trainer.Evaluate(model, test);
                points.Add(new DriftPoint(t, loss, accuracy));
            }
        }
        finally { DeviceModels.SetDriftTime(model, 0); }
        return points;
    }

    /// <summary>
    /// Parses drift times: a comma-separated list of numbers with an optional unit, s (default), min, h, d, w, mo (30 d)
    /// or y (365 d): "1h,1d,1mo" is 3 600, 86 400 and 2 592 000 s.
    /// </summary>
    /// <exception cref="ArgumentException">A time that is not a finite number ≥ 0 with a known unit.</exception>
    public static double[] ParseTimes(string text)
    {
        var units = new (string Unit, double Seconds)[] { ("min", 60), ("mo", 2_592_000), ("s", 1), ("h", 3600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000) };
        var result = new List<double>();
        foreach (var part0 in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string part = part0.ToLowerInvariant();
            double scale = 1;
            foreach (var (unit, sec) in units)
                if (part.EndsWith(unit, StringComparison.Ordinal) && part.Length > unit.Length && !char.IsLetter(part[^(unit.Length + 1)]))
                {
                    scale = sec;
                    part = part[..^unit.Length];
                    break;
                }
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v * scale) || v < 0)
                throw new ArgumentException($"--drift-time '{part0}' is not a time: a number >= 0 with s, min, h, d, w, mo or y.", "drift-time");
            result.Add(v * scale);
        }
        if (result.Count == 0) throw new ArgumentException("--drift-time lists no time.", "drift-time");
        return result.ToArray();
    }
}
