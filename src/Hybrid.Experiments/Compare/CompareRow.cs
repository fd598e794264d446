using System.Globalization;
using Hybrid.Experiments.Runs;
using Hybrid.Experiments.Statistics;
using Hybrid.Training.Trainer;

namespace Hybrid.Experiments.Compare;

/// <summary>The energy of one pass of a step, in pJ: arithmetic and memory.</summary>
public sealed record PassEnergy(string Pass, double ComputePj, double MemoryPj);

/// <summary>One training run of a comparison (a row at one seed) and what it cost.</summary>
/// <param name="Key">The row's key (its folder under rows/).</param>
/// <param name="Name">"float32 Adam", "LNS 8-bit weights", "LNS-Madam 8/12-bit (authors)", …</param>
/// <param name="Kind">"adam", "madam", "fp8", "int8", "lns" or "lns-full".</param>
/// <param name="Seed">The run's seed (weights, batch order, rounding streams).</param>
/// <param name="BitsPerSynapse">Storage bits of a weight (32 for float rows).</param>
/// <param name="Gamma">The storage γ of an LNS row (0 otherwise).</param>
/// <param name="GemmFormat">The GEMM operands' format.</param>
/// <param name="TestAccuracy">Test accuracy after the last epoch.</param>
/// <param name="FinalTrainLoss">Mean training loss of the last epoch.</param>
/// <param name="EpochSeconds">Mean training seconds per epoch.</param>
/// <param name="StepMilliseconds">Mean milliseconds per training step (forward, backward, update).</param>
/// <param name="WeightBytes">Memory for the weights as stored.</param>
/// <param name="StateBytes">Memory for the optimiser state.</param>
/// <param name="EnergyPerStepPj">Full-step energy of a full batch (model estimate), NaN when the model is not an MLP.</param>
/// <param name="ComputePerStepPj">Its arithmetic part.</param>
/// <param name="MemoryPerStepPj">Its memory part.</param>
/// <param name="Passes">Its split by pass.</param>
/// <param name="EnergyPerEpochPj">Full-step energy summed over an epoch's batches (the last one partial).</param>
/// <param name="CodesChangedPerStep">Mean weights (codes) changed per update step (LNS rows).</param>
/// <param name="NonFiniteSkipped">Gradient elements skipped as NaN/inf (LNS rows).</param>
/// <param name="Saturated">Fraction of quantised values that saturated (all quantisers).</param>
/// <param name="Underflowed">Fraction of quantised values that underflowed to 0.</param>
/// <param name="GemmSaturations">Exact-GEMM accumulator saturations per step.</param>
/// <param name="Status">How its training ended.</param>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="RunFolder">The run's folder, relative to the comparison's.</param>
/// <param name="TestLoss">Mean test loss after the last epoch (nats per example; per token for the GPT, whose test split is
/// the held-out validation text); NaN in rows read back from a comparison that did not record it.</param>
public sealed record CompareRow(string Key, string Name, string Kind, long Seed, int BitsPerSynapse, double Gamma, string GemmFormat,
    double TestAccuracy, double FinalTrainLoss, double EpochSeconds, double StepMilliseconds, long WeightBytes, long StateBytes,
    double EnergyPerStepPj, double ComputePerStepPj, double MemoryPerStepPj, IReadOnlyList<PassEnergy> Passes,
    double EnergyPerEpochPj, double CodesChangedPerStep, long NonFiniteSkipped, double Saturated, double Underflowed,
    double GemmSaturations, RunStatus Status, int Epochs, string RunFolder, double TestLoss = double.NaN)
{
    /// <summary>The test loss in bits per character (<see cref="TestLoss"/> / ln 2): the GPT's metric.</summary>
    public double TestBitsPerCharacter => Hybrid.Training.Data.TextCorpus.BitsPerCharacter(TestLoss);

    /// <summary>The CSV header of results.csv.</summary>
    public const string CsvHeader = "key,name,kind,seed,bits,gamma,gemm_format,test_accuracy,final_train_loss,epoch_seconds,step_ms," +
        "weight_bytes,state_bytes,energy_per_step_pj,compute_per_step_pj,memory_per_step_pj,forward_pj,backward_data_pj," +
        "backward_weight_pj,update_pj,energy_per_epoch_pj,codes_changed_per_step,nonfinite_skipped,saturated,underflowed," +
        "gemm_saturations,status,epochs,test_loss";

    /// <summary>This run in CSV.</summary>
    public string ToCsv() => string.Join(',', Key, Quote(Name), Kind, Seed, BitsPerSynapse, G(Gamma), GemmFormat, G(TestAccuracy),
        G(FinalTrainLoss), G(EpochSeconds), G(StepMilliseconds), WeightBytes, StateBytes, G(EnergyPerStepPj), G(ComputePerStepPj),
        G(MemoryPerStepPj), G(PassPj("forward")), G(PassPj("backward-data")), G(PassPj("backward-weight")), G(PassPj("update")),
        G(EnergyPerEpochPj), G(CodesChangedPerStep), NonFiniteSkipped, G(Saturated), G(Underflowed), G(GemmSaturations), Status.Name(), Epochs, G(TestLoss));

    /// <summary>The energy of one pass (compute + memory), pJ.</summary>
    public double PassPj(string pass) => Passes.Where(p => p.Pass == pass).Sum(p => p.ComputePj + p.MemoryPj);

    private static string G(double x) => x.ToString("R", CultureInfo.InvariantCulture);
    private static string Quote(string s) => s.Contains(',') ? $"\"{s}\"" : s;

    /// <summary>Value equality, the passes included (a run read back from its unit.json equals the one that wrote it).</summary>
    public bool Equals(CompareRow? other) =>
        other is not null && ToCsv() == other.ToCsv() && RunFolder == other.RunFolder && Passes.SequenceEqual(other.Passes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Seed, TestAccuracy, EnergyPerStepPj);
}

