using System.Text;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Models;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Trainer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Models;

/// <summary>The ResNet and the GPT: shapes, parameter counts from the spec, seeded initialisation, training.</summary>
public class NetworkModelTests
{
    [TestCase(1, true)]
    [TestCase(3, false)]
    public void ResNetParameterCountAndShape(int blocks, bool bias)
    {
        var spec = new ModelSpec(ModelKind.ResNet, [1, 28, 28], 10, Depth: blocks, Bias: bias);
        using var model = ModelFactory.Build(spec, 0);
        Assert.That(spec.ParameterCount(), Is.EqualTo(ModelFactory.ParameterCount(model)));
        Assert.That(model.modules().OfType<Conv2d>().Count(), Is.EqualTo(1 + 2 * 3 * blocks + 2), "ResNet-(6n + 2) plus two 1×1 shortcuts");
        using var x = torch.randn(3, 1, 28, 28);
        Assert.That(model.call(x).shape, Is.EqualTo(new long[] { 3, 10 }));
    }

    [Test]
    public void GptParameterCountShapeAndInitialisation()
    {
        var spec = new ModelSpec(ModelKind.Gpt, [32], 50, Depth: 2, Width: 32, Heads: 4);
        using var model = ModelFactory.Build(spec, 1);
        Assert.That(spec.ParameterCount(), Is.EqualTo(ModelFactory.ParameterCount(model)));
        var p = model.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        Assert.That(p.Keys, Has.None.Contain("bias"), "no biases: a zero bias never moves under Madam");
        Assert.That(p["blocks.0.attn.q.weight"].std().item<float>(), Is.EqualTo(0.02f).Within(0.003f));
        Assert.That(p["blocks.1.fc2.weight"].std().item<float>(), Is.EqualTo(0.02f / 2f).Within(0.002f), "residual projections 0.02/√(2L)");
        using var again = ModelFactory.Build(spec, 1);
        Assert.That(again.named_parameters().First().parameter.equal(p["tok.weight"]).all().item<bool>(), Is.True, "seeded");
        using var idx = torch.randint(0, 50, [2, 20], ScalarType.Int64);
        Assert.That(model.call(idx).shape, Is.EqualTo(new long[] { 2, 20, 50 }), "any T up to the context");
        Assert.Throws<ArgumentException>(() => model.call(torch.zeros(2, 33, ScalarType.Int64)));
    }

    [Test]
    public void BadSpecsAreRefusedNamingTheField()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new ModelSpec(ModelKind.Gpt, [16], 10, Width: 30, Heads: 4).Validate())!.Message,
            Does.Contain("multiple of its 4 heads"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ModelSpec(ModelKind.Gpt, [1, 28, 28], 10).Validate())!.Message,
            Does.Contain("token ids [context]"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ModelSpec(ModelKind.ResNet, [784], 10).Validate())!.Message,
            Does.Contain("image input"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ModelSpec(ModelKind.ResNet, [1, 28, 28], 10, Depth: 0).Validate())!.Message,
            Does.Contain("blocks per stage"));
    }

    /// <summary>A tiny text: the GPT, float Madam or LNS-Madam, learns it through the trainer (loss per character falls).</summary>
    [TestCase("madam")]
    [TestCase("lns-madam")]
    public void TheGptLearnsATextThroughTheTrainer(string optimizer)
    {
        var docs = Enumerable.Range(0, 60).Select(i => Encoding.ASCII.GetBytes($"the cat sat on the mat {i % 7} times.\n")).ToList();
        using var data = TextCorpus.FromDocuments("cats", "test", docs).Windows(16);
        var spec = new ModelSpec(ModelKind.Gpt, data.InputShape, data.Classes, Depth: 1, Width: 32, Heads: 2);
        var opt = new OptimizerSpec(optimizer, Bits: optimizer == "lns-madam" ? 12 : null);
        var r = Hybrid.Training.Trainer.Trainer.Run(new TrainingJob
        {
            Name = "gpt",
            BuildModel = d => OptimizerCatalog.PrepareModel(opt, ModelFactory.Build(spec, 0, d)),
            BuildOptimizer = m => OptimizerCatalog.Create(opt, m, 0),
            Data = data,
            Epochs = 6,
            BatchSize = 8,
            Config = new { optimizer },
        }, new MemoryRunStore(), SilentObserver.Instance);
        Assert.That(r.Status, Is.EqualTo(RunStatus.Completed));
        double first = TextCorpus.BitsPerCharacter(r.Epochs[0].TrainLoss), last = TextCorpus.BitsPerCharacter(r.Epochs[^1].TestLoss);
        TestContext.Out.WriteLine($"{optimizer}: {first:F6} → {last:F6} bits/char; " + string.Join(", ", r.Epochs.Select(e => e.TestLoss.ToString("F6"))));
        Assert.That(last, Is.LessThan(0.7 * first));
        Assert.That(last, Is.LessThan(Math.Log2(data.Classes)), "better than uniform over the vocabulary");
        if (optimizer == "lns-madam") Assert.That(r.Optimizer!.CodesChanged, Is.GreaterThan(0));
    }
}
