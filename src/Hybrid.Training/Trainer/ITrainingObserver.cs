namespace Hybrid.Training.Trainer;

/// <summary>Receives a run's progress (for a live display or plain log lines).</summary>
public interface ITrainingObserver
{
    /// <summary>The run starts (or resumes) at epoch <paramref name="firstEpoch"/> of <paramref name="epochs"/>.</summary>
    void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch);

    /// <summary>A training batch finished with this loss.</summary>
    void Batch(int epoch, long batch, double loss);

    /// <summary>An epoch finished and was evaluated.</summary>
    void Epoch(EpochMetrics metrics);

    /// <summary>Something worth telling the user (resume, divergence, where files went).</summary>
    void Message(string text);

    /// <summary>An epoch's model, after its checkpoint was kept (for logs that look inside, such as histograms of synapse codes).</summary>
    void EpochModel(int epoch, TorchSharp.torch.nn.Module model) { }
}

/// <summary>An observer that ignores everything (tests, benchmarks).</summary>
public sealed class SilentObserver : ITrainingObserver
{
    /// <summary>The one instance.</summary>
    public static readonly SilentObserver Instance = new();
    /// <inheritdoc />
    public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch) { }
    /// <inheritdoc />
    public void Batch(int epoch, long batch, double loss) { }
    /// <inheritdoc />
    public void Epoch(EpochMetrics metrics) { }
    /// <inheritdoc />
    public void Message(string text) { }
}
