using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy;

namespace Hybrid.Synapse.Tests;

/// <summary>The energy table (events with sources, missing events are errors), the update ledger, and the
/// full-step ledger against hand-counted MACs and bytes of a tiny network.</summary>
public class EnergyLedgerTests
{
    private static readonly EnergyTable T = EnergyTable.Horowitz45nm;

    [Test]
    public void UpdateLedgerPricesEveryEventKind()
    {
        var l = new Ledger(BytesRead: 16, BytesWritten: 8, IntAdds8: 2, IntAdds32: 1, Fp32Adds: 3, Fp32Mults: 4, RandomBits: 5, 0, 1);
        double want = 24 / 8.0 * 10 + 2 * 0.03 + 0.1 + 3 * 0.9 + 4 * 3.7 + 5 * (66.0 / 128);
        Assert.That(l.EnergyPj(T, Events.Sram(8)), Is.EqualTo(want).Within(1e-9));
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
        Assert.That(wide.EnergyPj(T, Events.Sram(8)) - perSynapse.EnergyPj(T, Events.Sram(8)),
            Is.EqualTo(1000 * 24 * (66.0 / 128)).Within(1e-6), "24 more bits a synapse, priced per bit");
        Assert.That(none.EnergyPj(T, Events.Sram(8)), Is.LessThan(perSynapse.EnergyPj(T, Events.Sram(8))));
    }

    [Test]
    public void DefaultTableHasItsSourcesAndTheLnsRatios()
    {
        Assert.That(T.Costs.Values.All(c => c.Source.Length > 0));
        Assert.That(T["fp32Mac"] / T["lns8Mac"], Is.EqualTo(11).Within(1e-12), "LNS-Madam: 11x over FP32");
        Assert.That(T["fp8Mac"] / T["lns8Mac"], Is.EqualTo(2.2).Within(1e-12), "LNS-Madam: 2.2x over FP8");
        Assert.That(T.Costs["lns8Mac"].Source, Does.Contain("LNS-Madam"));
    }

    [Test]
    public void TableRoundTripsThroughJson()
    {
        var back = EnergyTable.Parse(T.ToJson(), "x");
        Assert.That(back.Source, Is.EqualTo(T.Source));
        Assert.That(back.Costs, Is.EquivalentTo(T.Costs));
    }

    [TestCase("{", "not valid JSON")]
    [TestCase("[1]", "JSON object")]
    [TestCase("{\"events\": {\"int8Add\": -1}}", "int8Add")]
    [TestCase("{\"events\": {\"int8Add\": \"a\"}}", "finite number")]
    [TestCase("{\"events\": {\"int8Add\": {\"pj\": 1, \"cost\": 2}}}", "unknown key 'cost'")]
    [TestCase("{\"events\": {\"int8 add\": 1}}", "letters and digits")]
    [TestCase("{\"events\": {}, \"dram\": 3}", "unknown key 'dram'")]
    [TestCase("{\"source\": \"x\"}", "\"events\"")]
    public void BadTablesAreClearErrors(string json, string mentions)
    {
        var ex = Assert.Throws<InvalidDataException>(() => EnergyTable.Parse(json, "table.json"));
        Assert.That(ex!.Message, Does.Contain("table.json").And.Contain(mentions));
    }

    [Test]
    public void MissingFileIsAClearError() =>
        Assert.That(Assert.Throws<InvalidDataException>(() => EnergyTable.Load("/nonexistent/energy.json"))!.Message,
            Does.Contain("/nonexistent/energy.json"));

    [Test]
    public void AMissingEventIsAnErrorNamingIt()
    {
        var t = new EnergyTable("partial", new Dictionary<string, EnergyCost> { ["fp32Mac"] = new(4.6, "x") });
        var ex = Assert.Throws<InvalidDataException>(() => _ = t["lns8Mac"]);
        Assert.That(ex!.Message, Does.Contain("lns8Mac").And.Contain("partial"));
        var ledger = StepCosts.Count(Tiny(), 4, new UpdateCostSpec(UpdateRule.Adam));
        var all = MissingEnergyEventException.EventsOf(Assert.Throws<InvalidDataException>(() => ledger.Price(t, MemoryHierarchy.Default))!);
        Assert.That(all, Is.EqualTo(new[] { "dram64", "fp32Add", "fp32Mult", "sram1024KiB64" }), "the data set lives in DRAM whatever the SRAM");
        Assert.That(all, Does.Not.Contain("fp32Mac"));
        var lns = StepCosts.Count(Tiny(NumberFormat.Lns(6, 8)), 4, new UpdateCostSpec(UpdateRule.LnsMadam));
        Assert.That(MissingEnergyEventException.EventsOf(Assert.Throws<InvalidDataException>(() => lns.Price(T, MemoryHierarchy.Default))!),
            Is.EqualTo(new[] { "lns6Mac" }), "the default prices only the 8-bit LNS PE it has a figure for");
    }

