using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Data;
using Hybrid.Training.Models;
using Hybrid.Training.Lns;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>The LNS synapse model in TorchSharp: layer, optimiser, and the whole simulator path.</summary>
public class LnsModelTests
{
    private static DataSet Data() => Synthetic.Mixture(new MixtureOptions(Train: 1200, Test: 400, Dim: 16, Classes: 4), seed: 5);

    private static ModelSpec Spec(DataSet d) => new(ModelKind.Mlp, d.InputShape, d.Classes, Depth: 1, Width: 32);

    private static TrainResult Train(DataSet data, LnsMadamSettings settings, ISynapseBackend backend, IRunStore store,
        int bits = 8, int epochs = 4, bool resume = false, Action<Sequential>? inspect = null)
    {
        var spec = Spec(data);
        return Hybrid.Training.Trainer.Trainer.Run(new TrainingJob
        {
            Name = "lns",
            BuildModel = d =>
            {
                var m = LnsModels.FromFloat(ModelFactory.Build(spec, 3, d), bits, LnsModels.DefaultGamma(bits), settings.Moment, backend);
                inspect?.Invoke(m);
                return m;
            },
            BuildOptimizer = m => new LnsMadamOptimizer(m, settings),
            Data = data,
            Epochs = epochs,
            BatchSize = 64,
            Seed = 3,
            Config = new { bits, settings.Moment, settings.Rounding, epochs },
        }, store, SilentObserver.Instance, resume);
    }

    private readonly Dictionary<string, MemoryRunStore> _stores = [];

    [SetUp]
    public void ClearStores() => _stores.Clear();

    private MemoryRunStore Store(string name) => _stores.TryGetValue(name, out var s) ? s : _stores[name] = new MemoryRunStore();

    private static LnsMadamSettings Settings(MomentMode moment = MomentMode.PerSynapse, DeviceModel device = default) =>
        new(new LnsFormat(8, 8, 1), 1, 0.05f, Seed: 9, NonFinite: NonFinitePolicy.Skip, Moment: moment, Device: device);

    [Test]
    public void ConvertedLayerHoldsItsWeightOnTheGridAndComputesLinear()
    {
        torch.manual_seed(1);
        using var lin = nn.Linear(12, 5);
        using var lns = new LnsLinear("fc", lin, 8, 8, MomentMode.PerSynapse, 0, NativeCpuBackend.Instance);
        var w = lns.Weight.detach();
        var codes = lns.Synapses.Codes8.ToArray();
        var decoded = new float[codes.Length];
        ManagedBackend.Instance.LnsDecode<byte>(lns.Synapses.Format, codes, decoded);
        Assert.That(w.data<float>().ToArray(), Is.EqualTo(decoded), "the float weight is exactly the decoded codes");
        Assert.That((w - lin.weight!.detach()).abs().max().item<float>(), Is.LessThan(0.05f * lns.Synapses.Format.WMax), "near the float weights");
        using var x = torch.randn(3, 12);
        Assert.That(lns.call(x).allclose(nn.functional.linear(x, w, lin.bias!.detach())), Is.True);
    }

    [Test]
    public void SixteenBitCodesWork()
    {
        torch.manual_seed(2);
        using var lin = nn.Linear(6, 3);
        using var lns = new LnsLinear("fc", lin, 16, 2048, MomentMode.PerSynapse, 0, NativeCpuBackend.Instance);
        var decoded = new float[18];
        ManagedBackend.Instance.LnsDecode<ushort>(lns.Synapses.Format, lns.Synapses.Codes16.ToArray(), decoded);
        Assert.That(lns.Weight.detach().data<float>().ToArray(), Is.EqualTo(decoded));
        Assert.That((lns.Weight.detach() - lin.weight!.detach()).abs().max().item<float>(), Is.LessThan(1e-3f * lns.Synapses.Format.WMax));
    }

