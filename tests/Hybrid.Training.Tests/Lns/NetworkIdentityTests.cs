using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// LNS codes after training steps of the cnn, the ResNet and the GPT are bit-identical on every backend (managed,
/// managed-simd, native-cpu at every SIMD level, native-cuda where present), weights-only and with every quantiser
/// on (stochastic rounding, the device model on), fast and exact GEMMs.
/// </summary>
public class NetworkIdentityTests
{
    private static readonly QuantizerSpec Lns8 = new(NumberFormat.Lns(8, 8));
    private static readonly QuantizerSpec Lns8S = Lns8 with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic };

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var kind in new[] { ModelKind.Cnn, ModelKind.ResNet, ModelKind.Gpt })
        {
            yield return new TestCaseData(kind, "weights-only").SetName($"{kind}, weights-only LNS");
            yield return new TestCaseData(kind, "fast").SetName($"{kind}, every quantiser, fast GEMMs");
        }
        yield return new TestCaseData(ModelKind.Cnn, "exact").SetName("Cnn, every quantiser, exact GEMMs");
        yield return new TestCaseData(ModelKind.Gpt, "exact").SetName("Gpt, every quantiser, exact GEMMs");
    }

    [TestCaseSource(nameof(Cases))]
    public void CodesAfterTrainingStepsAreIdenticalOnEveryBackend(ModelKind kind, string arithmetic)
    {
        var a = arithmetic switch
        {
            "weights-only" => StepArithmetic.Off,
            "fast" => new StepArithmetic(Lns8, Lns8S, Lns8S, Lns8S),
            _ => new StepArithmetic(Lns8, Lns8S, Lns8S, Lns8S, GemmMode.Exact),
        };
        var runs = EmbeddingTests.Every().Select(b => (b.Name, Codes: Train(kind, a, b))).ToList();
        Assert.That(runs.Select(r => r.Name), Is.SupersetOf(new[] { "managed", "managed-simd" }));
        Assert.That(runs[0].Codes.Length, Is.GreaterThan(0));
        foreach (var (name, codes) in runs.Skip(1))
            Assert.That(codes, Is.EqualTo(runs[0].Codes), $"{name} vs {runs[0].Name}");
    }

    private static byte[] Train(ModelKind kind, StepArithmetic a, ISynapseBackend backend)
    {
        var (spec, x, y) = kind switch
        {
            ModelKind.Gpt => (new ModelSpec(kind, [12], 16, Depth: 1, Width: 16, Heads: 2), Tokens(6, 12, 16, 1), Tokens(6, 12, 16, 2)),
            _ => (new ModelSpec(kind, [1, 12, 12], 4, Depth: 1, Width: 16), Images(8), Labels(8)),
        };
        using var model = ModelFactory.Build(spec, 3);
        LnsConverter.Convert(model, new LnsConversionSettings(backend) { Bits = 12, Arithmetic = a, Seed = 7 });
        var settings = new LnsMadamSettings(new LnsFormat(12, 128, 1), 1, 0.05f, Seed: 9, NonFinite: NonFinitePolicy.Skip,
            Device: new DeviceModel(0.2f, 0.1f, 0.1f, 0.05f));
        using var opt = new LnsMadamOptimizer(model, settings);
        model.train();
        for (int step = 0; step < 3; ++step)
        {
            opt.zero_grad();
            Hybrid.Training.Trainer.Trainer.Loss(model.call(x), y).backward();
            opt.step();
        }
        Assert.That(opt.CodesChanged, Is.GreaterThan(0));
        return opt.Layers.SelectMany(l => l.Bits <= 8 ? l.Synapses.Codes8.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.AsBytes(l.Synapses.Codes16).ToArray()).ToArray();
    }

    private static Tensor Images(long n)
    {
        torch.manual_seed(12);
        return torch.rand(n, 1, 12, 12);
    }

    private static Tensor Labels(long n) => torch.arange(n, ScalarType.Int64).remainder(4);

    private static Tensor Tokens(long n, long t, long vocabulary, int seed)
    {
        torch.manual_seed(seed);
        return torch.randint(0, vocabulary, [n, t], ScalarType.Int64);
    }
}
