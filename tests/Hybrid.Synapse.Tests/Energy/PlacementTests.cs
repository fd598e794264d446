using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy;

namespace Hybrid.Synapse.Tests;

/// <summary>Placement (issue 25): lifetimes, tensors split across levels, a tie rule that is not the name, and no placement
/// cliff between neighbouring bit widths of the default MLP.</summary>
public class PlacementTests
{
    private static readonly EnergyTable T = EnergyTable.Horowitz45nm;

    private static LedgerTensor Transient(string name, double bytes, int order) => new(name, bytes, TensorLifetime.Transient, order);

    [Test]
    public void TransientTensorsHoldTheSramOnlyWhileLive()
    {
        // two 1 KiB tensors live at different phases share a 1 KiB SRAM (whole-step placement fits only one)
        var m = new MemoryHierarchy(1024);
        var p = m.Place([Transient("a", 1024, 0), Transient("b", 1024, 1)],
            new Dictionary<string, double> { ["a"] = 2048, ["b"] = 2048 },
            new Dictionary<string, (int, int)> { ["a"] = (0, 1), ["b"] = (2, 3) }, 4);
        Assert.That(p["a"], Is.EqualTo(1));
        Assert.That(p["b"], Is.EqualTo(1));
        var overlapping = m.Place([Transient("a", 1024, 0), Transient("b", 1024, 1)],
            new Dictionary<string, double> { ["a"] = 2048, ["b"] = 2048 },
            new Dictionary<string, (int, int)> { ["a"] = (0, 2), ["b"] = (2, 3) }, 4);
        Assert.That(overlapping["a"] + overlapping["b"], Is.EqualTo(1), "live together at phase 2: one KiB between them");
    }

    [Test]
    public void ATensorIsSplitAcrossLevelsAndPricedInProportion()
    {
        var m = new MemoryHierarchy(2048);
        var p = m.Place([new LedgerTensor("w", 3072, TensorLifetime.Persistent, 0)], new Dictionary<string, double> { ["w"] = 3072 },
            new Dictionary<string, (int, int)>(), 1);
        Assert.That(p["w"], Is.EqualTo(2.0 / 3).Within(1e-12));
        Assert.That(p.Split, Is.EqualTo(new[] { "w" }));
        var ledger = new StepLedger([], [new TrafficEntry("L", Pass.Forward, "w", 3072, 0)], [new LedgerTensor("w", 3072, TensorLifetime.Persistent, 0)]);
        var table = new EnergyTable("t", new Dictionary<string, EnergyCost>(T.Costs) { [Events.Sram(2)] = new(5, "test") });
        var priced = ledger.Price(table, m);
        Assert.That(priced.MemoryByLevel.Sram, Is.EqualTo(2048 / 8.0 * 5).Within(1e-9));
        Assert.That(priced.MemoryByLevel.Dram, Is.EqualTo(1024 / 8.0 * 1300).Within(1e-9));
    }

    [Test]
    public void TiesGoToTheTensorLiveFirstThenTheSmallerThenTheFirstCreatedNeverTheName()
    {
        var m = new MemoryHierarchy(1024);
        var access = new Dictionary<string, double> { ["a"] = 1024, ["b"] = 1024 };
        // equal density; "b" is live first, so it wins although "a" sorts first by name
        var p = m.Place([Transient("a", 1024, 0), Transient("b", 1024, 1)], access,
            new Dictionary<string, (int, int)> { ["a"] = (1, 2), ["b"] = (0, 2) }, 3);
        Assert.That((p["a"], p["b"]), Is.EqualTo((0.0, 1.0)));
        // equal density and first phase: the smaller goes first
        var q = m.Place([Transient("a", 1024, 0), Transient("b", 512, 1)], new Dictionary<string, double> { ["a"] = 1024, ["b"] = 512 },
            new Dictionary<string, (int, int)> { ["a"] = (0, 1), ["b"] = (0, 1) }, 2);
        Assert.That((q["a"], q["b"]), Is.EqualTo((0.5, 1.0)));
        // all equal: creation order, whatever the names
        var r = m.Place([Transient("z", 1024, 0), Transient("a", 1024, 1)], access.ToDictionary(kv => kv.Key == "a" ? "z" : "a", kv => kv.Value),
            new Dictionary<string, (int, int)> { ["a"] = (0, 1), ["z"] = (0, 1) }, 2);
        Assert.That((r["z"], r["a"]), Is.EqualTo((1.0, 0.0)));
    }

    [Test]
    public void TheDataSetStaysInDram()
    {
        var l = StepCosts.Count(EnergyLedgerTests.Tiny(), 4, new UpdateCostSpec(UpdateRule.Adam));
        var p = l.Place(MemoryHierarchy.Default);
        Assert.That(p["dataset"], Is.Zero);
        Assert.That(p["images"], Is.EqualTo(1), "the staged batch fits");
    }

    /// <summary>The default MLP's rows as compare builds them: full LNS at B_u (GEMMs lns8/8, γ_u for 16 octaves) and weights-only LNS at B.</summary>
    private static IReadOnlyList<LayerCostSpec> Mlp(int bits, bool full)
    {
        var storage = NumberFormat.Lns(bits, (float)Math.Pow(2, bits - 5));
        var q = new TensorCost(NumberFormat.Lns(8, 8), true);
        var s = new TensorCost(NumberFormat.Lns(8, 8), true, true);
        LayerCostSpec L(string name, long i, long o) => full
            ? new(name, i, o, true, storage, q, q, s, s)
            : new(name, i, o, true, storage, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float);
        return [L("fc1", 784, 256), L("fc2", 256, 256), L("out", 256, 10)];
    }