/// <summary>One row of a comparison summarised over its seeds (mean ± 95 % interval, <see cref="SeedSummary"/>).</summary>
public sealed record CompareSummary(string Key, string Name, string Kind, int BitsPerSynapse, double Gamma, string GemmFormat,
    int Runs, int Completed, SeedSummary TestAccuracy, SeedSummary EnergyPerStepPj, double ComputePerStepPj, double MemoryPerStepPj,
    IReadOnlyList<PassEnergy> Passes, double EnergyPerEpochPj, long WeightBytes, long StateBytes, double EpochSeconds,
    double CodesChangedPerStep, double Saturated, double Underflowed, SeedSummary? TestBitsPerCharacter = null)
{
    /// <summary>Validation bits per character over the seeds (the GPT's metric; NaN when no run recorded its test loss).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public SeedSummary BitsPerCharacter => TestBitsPerCharacter ?? SeedSummary.Of([]);

    /// <summary>Summaries of <paramref name="rows"/>, one per key, in the rows' order; runs that did not complete leave the accuracy.
    /// <paramref name="text"/>: the data is text (the GPT), so bits per character are summarised; otherwise they are left out
    /// (a test loss in nats is not bits per character of anything).</summary>
    public static IReadOnlyList<CompareSummary> Of(IReadOnlyList<CompareRow> rows, bool text = false) => rows.GroupBy(r => r.Key).Select(g =>
    {
        var runs = g.ToList();
        var done = runs.Where(r => r.Status == RunStatus.Completed).ToList();
        var first = runs[0];
        var passes = first.Passes.Select(p => new PassEnergy(p.Pass,
            runs.Average(r => r.Passes.Single(q => q.Pass == p.Pass).ComputePj), runs.Average(r => r.Passes.Single(q => q.Pass == p.Pass).MemoryPj))).ToList();
        return new CompareSummary(first.Key, first.Name, first.Kind, first.BitsPerSynapse, first.Gamma, first.GemmFormat, runs.Count, done.Count,
            SeedSummary.Of(done.Select(r => r.TestAccuracy)), SeedSummary.Of(runs.Select(r => r.EnergyPerStepPj)),
            runs.Average(r => r.ComputePerStepPj), runs.Average(r => r.MemoryPerStepPj), passes, runs.Average(r => r.EnergyPerEpochPj),
            first.WeightBytes, first.StateBytes, runs.Average(r => r.EpochSeconds), runs.Average(r => r.CodesChangedPerStep),
            runs.Average(r => r.Saturated), runs.Average(r => r.Underflowed), text ? SeedSummary.Of(done.Select(r => r.TestBitsPerCharacter)) : null);
    }).ToList();

    /// <summary>The CSV header of summary.csv.</summary>
    public const string CsvHeader = "key,name,kind,bits,gamma,gemm_format,runs,completed,test_accuracy_mean,test_accuracy_ci95," +
        "energy_per_step_pj,compute_per_step_pj,memory_per_step_pj,energy_per_epoch_pj,weight_bytes,state_bytes,epoch_seconds," +
        "test_bits_per_char_mean,test_bits_per_char_ci95";

    /// <summary>This row in CSV (a missing interval is empty).</summary>
    public string ToCsv()
    {
        static string G(double x) => double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "";
        return string.Join(',', Key, Name.Contains(',') ? $"\"{Name}\"" : Name, Kind, BitsPerSynapse, G(Gamma), GemmFormat, Runs, Completed,
            G(TestAccuracy.Mean), G(TestAccuracy.HalfWidth), G(EnergyPerStepPj.Mean), G(ComputePerStepPj), G(MemoryPerStepPj),
            G(EnergyPerEpochPj), WeightBytes, StateBytes, G(EpochSeconds), G(BitsPerCharacter.Mean), G(BitsPerCharacter.HalfWidth));
    }
}
