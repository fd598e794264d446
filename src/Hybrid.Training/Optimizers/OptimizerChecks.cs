namespace Hybrid.Training.Optimizers;

/// <summary>Hyperparameter checks shared by the optimisers: an <see cref="ArgumentException"/> naming the value.</summary>
internal static class OptimizerChecks
{
    public static void LearningRate(double lr)
    {
        if (!double.IsFinite(lr) || lr < 0) throw new ArgumentException($"learning rate {lr} must be finite and >= 0.", "lr");
    }

    public static void Madam(double lr, double pScale, double gBound, double beta2)
    {
        LearningRate(lr);
        if (!(pScale > 0) || !double.IsFinite(pScale)) throw new ArgumentException($"p_scale {pScale} must be finite and > 0.", "p_scale");
        if (!(gBound > 0) || !double.IsFinite(gBound)) throw new ArgumentException($"g_bound {gBound} must be finite and > 0.", "g_bound");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"beta2 {beta2} must be in [0, 1).", "beta2");
    }
}
