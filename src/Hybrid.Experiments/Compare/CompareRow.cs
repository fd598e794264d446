namespace Hybrid.Experiments.Compare;

/// <summary>One row of the comparison: a training run and what it cost.</summary>
/// <param name="Name">"float32 Adam", "float32 Madam", "LNS 8-bit".</param>
/// <param name="Kind">"adam", "madam" or "lns".</param>
/// <param name="BitsPerSynapse">32 for float rows, B for LNS rows.</param>
/// <param name="Gamma">γ of an LNS row (0 for float rows).</param>
/// <param name="TestAccuracy">Test accuracy after the last epoch.</param>
/// <param name="FinalTrainLoss">Mean training loss of the last epoch.</param>
/// <param name="EpochSeconds">Mean training seconds per epoch.</param>
/// <param name="StepMilliseconds">Mean milliseconds per training step (forward, backward, update).</param>
/// <param name="WeightBytes">Memory for the weights (B/8 bytes per synapse; float parameters 4).</param>
/// <param name="StateBytes">Memory for the optimiser state (second moments etc.).</param>
/// <param name="EnergyPerStepPj">Estimated energy of one update step in pJ (a model estimate: counts × per-event costs).</param>
/// <param name="CodesChangedPerStep">Mean weights (codes) changed per update step.</param>
/// <param name="NonFiniteSkipped">Gradient elements skipped for being NaN/inf (LNS rows; policy skip-and-count).</param>
/// <param name="Status">"completed", "diverged" or "cancelled".</param>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="RunFolder">The row's own run folder (relative to the comparison's).</param>
public sealed record CompareRow(string Name, string Kind, int BitsPerSynapse, double Gamma, double TestAccuracy,
    double FinalTrainLoss, double EpochSeconds, double StepMilliseconds, long WeightBytes, long StateBytes,
    double EnergyPerStepPj, double CodesChangedPerStep, long NonFiniteSkipped, string Status, int Epochs, string RunFolder)
{
    /// <summary>The CSV header of results.csv.</summary>
    public const string CsvHeader = "name,kind,bits,gamma,test_accuracy,final_train_loss,epoch_seconds,step_ms,weight_bytes," +
                                    "state_bytes,energy_per_step_pj,codes_changed_per_step,nonfinite_skipped,status,epochs";

    /// <summary>This row in CSV.</summary>
    public string ToCsv() => string.Join(',', Name, Kind, BitsPerSynapse, G(Gamma), G(TestAccuracy), G(FinalTrainLoss),
        G(EpochSeconds), G(StepMilliseconds), WeightBytes, StateBytes, G(EnergyPerStepPj), G(CodesChangedPerStep),
        NonFiniteSkipped, Status, Epochs);

    private static string G(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
