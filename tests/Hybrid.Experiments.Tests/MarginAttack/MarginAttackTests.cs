using Hybrid.Experiments.MarginAttack;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Experiments.Tests.PartOne;

/// <summary>The margin attack's data construction, and (explicit) its quick run.</summary>
public class MarginAttackTests
{
    [Test]
    public void AttackedLabelsKeepTheCleanHeadAndDrawTheTailBySeed()
    {
        using var truth = torch.arange(0, 40, dtype: ScalarType.Int64).remainder(10); // 0..9 repeated
        using var a = MarginAttackData.AttackedLabels(truth, 10, 30, 10, seed: 7);
        using var b = MarginAttackData.AttackedLabels(truth, 10, 30, 10, seed: 7);
        using var c = MarginAttackData.AttackedLabels(truth, 10, 30, 10, seed: 8);
        Assert.That(a.shape, Is.EqualTo(new long[] { 40 }));
        var av = a.data<long>().ToArray();
        Assert.That(av.Take(10), Is.EqualTo(truth.data<long>().ToArray().Take(10)), "the clean points keep their labels");
        Assert.That(av.All(v => v is >= 0 and < 10));
        Assert.That(av, Is.EqualTo(b.data<long>().ToArray()), "same seed, same labels");
        Assert.That(av.Skip(10), Is.Not.EqualTo(c.data<long>().ToArray().Skip(10)), "another seed, other labels");
        Assert.That(av.Skip(10).Zip(truth.data<long>().ToArray().Skip(10)).Count(p => p.First != p.Second), Is.GreaterThan(15),
            "about 90 % of 30 uniform draws over 10 classes differ from the truth");
        Assert.Throws<ArgumentException>(() => MarginAttackData.AttackedLabels(truth, 10, 20, 10, 1));
    }

    [Test]
    public void BadSettingsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => (MarginAttackSettings.Quick with { Alphas = [] }).Validate());
        Assert.Throws<ArgumentException>(() => (MarginAttackSettings.Quick with { Clean = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (MarginAttackSettings.Quick with { Seeds = 0 }).Validate());
    }

    /// <summary>The quick run (minutes on 2 cores): <c>dotnet test … --filter MarginAttackQuickRun</c>; folder in HYBRID_ATTACK_OUT.</summary>
    [Test, Explicit("a training run of minutes, for the docs' measurement")]
    public void MarginAttackQuickRun()
    {
        string folder = Environment.GetEnvironmentVariable("HYBRID_ATTACK_OUT") ?? Path.Combine(Path.GetTempPath(), "margin-attack-quick");
        var r = MarginAttackRun.Execute(MarginAttackSettings.Quick, folder, new Progress<string>(TestContext.Progress.WriteLine));
        TestContext.Progress.WriteLine(File.ReadAllText(Path.Combine(folder, "report.md")));
        Assert.That(r.Rows, Has.Count.EqualTo(MarginAttackSettings.Quick.Alphas.Length * MarginAttackSettings.Quick.Seeds));
    }
}
