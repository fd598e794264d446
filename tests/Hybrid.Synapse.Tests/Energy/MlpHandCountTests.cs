using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Energy;

namespace Hybrid.Synapse.Tests;

/// <summary>
/// The per-pass table of the default MLP (784-256-256-10 with biases, batch 128, float32 Adam, 1 MiB SRAM, compulsory
/// traffic) against counts written out by hand here: bytes of every tensor in every pass, where each tensor is placed,
/// and the picojoules of every pass (issue 25's target).
/// </summary>
public class MlpHandCountTests
{
    private const double N = 128;

    private static StepLedger Ledger()
    {
        LayerCostSpec L(string name, long i, long o) => new(name, i, o, true, NumberFormat.Fp32, TensorCost.Float, TensorCost.Float, TensorCost.Float, TensorCost.Float);
        return StepCosts.Count([L("fc1", 784, 256), L("fc2", 256, 256), L("out", 256, 10)], (long)N, new UpdateCostSpec(UpdateRule.Adam));
    }

    // bytes read + written per tensor and pass, worked out from the conventions (docs/compare.md): F, BD, BW, U
    private static readonly Dictionary<string, double[]> Bytes = new()
    {
        ["dataset"] = [N * 784 + N, 0, 0, 0],                  // 8-bit images and 1-byte labels, read once
        ["images"] = [2 * N * 784, 0, N * 784, 0],             // staged (write), fc1 forward and backward-weight reads
        ["labels"] = [2 * N, 0, 0, 0],                          // staged, read by the loss
        ["fc1.weights"] = [4 * 784 * 256, 0, 0, 2 * 4 * 784 * 256], // no backward-data: fc1 reads the images
        ["fc1.bias"] = [4 * 256, 0, 0, 2 * 4 * 256],
        ["fc1.out"] = [2 * 4 * N * 256, 0, 4 * N * 256, 0],    // written by fc1, read by fc2 forward and backward-weight
        ["fc1.mask"] = [N * 256 / 8, 0, N * 256 / 8, 0],       // a bit a value; read by fc1's backward-weight
        ["fc2.weights"] = [4 * 256 * 256, 4 * 256 * 256, 0, 2 * 4 * 256 * 256],
        ["fc2.bias"] = [4 * 256, 0, 0, 2 * 4 * 256],
        ["fc2.out"] = [2 * 4 * N * 256, 0, 4 * N * 256, 0],
        ["fc2.mask"] = [N * 256 / 8, N * 256 / 8, N * 256 / 8, 0], // read by fc2's backward-data and backward-weight
        ["out.weights"] = [4 * 256 * 10, 4 * 256 * 10, 0, 2 * 4 * 256 * 10],
        ["out.bias"] = [4 * 10, 0, 0, 2 * 4 * 10],
        ["logits"] = [2 * 4 * N * 10, 0, 0, 0],                // written by out, read by the loss
        ["logits.error"] = [4 * N * 10, 4 * N * 10, 4 * N * 10, 0], // the loss writes it; out's two backward GEMMs read it
        ["fc2.out.error"] = [0, 2 * 4 * N * 256, 4 * N * 256, 0],   // out's backward-data writes, fc2's backward-data reads
        ["fc1.out.error"] = [0, 4 * N * 256, 4 * N * 256, 0],       // fc2's backward-data writes, fc1's backward-weight reads
        ["fc1.weights.gradient"] = [0, 0, 4 * 784 * 256, 4 * 784 * 256],
        ["fc2.weights.gradient"] = [0, 0, 4 * 256 * 256, 4 * 256 * 256],
        ["out.weights.gradient"] = [0, 0, 4 * 256 * 10, 4 * 256 * 10],
        ["fc1.bias.gradient"] = [0, 0, 4 * 256, 4 * 256],
        ["fc2.bias.gradient"] = [0, 0, 4 * 256, 4 * 256],
        ["out.bias.gradient"] = [0, 0, 4 * 10, 4 * 10],
        ["fc1.weights.state"] = [0, 0, 0, 2 * 8 * 784 * 256],   // Adam: m and v, read and written
        ["fc2.weights.state"] = [0, 0, 0, 2 * 8 * 256 * 256],
        ["out.weights.state"] = [0, 0, 0, 2 * 8 * 256 * 10],
        ["fc1.bias.state"] = [0, 0, 0, 2 * 8 * 256],
        ["fc2.bias.state"] = [0, 0, 0, 2 * 8 * 256],
        ["out.bias.state"] = [0, 0, 0, 2 * 8 * 10],
    };

