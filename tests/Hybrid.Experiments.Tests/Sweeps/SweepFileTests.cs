using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>Bad sweep files are refused before anything runs or is written, with the bad field named.</summary>
public class SweepFileTests : SweepTestBase
{
    private string Refused(string json)
    {
        var e = Assert.Throws<ArgumentException>(() => Plan(json))!;
        Assert.That(Directory.Exists(Out), Is.False, "nothing was written");
        return e.Message;
    }

    [Test]
    public void AGoodFileExpandsToItsCrossProduct()
    {
        var plan = Plan(Tiny("\"optimizer.lr\": [0.01, 0.003], \"width\": [4, 8, 16]", seeds: "2"));
        Assert.That(plan.Runs, Has.Count.EqualTo(12));
        Assert.That(plan.Runs.Select(r => r.Label).Take(3), Is.EqualTo(new[]
        {
            "optimizer.lr=0.01 width=4 seed=0", "optimizer.lr=0.01 width=4 seed=1", "optimizer.lr=0.01 width=8 seed=0",
        }), "the first axis varies slowest, the seeds fastest");
        Assert.That(Directory.Exists(Out), Is.False, "planning writes nothing");
    }

    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axis\": {} }", "unknown key 'axis'; valid: name, experiment")]
    [TestCase("{ \"experiment\": \"train\" }", "'name' is missing")]
    [TestCase("{ \"name\": \"a b\", \"experiment\": \"train\" }", "name 'a b' must be")]
    [TestCase("{ \"name\": \"x\" }", "'experiment' is missing; valid: train, compare")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"trian\" }", "unknown experiment 'trian'; valid: train, compare")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"optimiser.lr\": [1] } }", "axis 'optimiser.lr': the settings have no field 'optimiser'; valid: model, depth")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"optimizer.rate\": [1] } }", "axis 'optimizer.rate': 'optimizer' has no field 'rate'; valid: name, lr, momentum")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"optimizer.effectiveBackend\": [\"managed\"] } }", "no field 'effectiveBackend'")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"epochs\": [] } }", "axis 'epochs' is empty")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"epochs\": 3 } }", "axis 'epochs' must be a list")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"epochs\": [1, \"two\"] } }", "axis 'epochs' value 2: two is not an integer")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"epochs\": [1.5] } }", "axis 'epochs' value 1: 1.5 is not an integer")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"model\": [null] } }", "axis 'model' value 1: null is not a string")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"compare\", \"axes\": { \"bits\": [8] } }", "axis 'bits' value 1: 8 is not a list of integers")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"base\": { \"epoch\": 3 } }", "base field 'epoch'")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"base\": { \"optimizer\": { \"lr\": \"fast\" } } }", "base field 'optimizer.lr': fast is not a number")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"base\": 3 }", "'base' must be an object")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"seeds\": 0 }", "'seeds' must be a count K ≥ 1")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"seeds\": [1, 2.5] }", "'seeds' must be a count")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"seeds\": 2, \"axes\": { \"seed\": [1] } }", "not both")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"epochs\": [1, 0] } }", "run 2 (epochs=0): --epochs 0 must be >= 1")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"optimizer\": [{ \"name\": \"adamw\" }] } }", "run 1 (optimizer={\"name\":\"adamw\"})")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"optimizer.bits\": [4] } }", "run 1 (optimizer.bits=4)")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"optimizer.lr\": [0.01, 1e-2] } }", "runs 1 (optimizer.lr=0.01) and 2 (optimizer.lr=1e-2) are the same configuration")]
    [TestCase("{ \"name\": \"x\", \"experiment\": \"train\", \"axes\": { \"epochs\": [1] ", "is not valid JSON")]
    [TestCase("[1, 2]", "must hold a JSON object")]
    public void BadFilesAreRefusedNamingTheProblem(string json, string message) =>
        Assert.That(Refused(json), Does.Contain(message).And.Contain("sweep.json"));

    [Test]
    public void ATrainSizeOfZeroSaysHowAFileAsksForTheWholeSet()
    {
        // the command line's 0 means "all"; a settings file writes that as null, and a 0 there is refused saying so
        var message = Refused(Tiny("\"trainSize\": [0]"));
        Assert.That(message, Does.Contain("--train-size 0 must be >= 1").And.Contain("null in a config or sweep file"));
    }

    [Test]
    public void AMissingFileIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => SweepPlan.Load(Path.Combine(Root, "nope.json")))!;
        Assert.That(e.Message, Does.Contain("nope.json does not exist"));
    }

    [Test]
    public void CommentsAndTrailingCommasAreAllowed()
    {
        var plan = Plan("""
            // a sweep
            { "name": "c", "experiment": "train", "axes": { "depth": [1, 2], }, }
            """);
        Assert.That(plan.Runs, Has.Count.EqualTo(2));
    }

    [Test]
    public void SeedsAsACountOrAListOrAnAxis()
    {
        Assert.That(Plan(Tiny(seeds: "3")).Runs.Select(r => r.Seed), Is.EqualTo(new[] { "0", "1", "2", "0", "1", "2" }));
        Assert.That(Plan(Tiny(seeds: "[7, 11]")).Runs.Select(r => r.Seed), Is.EqualTo(new[] { "7", "11", "7", "11" }));
        var axis = Plan("{ \"name\": \"s\", \"experiment\": \"train\", \"axes\": { \"seed\": [4, 5] } }");
        Assert.That(axis.Runs.All(r => r.Point.Single().IsSeed), "an axis called 'seed' is the seed axis");
        Assert.That(axis.Runs.Select(r => r.GroupKey).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public void ObjectValuesReplaceANestedSettingWhole()
    {
        var plan = Plan("""
            { "name": "o", "experiment": "train",
              "axes": { "optimizer": [ { "name": "sgd", "momentum": 0.5 }, { "name": "lns-madam", "bits": 6 } ] } }
            """);
        var settings = plan.Runs.Select(r => (Hybrid.Experiments.Train.TrainSettings)r.Settings).ToList();
        Assert.That(settings[0].Optimizer, Is.EqualTo(new Hybrid.Training.Optimizers.OptimizerSpec("sgd", Momentum: 0.5)));
        Assert.That(settings[1].Optimizer, Is.EqualTo(new Hybrid.Training.Optimizers.OptimizerSpec("lns-madam", Bits: 6)));
    }

    [Test]
    public void CompareSweepsTakeCompareSettings()
    {
        var plan = Plan("""
            { "name": "cmp", "experiment": "compare", "base": { "bits": [8, 4], "epochs": 1 },
              "axes": { "c2cNoise": [0, 0.2] }, "seeds": 2 }
            """);
        Assert.That(plan.Runs, Has.Count.EqualTo(4));
        var s = (Hybrid.Experiments.Compare.CompareSettings)plan.Runs[3].Settings;
        Assert.That((s.Bits, s.C2cNoise, s.Seed, s.Epochs), Is.EqualTo((new[] { 8, 4 }, 0.2f, 1L, 1)));
        Assert.That(new Hybrid.Experiments.Compare.CompareExperiment().Headline(s).Select(h => h.Name),
            Is.EqualTo(new[] { "adam.test_accuracy", "madam.test_accuracy", "lns-08.test_accuracy", "lns-04.test_accuracy",
                "lnsfull-12-stochastic.test_accuracy" }), "compare's default full-LNS row comes with the defaults");
    }
}
