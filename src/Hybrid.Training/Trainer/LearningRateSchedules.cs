namespace Hybrid.Training.Trainer;

/// <summary>
/// Per-epoch learning-rate multipliers by name, as pure functions of the 1-based epoch (so a
/// resumed run gets the same rates as an uninterrupted one): see <see cref="TrainingJob.LearningRateFactor"/>.
/// </summary>
public static class LearningRateSchedules
{
    /// <summary>Valid names.</summary>
    public static readonly IReadOnlyList<string> Names = ["constant", "cosine"];

    /// <summary>The multiplier of a schedule over <paramref name="epochs"/> epochs: null for constant, or
    /// cosine annealing from 1 (epoch 1) towards 0, 0.5·(1 + cos(π·(e − 1)/E)).</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the valid ones).</exception>
    public static Func<int, double>? Parse(string name, int epochs) => name.Trim().ToLowerInvariant() switch
    {
        "constant" => null,
        "cosine" => e => 0.5 * (1 + Math.Cos(Math.PI * (e - 1) / epochs)),
        _ => throw new ArgumentException($"--lr-schedule '{name}' is unknown; valid: {string.Join(", ", Names)}.", "lr-schedule"),
    };
}
