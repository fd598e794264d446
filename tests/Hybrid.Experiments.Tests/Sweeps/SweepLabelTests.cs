using System.Text.Json.Nodes;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>
/// Axis values as people read them (the report's tables, its "Axes:" line, plot legends and ticks), while plan.json,
/// summary.csv and summary.json's "point" keep the exact value.
/// </summary>
public class SweepLabelTests : SweepTestBase
{
    [TestCase("0.01", "0.01")]
    [TestCase("\"adam\"", "adam")]
    [TestCase("true", "true")]
    [TestCase("null", "null")]
    [TestCase("[\"sgd\"]", "sgd")]
    [TestCase("[\"sgd\", \"adam\"]", "sgd, adam")]
    [TestCase("[8, 4]", "8, 4")]
    [TestCase("[]", "[]")]
    [TestCase("[[1, 2], [3]]", "[[1,2],[3]]")]
    [TestCase("{ \"name\": \"sgd\", \"lr\": 0.1 }", "name=sgd, lr=0.1")]
    [TestCase("{ \"name\": \"lns-madam\", \"device\": { \"driftNu\": 0.06, \"driftNuDtod\": 0.3 } }", "name=lns-madam, device={\"driftNu\":0.06,\"driftNuDtod\":0.3}")]
    [TestCase("{ \"bits\": [8, 4], \"on\": false }", "bits=[8,4], on=false")]
    [TestCase("{}", "{}")]
    public void AValueReadsAsItsLabel(string json, string label) =>
        Assert.That(SettingsContract.Label(JsonNode.Parse(json)), Is.EqualTo(label));

    [Test]
    public void ValuesThatWouldReadAlikeKeepTheirJson()
    {
        var values = new[] { JsonNode.Parse("[\"a\", \"b\"]"), JsonNode.Parse("[\"a, b\"]"), JsonNode.Parse("[\"c\"]") };
        Assert.That(SettingsContract.Labels(values), Is.EqualTo(new[] { "[\"a\",\"b\"]", "[\"a, b\"]", "[\"c\"]" }),
            "two labels alike would be two rows no one can tell apart: the whole axis keeps its exact values");
        Assert.That(SettingsContract.Labels([JsonNode.Parse("[\"sgd\"]"), JsonNode.Parse("[\"sgd\", \"adam\"]")]), Is.EqualTo(new[] { "sgd", "sgd, adam" }));
    }

    [Test]
    public void TheReportShowsObjectAndArrayValuesAsLabelsAndThePlanKeepsTheirJson()
    {
        var plan = Plan(Tiny(axes: """
            "optimizer": [{ "name": "sgd", "lr": 0.1 }, { "name": "madam" }], "width": [4, 8]
            """));
        var first = plan.Runs[0].Point[0];
        Assert.That(first.Value, Is.EqualTo("{\"name\":\"sgd\",\"lr\":0.1}"), "plan.json's point: the exact value, as before");
        Assert.That(first.Label, Is.EqualTo("name=sgd, lr=0.1"));
        Assert.That(plan.ToJson()["runs"]![0]!["point"]!["optimizer"]!.GetValue<string>(), Is.EqualTo("{\"name\":\"sgd\",\"lr\":0.1}"));

        var report = SweepReport.Markdown(SweepMerge.Collect(plan), []);
        Assert.That(report, Does.Contain("- Axes: optimizer ∈ {`name=sgd, lr=0.1`, `name=madam`}; width ∈ {`4`, `8`}; seed ∈ {`0`, `1`}."));
        Assert.That(report, Does.Contain("| name=sgd, lr=0.1 | 4 | — | 0/2 | no data |"));
        Assert.That(report, Does.Contain("| name=madam | 8 | — | 0/2 | no data |"));
        Assert.That(report, Does.Not.Contain("{\"name\""));
    }

    [Test]
    public void TheReportShowsAListOfOneNameAsThatName()
    {
        var plan = Plan("""
            { "name": "t", "experiment": "transfer", "base": { "widths": [8], "depths": [1], "baseWidth": 8, "baseDepth": 1 },
              "axes": { "optimizers": [["sgd"], ["adam", "madam"]] } }
            """);
        var report = SweepReport.Markdown(SweepMerge.Collect(plan), []);
        Assert.That(report, Does.Contain("- Axes: optimizers ∈ {`sgd`, `adam, madam`}."));
        Assert.That(report, Does.Contain("| sgd | — | 0/1 | no data |").And.Contain("| adam, madam | — | 0/1 | no data |"));
        Assert.That(report, Does.Not.Contain("[\"sgd\"]"));
    }
}
