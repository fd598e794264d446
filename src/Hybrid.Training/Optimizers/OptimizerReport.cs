using Hybrid.Synapse.Energy;

namespace Hybrid.Training.Optimizers;

/// <summary>
/// What an optimiser's steps cost and did, over the whole run (a resumed run included): the
/// update ledger, steps, synapse codes changed, skipped non-finite gradients and the optimiser's
/// memory. The trainer reads it before it disposes the optimiser and returns it in its result,
/// so costs flow up as values.
/// </summary>
/// <param name="Steps">Update steps taken.</param>
/// <param name="Ledger">The event counts of every step, summed.</param>
/// <param name="CodesChanged">Weights (codes) whose value changed, summed over steps.</param>
/// <param name="NonFiniteSkipped">Gradient elements skipped for being NaN/inf, summed over steps.</param>
/// <param name="Synapses">Weights held as synapse codes (0 for float optimisers).</param>
/// <param name="WeightBytes">Memory of the weights as stored (codes packed at B/8 bytes; floats 4).</param>
/// <param name="StateBytes">Memory of the optimiser state (second moments and the like).</param>
/// <param name="Arithmetic">What the model's quantisers and exact GEMMs counted (null when it has none).</param>
/// <param name="Device">An analog device's programming events and pulses over the run (null for digital synapses).</param>
public sealed record OptimizerReport(long Steps, Ledger Ledger, long CodesChanged, long NonFiniteSkipped, long Synapses,
    long WeightBytes, long StateBytes, Lns.ArithmeticStats? Arithmetic = null, DeviceCosts? Device = null)
{
    /// <summary>The ledger of a mean step (zero when no step was taken).</summary>
    public Ledger MeanStep => Steps > 0 ? Ledger.Scale(1.0 / Steps) : Ledger.Zero;
}

/// <summary>An optimiser that accounts for its steps (<see cref="OptimizerReport"/>).</summary>
public interface IReportingOptimizer
{
    /// <summary>What the steps so far cost and did.</summary>
    OptimizerReport Report();
}
