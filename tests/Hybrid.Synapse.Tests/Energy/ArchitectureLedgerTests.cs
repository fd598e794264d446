using Hybrid.Synapse.Energy;
using Hybrid.Synapse.Energy.Architectures;

namespace Hybrid.Synapse.Tests;

/// <summary>The standard architectures' shapes against their published parameter and MAC counts, and their ledgers.</summary>
public class ArchitectureLedgerTests
{
    // Published figures: torchvision's model table (resnet18: 11,689,512 parameters, 1.81 GFLOPS — multiply-accumulates of
    // the convolutions and the classifier at 224×224; resnet50: 25,557,032, 4.09); HuggingFace's BertForMaskedLM
    // (bert-base-uncased: 109,514,298 = "110 M") and GPT2LMHeadModel (gpt2: 124,439,808 = "124 M", tied head).
    [TestCase("resnet18", 11_689_512L, 1.81e9)]
    [TestCase("resnet50", 25_557_032L, 4.09e9)]
    public void ResNetsHaveTheirPublishedSizes(string name, long parameters, double macs)
    {
        var net = StandardNetworks.Get(name);
        net.Validate();
        Assert.That(net.Parameters, Is.EqualTo(parameters));
        Assert.That(net.ForwardMacs, Is.EqualTo(macs).Within(0.5).Percent);
    }

    [TestCase("bert-base", 109_514_298L)]
    [TestCase("gpt2-small", 124_439_808L)]
    public void TransformersHaveTheirPublishedSizes(string name, long parameters)
    {
        var net = StandardNetworks.Get(name);
        net.Validate();
        Assert.That(net.Parameters, Is.EqualTo(parameters));
    }

    [Test]
    public void TransformerMacsMatchTheirFormulas()
    {
        // per token: 12 layers × (4d² projections + 8d² FFN) + the tied head d·V; attention products 2·T·d per layer
        // (BERT, all pairs) and 2·(T+1)/2·d (GPT-2, causal)
        const double d = 768;
        var bert = StandardNetworks.BertBase();
        double perToken = 12 * 12 * d * d + d * d + d * 30522;
        Assert.That(bert.ForwardMacs, Is.EqualTo(512 * perToken + 12 * 2 * 512.0 * 512 * d).Within(1e-9).Percent);
        var gpt = StandardNetworks.Gpt2Small();
        double gptToken = 12 * 12 * d * d + d * 50257;
        Assert.That(gpt.ForwardMacs, Is.EqualTo(1024 * gptToken + 12 * 2 * (1024 * 1025 / 2.0) * d).Within(1e-9).Percent);
    }

    [Test]
    public void ResNet18StepCountsThreeTimesItsForwardMacs()
    {
        var net = StandardNetworks.ResNet18();
        var rows = CostRows.Standard();
        var results = CostStudy.Price(net, 256, rows, EnergyTable.Horowitz45nm, MemoryHierarchy.Default);
        Assert.That(results, Has.Count.EqualTo(6));
        // forward + backward-weight for every layer, backward-data for all but conv1 (it reads the images)
        double conv1 = 64 * 3 * 7 * 7 * 112.0 * 112;
        foreach (var r in results)
        {
            Assert.That(r.Macs, Is.EqualTo(256 * (3 * net.ForwardMacs - conv1)).Within(1e-9).Percent, r.Row.Key);
            Assert.That(r.Priced.TotalPj, Is.GreaterThan(0));
        }
        double fp32 = results[0].Priced.TotalPj;
        Assert.That(results.Single(r => r.Row.Key.StartsWith("lns-madam")).Priced.TotalPj, Is.LessThan(fp32 / 2));
    }
}