    /// <summary>3 → 2 → 2 with biases; float32, or every GEMM tensor in <paramref name="gemm"/> with 12-bit LNS storage.</summary>
    internal static List<LayerCostSpec> Tiny(NumberFormat? gemm = null)
    {
        if (gemm is not { } g)
            return [new("L0", 3, 2, true, NumberFormat.Fp32, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float),
                    new("L1", 2, 2, true, NumberFormat.Fp32, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float)];
        var q = new TensorCost(g, Quantized: true);
        var e = new TensorCost(g, Quantized: true, Stochastic: true);
        return [new("L0", 3, 2, true, NumberFormat.Lns(12, 128), q, q, e, q), new("L1", 2, 2, true, NumberFormat.Lns(12, 128), q, q, e, q)];
    }

    [Test]
    public void Float32StepMatchesHandCounts()
    {
        var l = StepCosts.Count(Tiny(), 4, new UpdateCostSpec(UpdateRule.Adam));
        // MACs: forward 4·3·2 + 4·2·2 = 40; backward-data only for L1: 16; backward-weight 24 + 16 = 40
        Assert.That(l.Count("fp32Mac", Pass.Forward), Is.EqualTo(40));
        Assert.That(l.Count("fp32Mac", Pass.BackwardData), Is.EqualTo(16));
        Assert.That(l.Count("fp32Mac", Pass.BackwardWeight), Is.EqualTo(40));
        // forward adds: biases 4·2 per layer (16), normalising the 12 input values (12), the loss's 10 per logit (80)
        Assert.That(l.Count("fp32Add", Pass.Forward), Is.EqualTo(16 + 12 + 80));
        Assert.That(l.Count("fp32Mult", Pass.Forward), Is.EqualTo(12 + 8 * 8), "normalisation, and the loss's softmax (8 a logit)");
        Assert.That(l.Bytes("dataset"), Is.EqualTo(12 + 4), "the 8-bit images and the labels, read once");
        Assert.That(l.Bytes("images"), Is.EqualTo(12 + 12 + 12), "staged once, read by L0's forward and backward-weight at 1 byte a value");
        Assert.That(l.Bytes("L0.out"), Is.EqualTo(32 + 32 + 32), "written by L0, read twice by L1");
        Assert.That(l.Bytes("L0.weights"), Is.EqualTo(24 + 24 + 24), "forward read, update read and write");
        Assert.That(l.Bytes("L1.weights"), Is.EqualTo(16 + 16 + 16 + 16), "plus the backward-data read");
        Assert.That(l.Bytes("logits"), Is.EqualTo(32 + 32), "written by L1, read by the loss");
        Assert.That(l.Bytes("logits.error"), Is.EqualTo(32 * 3), "written by the loss, read by both backward GEMMs");
        Assert.That(l.Bytes("L0.out.error"), Is.EqualTo(32 + 32), "written by L1's backward-data, read by L0's backward-weight");
        Assert.That(l.Bytes("L0.mask"), Is.EqualTo(1 + 1), "one bit per value, written in forward, read by backward-weight");
        Assert.That(l.Bytes("L0.weights.state"), Is.EqualTo(96), "Adam's m and v: 8 bytes read and written per weight");
        Assert.That(l.Count("fp32Mult", Pass.Update), Is.EqualTo(9 * (6 + 2 + 4 + 2)), "Adam: 9 multiplies per parameter");
        var priced = l.Price(T, new MemoryHierarchy(0));
        Assert.That(priced.ComputePj, Is.EqualTo(96 * 4.6 + l.Count("fp32Add") * 0.9 + l.Count("fp32Mult") * 3.7).Within(1e-9));
        double bytes = l.Traffic.Sum(t => t.BytesRead + t.BytesWritten);
        Assert.That(priced.MemoryPj, Is.EqualTo(bytes / 8 * 1300).Within(1e-6), "no SRAM: every byte from DRAM");
    }

