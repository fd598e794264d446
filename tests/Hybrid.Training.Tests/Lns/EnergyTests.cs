using Hybrid.Synapse;
using Hybrid.Synapse.Energy;

namespace Hybrid.Training.Tests.Lns;

/// <summary>The energy table and the ledger's arithmetic.</summary>
public class EnergyTests
{
    [Test]
    public void LedgerPricesEveryEventKind()
    {
        var l = new Ledger(BytesRead: 16, BytesWritten: 8, IntAdds8: 2, IntAdds32: 1, Fp32Adds: 3, Fp32Mults: 4, RandomBits: 5, 0, 1);
        var t = EnergyTable.Horowitz45nm;
        double want = 24 / 8.0 * 10 + 2 * 0.03 + 0.1 + 3 * 0.9 + 4 * 3.7 + 5 * (66.0 / 128);
        Assert.That(l.EnergyPj(t), Is.EqualTo(want).Within(1e-9));
    }

    [Test]
    public void LnsStepCountsByMomentMode()
    {
        var perSynapse = UpdateCosts.LnsMadam(1000, 10, 8, MomentMode.PerSynapse, RoundingMode.Stochastic, 100, 8);
        var none = UpdateCosts.LnsMadam(1000, 10, 8, MomentMode.None, RoundingMode.Nearest, 100, 8);
        Assert.That(perSynapse.BytesRead, Is.EqualTo(1000 * (1 + 4 + 4)));
        Assert.That(perSynapse.BytesWritten, Is.EqualTo(100 + 4000));
        Assert.That(perSynapse.RandomBits, Is.EqualTo(8 * 1000), "r = 8 random bits per stochastic rounding");
        Assert.That(none.Fp32Mults, Is.Zero);
        Assert.That(none.RandomBits, Is.Zero, "nearest rounding draws nothing");
        var wide = UpdateCosts.LnsMadam(1000, 10, 8, MomentMode.PerSynapse, RoundingMode.Stochastic, 100, 32);
        Assert.That(wide.EnergyPj(EnergyTable.Horowitz45nm) - perSynapse.EnergyPj(EnergyTable.Horowitz45nm),
            Is.EqualTo(1000 * 24 * (66.0 / 128)).Within(1e-6), "24 more bits a synapse, priced per bit");
        Assert.That(none.EnergyPj(EnergyTable.Horowitz45nm), Is.LessThan(perSynapse.EnergyPj(EnergyTable.Horowitz45nm)));
        Assert.That(UpdateCosts.Adam(1000).EnergyPj(EnergyTable.Horowitz45nm),
            Is.GreaterThan(perSynapse.EnergyPj(EnergyTable.Horowitz45nm)), "float32 Adam moves more bytes and does more float work");
    }

    [Test]
    public void TableRoundTripsThroughJson()
    {
        var t = EnergyTable.Horowitz45nm;
        Assert.That(EnergyTable.Parse(t.ToJson(), "x"), Is.EqualTo(t));
    }

    [TestCase("{", "not valid JSON")]
    [TestCase("[1]", "JSON object")]
    [TestCase("{\"int8Add\": 1}", "missing")]
    [TestCase("{\"int8Add\": -1, \"int32Add\": 1, \"int8Mult\": 1, \"int32Mult\": 1, \"fp32Add\": 1, \"fp32Mult\": 1, \"memory64\": 1, \"randomBit\": 1}", "int8Add")]
    [TestCase("{\"int8Add\": \"a\", \"int32Add\": 1, \"int8Mult\": 1, \"int32Mult\": 1, \"fp32Add\": 1, \"fp32Mult\": 1, \"memory64\": 1, \"randomBit\": 1}", "finite number")]
    [TestCase("{\"int8Add\": 1, \"int32Add\": 1, \"int8Mult\": 1, \"int32Mult\": 1, \"fp32Add\": 1, \"fp32Mult\": 1, \"memory64\": 1, \"randomBit\": 1, \"dram\": 3}", "unknown key 'dram'")]
    public void BadTablesAreClearErrors(string json, string mentions)
    {
        var ex = Assert.Throws<InvalidDataException>(() => EnergyTable.Parse(json, "table.json"));
        Assert.That(ex!.Message, Does.Contain("table.json").And.Contain(mentions));
    }

    [Test]
    public void MissingFileIsAClearError()
    {
        var ex = Assert.Throws<InvalidDataException>(() => EnergyTable.Load("/nonexistent/energy.json"));
        Assert.That(ex!.Message, Does.Contain("/nonexistent/energy.json"));
    }
}
