using Hybrid.Training.Lns;
using Hybrid.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// TensorBoard event files in a run folder's <see cref="Folder"/> (TorchSharp's <c>SummaryWriter</c>): per epoch the
/// losses, accuracies, learning rate and throughput as scalars, and for an LNS model a histogram of every synapse
/// layer's codes. <c>tensorboard --logdir runs/</c> shows every run. Wraps another observer, which sees everything
/// as before. The event file is an append-only log beside the run's files: not in the manifest, not needed to resume;
/// a resumed run starts a second event file in the same folder (TensorBoard joins them by step).
/// </summary>
public sealed class TensorBoardLog(RunFolder folder, ITrainingObserver inner) : ITrainingObserver
{
    /// <summary>The sub-folder of the run that holds the event files.</summary>
    public const string Folder = "tensorboard";

    private TorchSharp.Modules.SummaryWriter? _writer;

    // opened at the first epoch, so that a run refused or failing before then leaves no event file
    private TorchSharp.Modules.SummaryWriter Writer => _writer ??= torch.utils.tensorboard.SummaryWriter(folder.File(Folder));

    /// <inheritdoc />
    public void Started(string name, int firstEpoch, int epochs, long batchesPerEpoch) => inner.Started(name, firstEpoch, epochs, batchesPerEpoch);

    /// <inheritdoc />
    public void Batch(int epoch, long batch, double loss) => inner.Batch(epoch, batch, loss);

    /// <inheritdoc />
    public void Epoch(EpochMetrics m)
    {
        var w = Writer;
        w.add_scalar("loss/train", (float)m.TrainLoss, m.Epoch);
        w.add_scalar("loss/test", (float)m.TestLoss, m.Epoch);
        w.add_scalar("accuracy/train", (float)m.TrainAccuracy, m.Epoch);
        w.add_scalar("accuracy/test", (float)m.TestAccuracy, m.Epoch);
        w.add_scalar("learning_rate", (float)m.LearningRate, m.Epoch);
        w.add_scalar("examples_per_second", (float)m.ExamplesPerSecond, m.Epoch);
        inner.Epoch(m);
    }

    /// <inheritdoc />
    public void EpochModel(int epoch, nn.Module model)
    {
        foreach (var (name, module) in model.named_modules())
        {
            if (module is not LnsLinear layer) continue;
            var s = layer.Synapses;
            float[] codes = s.Format.Bits <= 8 ? s.Codes8.ToArray().Select(c => (float)c).ToArray() : s.Codes16.ToArray().Select(c => (float)c).ToArray();
            using var t = torch.tensor(codes);
            Writer.add_histogram($"codes/{(name.Length == 0 ? "layer" : name)}", t, epoch);
        }
        inner.EpochModel(epoch, model);
    }

    /// <inheritdoc />
    public void Message(string text) => inner.Message(text);
}