    [Test]
    public void BytesOfEveryTensorInEveryPass()
    {
        var l = Ledger();
        Assert.That(l.Tensors.Keys.Order(), Is.EqualTo(Bytes.Keys.Order()), "no tensor more, none less");
        Assert.That(l.Choices, Is.Empty, "float32 everywhere: nothing to convert");
        foreach (var (tensor, perPass) in Bytes)
            for (int p = 0; p < 4; ++p)
                Assert.That(l.Bytes(tensor, (Pass)p), Is.EqualTo(perPass[p]), $"{tensor}, {(Pass)p}");
    }

    [Test]
    public void PlacementInOneMiB()
    {
        // By hand. Phases: forward fc1, fc2, out, loss = 0–3; backward-data/-weight of loss 4/5, out 6/7, fc2 8/9, fc1 10/11;
        // updates 12–15. Density (bytes accessed per byte held): fc2/out weights 4; biases, fc1 weights, images, fc1.out,
        // fc2.out, fc2.mask, logits.error, fc2.out.error 3; everything else 2. Order within a density: live first, then
        // smaller. Filling 1 MiB (1048576): out.weights 10240, fc2.weights 262144, the three biases 2088 (persistent:
        // 774104 left); images 100352 (phases 0–11) and fc1.out 131072 (0–9): 542680 left in phases 0–9; fc1.weights
        // (persistent) gets 542680 of its 802816 bytes: phases 0–9 full. Every later tensor live in 0–9 gets nothing;
        // fc1.bias.gradient (11–12) fits; fc1.weights.gradient (11–12) gets what phase 11 has left: 131072 − 1024.
        var p = Ledger().Place(MemoryHierarchy.Default);
        foreach (var t in new[] { "out.weights", "fc2.weights", "fc1.bias", "fc2.bias", "out.bias", "images", "fc1.out", "fc1.bias.gradient" })
            Assert.That(p[t], Is.EqualTo(1), t);
        Assert.That(p["fc1.weights"], Is.EqualTo(542680.0 / 802816).Within(1e-12));
        Assert.That(p["fc1.weights.gradient"], Is.EqualTo(130048.0 / 802816).Within(1e-12));
        foreach (var t in Bytes.Keys.Except(["out.weights", "fc2.weights", "fc1.bias", "fc2.bias", "out.bias", "images", "fc1.out",
                     "fc1.bias.gradient", "fc1.weights", "fc1.weights.gradient"]))
            Assert.That(p[t], Is.Zero, t);
    }

    [Test]
    public void PicojoulesOfEveryPass()
    {
        var priced = Ledger().Price(EnergyTable.Horowitz45nm, MemoryHierarchy.Default);
        var fraction = new Dictionary<string, double>
        {
            ["out.weights"] = 1, ["fc2.weights"] = 1, ["fc1.bias"] = 1, ["fc2.bias"] = 1, ["out.bias"] = 1, ["images"] = 1, ["fc1.out"] = 1,
            ["fc1.bias.gradient"] = 1, ["fc1.weights"] = 542680.0 / 802816, ["fc1.weights.gradient"] = 130048.0 / 802816,
        };
        // compute by hand: MACs at 4.6 pJ; adds at 0.9, multiplies at 3.7
        double macsF = N * (784 * 256 + 256 * 256 + 256 * 10), macsBD = N * (256 * 10 + 256 * 256);
        double biasAdds = N * (256 + 256 + 10), normalise = N * 784, logits = N * 10, parameters = 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10;
        double[] compute =
        [
            macsF * 4.6 + (biasAdds + normalise + 10 * logits) * 0.9 + (normalise + 8 * logits) * 3.7, // forward: bias, normalisation, loss
            macsBD * 4.6,
            macsF * 4.6 + (biasAdds + normalise) * 0.9 + normalise * 3.7,                              // the images normalised again
            parameters * (4 * 0.9 + 9 * 3.7),                                                           // Adam: 4 adds, 9 multiplies a parameter
        ];
        for (int p = 0; p < 4; ++p)
        {
            double memory = Bytes.Sum(kv => kv.Value[p] / 8 * (fraction.GetValueOrDefault(kv.Key) * 100 + (1 - fraction.GetValueOrDefault(kv.Key)) * 1300));
            var (c, m) = priced.OfPass((Pass)p);
            Assert.That(c, Is.EqualTo(compute[p]).Within(1e-6), $"compute, {(Pass)p}");
            Assert.That(m, Is.EqualTo(memory).Within(1e-6), $"memory, {(Pass)p}");
        }
    }
}