    [Test]
    public void LnsStepMatchesHandCounts()
    {
        var l = StepCosts.Count(Tiny(NumberFormat.Lns(8, 8)), 4, new UpdateCostSpec(UpdateRule.LnsMadam, ChangedFraction: 0.5));
        var chosen = l.Resolve(T, MemoryHierarchy.Default).Chosen;
        Assert.That(l.Count("lns8Mac"), Is.EqualTo(96));
        Assert.That(l.Count("fp32Mac"), Is.Zero);
        Assert.That(l.Count(Events.LnsExponentAdd), Is.EqualTo(96));
        // outputs: forward 8 + 8, backward-data 4·2, backward-weight 6 + 4; γ = 8 scalings each
        Assert.That(l.Count(Events.LnsBucketScale), Is.EqualTo(8 * (16 + 8 + 10)));
        Assert.That(l.Count(Events.LnsBucketSum), Is.EqualTo(7 * (16 + 8 + 10)));
        // conversions: weights 6 + 4; the staged images on both reads 12 + 12; L0.out once, on write (8); errors 8 + 8;
        // gradients 6 + 4 — and L1's weights again in backward-data (4): converting beats keeping a copy here
        Assert.That(l.Count("quantizeLns"), Is.EqualTo(10 + 24 + 8 + 16 + 10));
        Assert.That(chosen, Does.Contain("L1.weights.gemm=requantize"));
        Assert.That(l.Count("quantizeLns", chosen: chosen), Is.EqualTo(10 + 24 + 8 + 16 + 10 + 4));
        Assert.That(l.Count(Events.RandomBit, Pass.BackwardWeight), Is.EqualTo(16 * 32), "stochastic errors: one word each");
        Assert.That(l.Count(Events.RandomBit, Pass.Update), Is.EqualTo(10 * 8), "the code step's rounding: r = 8 bits a synapse");
        var r4 = StepCosts.Count(Tiny(NumberFormat.Lns(8, 8)), 4,
            new UpdateCostSpec(UpdateRule.LnsMadam, ChangedFraction: 0.5, RandomBits: 4));
        Assert.That(r4.Count(Events.RandomBit, Pass.Update), Is.EqualTo(10 * 4), "r = 4");
        Assert.That(l.Bytes("L0.weights", Pass.Forward), Is.EqualTo(6 * 1.5), "12-bit storage");
        Assert.That(l.Bytes("L1.weights", Pass.BackwardData, chosen), Is.EqualTo(4 * 1.5), "backward-data reads the 12-bit codes again");
        Assert.That(l.Bytes("L1.weights.gemm", chosen: chosen), Is.Zero, "no copy kept");
        Assert.That(l.Bytes("L0.weights", Pass.Update), Is.EqualTo(6 * 1.5 + 3 * 1.5), "read all, write the changed half");
        Assert.That(l.Bytes("L0.weights.state"), Is.EqualTo(48), "a float moment per synapse, read and written");
        Assert.That(l.Bytes("L0.out"), Is.EqualTo(8 + 8 + 8), "8-bit activations, written once, read twice");
    }

    [Test]
    public void UpdateTrafficMatchesTheUpdateLedger()
    {
        foreach (var rule in new[] { UpdateRule.Adam, UpdateRule.Madam, UpdateRule.LnsMadam })
        foreach (var moment in new[] { MomentMode.PerSynapse, MomentMode.PerNeuron, MomentMode.None })
        {
            var storage = rule == UpdateRule.LnsMadam ? NumberFormat.Lns(8, 8) : NumberFormat.Fp32;
            var layer = new LayerCostSpec("L", 30, 20, false, storage, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float);
            var l = StepCosts.Count([layer], 2, new UpdateCostSpec(rule, moment, ChangedFraction: 0.25, RandomBits: 8));
            var u = rule switch
            {
                UpdateRule.Adam => UpdateCosts.Adam(600),
                UpdateRule.Madam => UpdateCosts.Madam(600, 20, moment),
                _ => UpdateCosts.LnsMadam(600, 20, 8, moment, RoundingMode.Stochastic, 150, 8),
            };
            double bytes = l.Traffic.Where(t => t.Pass == Pass.Update).Sum(t => t.BytesRead + t.BytesWritten);
            Assert.That(bytes, Is.EqualTo(u.BytesRead + u.BytesWritten), $"{rule}, {moment}");
        }
    }

    [Test]
    public void DefaultMlpMatchesScienceMd()
    {
        // SCIENCE.md: 784-256-256-10 at batch 128 is 77.5 M MACs per step: 34.4 forward, 8.7 backward-data, 34.4 backward-weight
        List<LayerCostSpec> mlp = [
            new("fc1", 784, 256, true, NumberFormat.Fp32, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float),
            new("fc2", 256, 256, true, NumberFormat.Fp32, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float),
            new("fc3", 256, 10, true, NumberFormat.Fp32, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float)];
        var l = StepCosts.Count(mlp, 128, new UpdateCostSpec(UpdateRule.Adam));
        Assert.That(l.Count("fp32Mac", Pass.Forward) / 1e6, Is.EqualTo(34.4).Within(0.05));
        Assert.That(l.Count("fp32Mac", Pass.BackwardData) / 1e6, Is.EqualTo(8.7).Within(0.05));
        Assert.That(l.Count("fp32Mac", Pass.BackwardWeight) / 1e6, Is.EqualTo(34.4).Within(0.05));
        Assert.That(l.Count("fp32Mac") * 4.6 / 1e6, Is.EqualTo(357).Within(1), "≈ 357 µJ of MAC arithmetic");
    }
}