    [TestCase(true, new[] { 16, 14, 12, 10 }, 1024)]
    [TestCase(false, new[] { 16, 12, 10, 8, 6, 5, 4 }, 1024)]
    [TestCase(true, new[] { 16, 14, 12, 10 }, 256)]
    [TestCase(false, new[] { 16, 12, 10, 8, 6, 5, 4 }, 4096)]
    public void NoPlacementCliffBetweenNeighbouringBitWidths(bool full, int[] widths, int sramKib)
    {
        var memory = new MemoryHierarchy(1024L * sramKib);
        foreach (var (from, to, cliff, crossings) in Cliffs(full, widths, memory, l => l.Place(memory)))
            if (crossings.Count == 0) Assert.That(cliff, Is.LessThanOrEqualTo(0.05), $"{from} → {to} bits");
    }

    [Test]
    public void TheCliffMeasureFlagsWholeTensorPlacement()
    {
        // main's placement before issue 25: whole tensors for the whole step, most accesses per byte first, ties by name
        var memory = new MemoryHierarchy(1024L * 1024);
        Placement Whole(StepLedger l)
        {
            var (chosen, _) = l.Resolve(T, memory);
            double left = memory.SramBytes;
            var f = new Dictionary<string, double>();
            foreach (var t in l.Tensors.Values.Where(t => l.Bytes(t.Name, chosen: chosen) > 0)
                         .OrderByDescending(t => t.Lifetime == TensorLifetime.External ? -1 : l.Bytes(t.Name, chosen: chosen) / t.Bytes)
                         .ThenBy(t => t.Name, StringComparer.Ordinal))
            {
                bool fits = t.Lifetime != TensorLifetime.External && t.Bytes <= left;
                f[t.Name] = fits ? 1 : 0;
                if (fits) left -= t.Bytes;
            }
            return new Placement(f, memory.SramBytes);
        }
        var cliffs = Cliffs(true, [16, 14, 12, 10], memory, Whole).Concat(Cliffs(false, [16, 12, 10, 8, 6, 5, 4], memory, Whole)).ToList();
        Assert.That(cliffs.Where(c => c.Crossings.Count == 0).Max(c => c.Cliff), Is.GreaterThan(0.05), "whole tensors jump");
    }

    /// <summary>
    /// A cliff is a change of placement between neighbouring widths that is not proportional to the capacity the narrower
    /// weights free. Measured: the narrower row priced with its own placement against the wider row's placement (what
    /// placement alone changes), less the first-order prediction — the SRAM bytes freed, given to the best tensor the
    /// wider row left (partly) in DRAM; as a fraction of the narrower row's memory energy. Whole-tensor placement fails
    /// this (a tensor unrelated to B falls out of the SRAM when the weights grow by less than its size); a split
    /// placement changes in proportion.
    /// </summary>
    private static IEnumerable<(int From, int To, double Cliff, IReadOnlyList<string> Crossings)> Cliffs(bool full, int[] widths,
        MemoryHierarchy memory, Func<StepLedger, Placement> place)
    {
        var update = new UpdateCostSpec(UpdateRule.LnsMadam);
        double sram = T[memory.EventOf(MemoryLevel.Sram)], dram = T[Events.Dram64];
        for (int i = 1; i < widths.Length; ++i)
        {
            var wide = StepCosts.Count(Mlp(widths[i - 1], full), 128, update);
            var narrow = StepCosts.Count(Mlp(widths[i], full), 128, update);
            var wideChosen = wide.Resolve(T, memory).Chosen;
            var theirs = place(wide);
            var own = place(narrow);
            double energy = StepPricing.Price(narrow, T, memory, own).MemoryPj;
            // a tensor the wider row does not place (a copy only the narrower row keeps) keeps its own fraction
            var mixed = new Placement(own.SramFraction.ToDictionary(kv => kv.Key, kv => theirs.SramFraction.GetValueOrDefault(kv.Key, kv.Value)), memory.SramBytes);
            double effect = StepPricing.Price(narrow, T, memory, mixed).MemoryPj - energy;
            double freed = theirs.SramFraction.Where(kv => narrow.Tensors.ContainsKey(kv.Key))
                .Sum(kv => kv.Value * Math.Max(0, wide.Tensors[kv.Key].Bytes - narrow.Tensors[kv.Key].Bytes));
            double margin = theirs.SramFraction.Where(kv => kv.Value < 1 && wide.Tensors[kv.Key].Lifetime != TensorLifetime.External)
                .Select(kv => wide.Bytes(kv.Key, chosen: wideChosen) / wide.Tensors[kv.Key].Bytes).DefaultIfEmpty(0).Max();
            double predicted = freed * margin * (dram - sram) / 8;
            var crossings = Placement.CapacityCrossings(wide, narrow, memory.SramBytes);
            double cliff = Math.Abs(effect - predicted) / energy;
            TestContext.Out.WriteLine($"{widths[i - 1]} → {widths[i]} bits: memory {energy / 1e6:F1} µJ; placement effect {effect / 1e6:F2} µJ, " +
                $"predicted by the capacity freed {predicted / 1e6:F2} µJ; cliff {100 * cliff:F2} %" +
                (crossings.Count > 0 ? $"; crossing the SRAM's capacity: {string.Join(", ", crossings)}" : ""));
            yield return (widths[i - 1], widths[i], cliff, crossings);
        }
    }
}
