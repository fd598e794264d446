using Hybrid.Experiments.Pareto;
using Hybrid.Experiments.Statistics;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Pareto;

/// <summary>The accuracy–energy frontier on hand-built configurations whose answer is known.</summary>
public class ParetoStudyTests
{
    // Three seeds each: values m - d, m, m + d give mean m, sd d, half-width 4.303 d / sqrt(3) = 2.484 d.
    private static SeedSummary S(double mean, double d) => SeedSummary.Of([mean - d, mean, mean + d]);

    private static ParetoPoint P(string label, double acc, double accD, double energy, double energyD) =>
        new(label, label, S(acc, accD), S(energy, energyD));

    private static readonly ParetoSettings Settings = new("base");

    [Test]
    public void AnExactTieWithNoSpreadDoesNotHideDomination()
    {
        // the same model size (a deterministic metric, no spread) and far better accuracy: dominated, not undecided
        var points = new[] { P("base", 0.90, 0.01, 698, 0), P("worse", 0.50, 0.01, 698, 0), P("close", 0.895, 0.01, 698, 0) };
        var s = ParetoStudy.FromPoints(points, Settings);
        Assert.That(s.Standings, Is.EqualTo(new[] { ParetoStanding.Frontier, ParetoStanding.Dominated, ParetoStanding.Undecided }));
    }

    [Test]
    public void KnownFrontierAndUndecidedMarking()
    {
        var points = new[]
        {
            P("base", 0.900, 0.001, 100, 1),  // most accurate: frontier
            P("mid", 0.890, 0.001, 50, 1),    // frontier
            P("cheap", 0.800, 0.001, 10, 1),  // frontier
            P("bad", 0.850, 0.001, 60, 1),    // beaten by mid far beyond the spread: dominated
            P("close", 0.889, 0.002, 51, 1),  // beaten by mid on both means, intervals overlap: undecided
        };
        var s = ParetoStudy.FromPoints(points, Settings);
        Assert.That(s.Standings, Is.EqualTo(new[] { ParetoStanding.Frontier, ParetoStanding.Frontier, ParetoStanding.Frontier,
            ParetoStanding.Dominated, ParetoStanding.Undecided }));
    }

    [Test]
    public void OneSeedHasNoIntervalSoNothingIsDominatedBeyondTheSpread()
    {
        var s = ParetoStudy.FromPoints([new("base", "base", SeedSummary.Of([0.9]), SeedSummary.Of([10.0])),
            new("worse", "worse", SeedSummary.Of([0.5]), SeedSummary.Of([20.0]))], Settings);
        Assert.That(s.Standings, Is.EqualTo(new[] { ParetoStanding.Frontier, ParetoStanding.Undecided }));
    }

    [Test]
    public void CheapestWithinEachMarginOfTheBaseline()
    {
        var points = new[]
        {
            P("base", 0.900, 0.001, 100, 1),
            P("a", 0.896, 0.001, 40, 1),   // 0.4 points below: within 0.5
            P("b", 0.892, 0.001, 20, 1),   // 0.8 below: within 1
            P("c", 0.882, 0.001, 5, 1),    // 1.8 below: within 2
            P("d", 0.700, 0.001, 1, 1),    // far below: never
        };
        var s = ParetoStudy.FromPoints(points, Settings);
        Assert.That(s.Table.Select(r => r.Point.Label), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(s.Table.Select(r => r.EnergyRatio), Is.EqualTo(new[] { 0.4, 0.2, 0.05 }).Within(1e-12));
        Assert.That(s.Table.Select(r => r.MarginPoints), Is.EqualTo(new[] { 0.5, 1, 2 }));
    }

    [Test]
    public void TheBaselineItselfIsTheAnswerWhenNothingCheaperIsCloseEnough()
    {
        var s = ParetoStudy.FromPoints([P("base", 0.9, 0.001, 100, 1), P("x", 0.5, 0.001, 1, 0.1)], Settings with { Margins = [0.5] });
        Assert.That(s.Table.Single().Point.Label, Is.EqualTo("base"));
        Assert.That(s.Table.Single().EnergyRatio, Is.EqualTo(1.0));
    }

    [Test]
    public void EmptySweepIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ParetoStudy.FromGroups([], Settings))!;
        Assert.That(e.Message, Does.Contain("no completed run"));
        var none = new GroupSummary("k", [new AxisValue("optimizer", "madam", false, "madam")], 3, 0, 0, new Dictionary<string, SeedSummary>());
        Assert.That(() => ParetoStudy.FromGroups([none], Settings), Throws.ArgumentException.With.Message.Contains("no completed run"));
    }

    [Test]
    public void MissingMetricIsNamed()
    {
        var g = new GroupSummary("k", [new AxisValue("optimizer", "madam", false, "madam")], 3, 3, 0,
            new Dictionary<string, SeedSummary> { ["test_accuracy"] = S(0.9, 0.01) });
        var e = Assert.Throws<ArgumentException>(() => ParetoStudy.FromGroups([g], new ParetoSettings("optimizer=madam")))!;
        Assert.That(e.Message, Does.Contain("energy_per_step_pj").And.Contain("recorded: test_accuracy"));
    }

    [Test]
    public void GroupsAreLabelledByTheirAxesAndTheBaselineMustMatchExactlyOne()
    {
        GroupSummary G(string opt, double acc, double e) => new(opt, [new AxisValue("optimizer", opt, false, opt)], 3, 3, 0,
            new Dictionary<string, SeedSummary> { ["test_accuracy"] = S(acc, 0.001), ["energy_per_step_pj"] = S(e, 1) });
        var groups = new[] { G("madam", 0.9, 100), G("lns-madam", 0.895, 10) };
        var s = ParetoStudy.FromGroups(groups, new ParetoSettings("optimizer=madam"));
        Assert.That(s.Baseline.Label, Is.EqualTo("optimizer=madam"));
        Assert.That(s.Table[0].Point.Label, Is.EqualTo("optimizer=lns-madam"));
        Assert.That(() => ParetoStudy.FromGroups(groups, new ParetoSettings("madam")),
            Throws.ArgumentException.With.Message.Contains("matches 2 configurations"));
        Assert.That(() => ParetoStudy.FromGroups(groups, new ParetoSettings("optimizer=sgd")),
            Throws.ArgumentException.With.Message.Contains("matches 0 configurations"));
    }

    [Test]
    public void ReportIsWrittenAtomicallyAndNeverOverwrites()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"pareto-{Guid.NewGuid():N}");
        try
        {
            var s = ParetoStudy.FromPoints([P("base", 0.9, 0.001, 100, 1), P("mid", 0.89, 0.001, 50, 1), P("bad", 0.85, 0.001, 60, 1)], Settings);
            var target = Path.Combine(dir, "frontier");
            ParetoReport.Write(s, target);
            Assert.That(Directory.GetFiles(target).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "frontier.csv", "frontier.png", "report.md" }));
            var csv = File.ReadAllLines(Path.Combine(target, "frontier.csv"));
            Assert.That(csv, Has.Length.EqualTo(4));
            Assert.That(csv[3], Does.EndWith(",dominated"));
            Assert.That(File.ReadAllText(Path.Combine(target, "report.md")), Does.Contain("| 2 | mid |"));
            Assert.That(() => ParetoReport.Write(s, target), Throws.TypeOf<IOException>());
            Assert.That(Directory.GetDirectories(dir), Has.Length.EqualTo(1), "no temporary folder is left behind");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
