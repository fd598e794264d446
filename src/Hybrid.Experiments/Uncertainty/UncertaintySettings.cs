using Hybrid.Experiments.Bpm;

namespace Hybrid.Experiments.Uncertainty;

/// <summary>
/// Everything <c>hybrid uncertainty</c> needs to be repeated (config.json): the bpm units whose
/// voters it reuses (their settings, and optionally a finished bpm run to take them from), the
/// selective-accuracy coverages and the calibration bins.
/// </summary>
/// <param name="Bpm">The bpm settings of the units analysed (their n grid, seeds, networks, GP draws).</param>
/// <param name="From">A <c>hybrid bpm</c> run folder whose units (same settings) are reused; null to run the units here.</param>
/// <param name="Bins">Reliability-diagram bins over confidence [½, 1].</param>
public sealed record UncertaintySettings(BpmSettings Bpm, string? From = null, int Bins = 10)
{
    /// <summary>Coverages of the selective-accuracy curve.</summary>
    public static readonly double[] Coverages = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

    /// <summary>The default: the bpm defaults at n = 500.</summary>
    public static UncertaintySettings Default => new(BpmSettings.Default with { TrainSizes = [500] });

    /// <summary>The <c>--quick</c> settings: bpm's quick units.</summary>
    public static UncertaintySettings Quick => new(BpmSettings.Quick);

    /// <summary>Checks every value; the message names the option.</summary>
    public void Validate()
    {
        Bpm.Validate();
        if (From is not null && !Directory.Exists(From))
            throw new ArgumentException($"--from '{From}' is not a folder (give a `hybrid bpm` run folder).", "from");
        if (From is not null && !File.Exists(Path.Combine(From, "config.json")))
            throw new ArgumentException($"--from '{From}' holds no config.json: it is not a `hybrid bpm` run folder.", "from");
        if (Bins < 1) throw new ArgumentException($"--bins {Bins} must be >= 1.", "bins");
    }
}