    [Test]
    public void SimulatorLearnsAtEightBits([Values] MomentMode moment)
    {
        using var data = Data();
        var r = Train(data, Settings(moment), NativeCpuBackend.Instance, Store(moment.ToString()));
        Assert.That(r.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(r.FinalTestAccuracy, Is.GreaterThan(0.6), $"{moment}: chance is 0.25");
    }

    [Test]
    public void SameSeedGivesIdenticalCodesOnEveryBackend()
    {
        using var data = Data();
        var codes = new List<byte[]>();
        foreach (var backend in new ISynapseBackend[] { ManagedBackend.Instance, NativeCpuBackend.Instance })
        {
            Sequential? model = null;
            var name = backend.Name;
            Train(data, Settings(device: new DeviceModel(0.2f, 0.1f, 0.1f, 0.05f)), backend, Store(name), epochs: 1);
            var folder = Store(name);
            var spec = Spec(data);
            model = LnsModels.FromFloat(ModelFactory.Build(spec, 3), 8, 8, MomentMode.PerSynapse, backend);
            Hybrid.Training.Trainer.Trainer.LoadWeights(folder, model);
            codes.Add(model.modules().OfType<LnsLinear>().SelectMany(l => l.Synapses.Codes8.ToArray()).ToArray());
        }
        Assert.That(codes[1], Is.EqualTo(codes[0]), "managed and native-cpu codes after an epoch");
    }

    [Test]
    public void IdealDeviceModelTrainsExactlyLikeThePlainModel()
    {
        using var data = Data();
        var plain = Train(data, Settings(), NativeCpuBackend.Instance, Store("plain"), epochs: 2);
        var ideal = Train(data, Settings(device: new DeviceModel(0f, 0f, 0f, 0f)), NativeCpuBackend.Instance, Store("ideal"), epochs: 2);
        Assert.That(ideal.Epochs.Select(e => e.TrainLoss), Is.EqualTo(plain.Epochs.Select(e => e.TrainLoss)));
        var noisy = Train(data, Settings(device: new DeviceModel(CycleToCycleNoise: 0.5f)), NativeCpuBackend.Instance, Store("noisy"), epochs: 2);
        Assert.That(noisy.Epochs.Select(e => e.TrainLoss), Is.Not.EqualTo(plain.Epochs.Select(e => e.TrainLoss)));
    }

    [Test]
    public void LnsRunResumesToTheSameCodes()
    {
        using var data = Data();
        Train(data, Settings(), NativeCpuBackend.Instance, Store("whole"), epochs: 3);
        Train(data, Settings(), NativeCpuBackend.Instance, Store("split"), epochs: 1);
        Train(data, Settings(), NativeCpuBackend.Instance, Store("split"), epochs: 3, resume: true);
        var a = EpochMetrics.Csv(Store("whole").Epochs).Split('\n').Select(l => string.Join(',', l.Split(',').Take(5)));
        var b = EpochMetrics.Csv(Store("split").Epochs).Split('\n').Select(l => string.Join(',', l.Split(',').Take(5)));
        Assert.That(b, Is.EqualTo(a), "losses and accuracies of every epoch match");
    }

    [Test]
    public void OptimiserKeepsALedger()
    {
        using var data = Data();
        LnsMadamOptimizer? opt = null;
        var spec = Spec(data);
        var model = LnsModels.FromFloat(ModelFactory.Build(spec, 3), 8, 8, MomentMode.PerSynapse, NativeCpuBackend.Instance);
        opt = new LnsMadamOptimizer(model, Settings());
        using var x = data.TrainX.narrow(0, 0, 64);
        using var y = data.TrainY.narrow(0, 0, 64);
        nn.functional.cross_entropy(model.call(x), y).backward();
        opt.step();
        long synapses = opt.Layers.Sum(l => l.Synapses.Count);
        Assert.That(opt.LastStep.Elements, Is.EqualTo(synapses + (spec.ParameterCount() - synapses)));
        Assert.That(opt.LastStep.RandomBits, Is.EqualTo(synapses * Settings().RandomBits), "random_bits per synapse");
        Assert.That(opt.CodesChanged, Is.GreaterThan(0).And.LessThanOrEqualTo(synapses));
    }
}
