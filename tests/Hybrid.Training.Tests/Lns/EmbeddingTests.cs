using Hybrid.Synapse.Tensors;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Synapse.Tests;
using Hybrid.Training.Lns;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// <see cref="LnsEmbedding"/>: codes as synapses, the sparse update touching only the rows looked up (each row its own
/// synapse tensor and random sub-stream), identical on every backend.
/// </summary>
public class EmbeddingTests
{
    /// <summary>Every backend: the managed reference, managed-simd (and native-cuda where present), native-cpu at each SIMD level.</summary>
    internal static IEnumerable<ISynapseBackend> Every() => Backends.All().Take(1).Concat(Backends.Candidates());

    private static LnsMadamSettings Settings(LnsFormat f, long step, DeviceModel device = default) =>
        new(f, step, 0.05f, Seed: 21, Device: device);

    private static LnsEmbedding Table(ISynapseBackend backend, MomentMode moment = MomentMode.PerSynapse, uint firstId = 7)
    {
        torch.manual_seed(1);
        using var source = nn.Embedding(10, 6);
        return new LnsEmbedding("emb", source, 8, 8, moment, firstId, backend);
    }

    private static void Backward(LnsEmbedding e, long[] indices)
    {
        e.train();
        using var idx = torch.tensor(indices).reshape(2, -1);
        using var target = torch.ones(idx.shape[0], idx.shape[1], 6);
        (e.call(idx) - target).square().sum().backward();
    }

    [TestCase(MomentMode.PerSynapse)]
    [TestCase(MomentMode.PerNeuron)]
    [TestCase(MomentMode.None)]
    public void OnlyTheRowsLookedUpChange(MomentMode moment)
    {
        using var e = Table(NativeCpuBackend.Instance, moment);
        var codes = e.Synapses.Codes8.ToArray();
        var moments = e.Synapses.Moments.ToArray();
        Backward(e, [1, 3, 3, 8]);
        Assert.That(e.RowsTouched, Is.EqualTo(3));
        var step = e.Step(Settings(e.Synapses.Format, 1));
        Assert.That(step.Stats.Elements, Is.EqualTo(3 * 6), "three rows stepped");
        Assert.That(e.LastRowsStepped, Is.EqualTo(3));
        var after = e.Synapses.Codes8.ToArray();
        for (int r = 0; r < 10; ++r)
        {
            var row = after.Skip(6 * r).Take(6).ToArray();
            if (r is 1 or 3 or 8) continue;
            Assert.That(row, Is.EqualTo(codes.Skip(6 * r).Take(6).ToArray()), $"row {r} was not looked up");
        }
        Assert.That(after, Is.Not.EqualTo(codes));
        if (moment == MomentMode.PerSynapse)
            for (int r = 0; r < 10; ++r)
                if (r is not (1 or 3 or 8))
                    Assert.That(e.Synapses.Moments.ToArray().Skip(6 * r).Take(6), Is.EqualTo(moments.Skip(6 * r).Take(6)), $"row {r}'s moments untouched");
        var decoded = new float[after.Length];
        ManagedBackend.Instance.LnsDecode<byte>(e.Synapses.Format, after, decoded);
        Assert.That(e.Weight.detach().data<float>().ToArray(), Is.EqualTo(decoded), "the touched rows decoded again");
    }

    [Test]
    public void ARowStepsAsItsOwnSynapseTensor()
    {
        // row r of the table after a sparse step = a lone 1 × dim synapse tensor with tensor id first + r, stepped with that row's gradient
        using var e = Table(ManagedBackend.Instance, firstId: 40);
        var rowWeights = e.Weight.detach()[3].contiguous().data<float>().ToArray();
        Backward(e, [3, 5]);
        var grad = e.Weight.grad![3].contiguous().data<float>().ToArray();
        // the row's decoded weights encode back to its codes on the table's grid (same w_max)
        var lone = new SynapseTensor(e.Synapses.Format, 1, 6, MomentMode.PerSynapse, 43, ManagedBackend.Instance);
        lone.Encode(rowWeights);
        Assert.That(lone.Codes8.ToArray(), Is.EqualTo(e.Synapses.Codes8.ToArray().Skip(18).Take(6)));
        lone.Step(Settings(e.Synapses.Format, 1), grad);
        e.Step(Settings(e.Synapses.Format, 1));
        Assert.That(e.Synapses.Codes8.ToArray().Skip(18).Take(6), Is.EqualTo(lone.Codes8.ToArray()));
    }

    [Test]
    public void PerTensorMomentStepsTheWholeTableDensely()
    {
        using var e = Table(NativeCpuBackend.Instance, MomentMode.PerTensor);
        Backward(e, [2, 2]);
        var step = e.Step(Settings(e.Synapses.Format, 1));
        Assert.That(step.Stats.Elements, Is.EqualTo(60));
        Assert.That(e.LastRowsStepped, Is.EqualTo(10));
    }

    [Test]
    public void SparseStepsAreIdenticalOnEveryBackend()
    {
        var results = new List<(string, byte[], float[])>();
        foreach (var backend in Every())
        {
            using var e = Table(backend);
            var device = new DeviceModel(0.2f, 0.1f, 0.1f, 0.05f);
            long[][] batches = [[1, 2, 2, 9], [0, 9, 4, 4], [7, 7, 7, 1]];
            for (int s = 0; s < batches.Length; ++s)
            {
                e.Weight.grad?.zero_();
                Backward(e, batches[s]);
                e.Step(Settings(e.Synapses.Format, s + 1, device));
            }
            results.Add((backend.Name, e.Synapses.Codes8.ToArray(), e.Synapses.Moments.ToArray()));
        }
        foreach (var (name, codes, moments) in results.Skip(1))
        {
            Assert.That(codes, Is.EqualTo(results[0].Item2), $"{name}: codes");
            Assert.That(moments, Is.EqualTo(results[0].Item3).Within(2).Ulps, $"{name}: moments (float Madam's moment, within a few ulp)");
        }
    }

    [Test]
    public void QuantisedLookupsReadTheTableOnItsGrid()
    {
        using var e = Table(ManagedBackend.Instance);
        var q = new QuantizerSpec(NumberFormat.Lns(6, 2));
        e.UseArithmetic(new StepArithmetic(q, q, q, q, GemmMode.Exact), 0, 1);
        e.train();
        using var idx = torch.tensor(new long[] { 4, 0 });
        var y = e.call(idx);
        var grid = e.Weight.detach().contiguous().clone();
        var span = Hybrid.Training.TensorMemory.Float32(grid, "w");
        ManagedBackend.Instance.LnsQuantize(new LnsQuantizeSettings(new LnsFormat(6, 2, e.Synapses.Format.WMax)), span, span);
        Assert.That(y.detach().data<float>().ToArray(), Is.EqualTo(grid.index_select(0, idx).data<float>().ToArray()));
        Assert.That(e.Arithmetic!.Settings.Activations, Is.Null, "indices are not quantised");
        Assert.That(e.Arithmetic.Settings.Gemm, Is.EqualTo(GemmMode.Fast), "a look-up has no GEMM");
    }

    [Test]
    public void BadIndicesAreRefusedNamingTheLayer()
    {
        using var e = Table(ManagedBackend.Instance);
        Assert.That(Assert.Throws<ArgumentException>(() => e.call(torch.tensor(new long[] { 10 })))!.Message,
            Does.Contain("emb").And.Contain("outside [0, 9]"));
        Assert.That(Assert.Throws<ArgumentException>(() => e.call(torch.ones(2)))!.Message, Does.Contain("integer indices"));
    }
}
