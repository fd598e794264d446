using System.Diagnostics;
using Hybrid.Synapse;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Data;
using Hybrid.Training.Lns;
using Hybrid.Training.Optimizers;
using Hybrid.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Bench.Accuracy;

/// <summary>
/// The accuracy side of the random-bits decision (issue 13): the LNS synapse model trained on
/// Fashion-MNIST as <c>hybrid compare</c> trains its LNS rows (MLP 784-256-256-10, standardised
/// inputs, batch 128, η = 0.01, per-synapse moment, stochastic rounding, skip policy), once per
/// number of random bits r ∈ {4, 8, 12, 16, 32} and bit width, over several seeds (the seed sets
/// the initial weights, the batch order and the rounding stream), reporting test accuracy as mean
/// ± sample sd over seeds. Each run is single-threaded (TorchSharp and libhybrid) so that runs do
/// not compete for the two cores.
/// <code>
/// dotnet run -c Release --project bench/Hybrid.Bench -- random-bits [epochs] [seeds] [bits,...]
/// </code>
/// Defaults: 3 epochs, 3 seeds, B = 8 (γ = 8) and B = 4 (γ = 0.5). Prints one markdown table.
/// </summary>
public static class RandomBitsAccuracy
{
    /// <summary>Runs the measurement and prints its table; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0]) : 3;
        int seeds = args.Length > 1 ? int.Parse(args[1]) : 3;
        int[] widths = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : [8, 4];
        if (!DataSets.FashionMnistInstalled)
        {
            Console.Error.WriteLine($"random-bits: Fashion-MNIST is not installed ({DataSets.FashionMnistInstallHint}).");
            return 1;
        }
        torch.set_num_threads(1);
        SynapseBackends.NativeThreads = 1;
        using var data = DataSets.FashionMnist(new DataOptions(Flatten: false));
        using var norm = InputNormalization.Fit(NormalizationKind.Standardize, data.TrainX);
        Console.WriteLine($"| B | γ | r | test accuracy, mean ± sd over {seeds} seeds ({epochs} epochs) | per seed | s/run |");
        Console.WriteLine("|---:|---:|---:|---|---|---:|");
        foreach (int bits in widths)
        foreach (int r in LnsMadamSettings.RandomBitsChoices)
        {
            var acc = new List<double>();
            var sw = Stopwatch.StartNew();
            for (int seed = 0; seed < seeds; ++seed) acc.Add(Train(data, norm, bits, r, seed, epochs));
            double mean = acc.Average(), sd = acc.Count > 1 ? Math.Sqrt(acc.Sum(a => (a - mean) * (a - mean)) / (acc.Count - 1)) : 0;
            Console.WriteLine($"| {bits} | {LnsModels.DefaultGamma(bits)} | {r} | {100 * mean:F2} ± {100 * sd:F2} % | " +
                $"{string.Join(", ", acc.Select(a => (100 * a).ToString("F2")))} | {sw.Elapsed.TotalSeconds / seeds:F0} |");
        }
        return 0;
    }

    private static double Train(DataSet data, InputNormalization norm, int bits, int r, int seed, int epochs)
    {
        var spec = new ModelSpec(ModelKind.Mlp, [1, 28, 28], 10, Depth: 2, Width: 256);
        using var model = LnsModels.FromFloat(ModelFactory.Build(spec, seed), bits, LnsModels.DefaultGamma(bits),
            MomentMode.PerSynapse, NativeCpuBackend.Instance);
        using var opt = new LnsMadamOptimizer(model, new LnsMadamSettings(new LnsFormat(bits, 8, 1), 1, 0.01f,
            Seed: (ulong)seed, NonFinite: NonFinitePolicy.Skip, RandomBits: r));
        var train = new Batches(data.TrainX, data.TrainY, 128, seed, normalization: norm);
        for (int epoch = 1; epoch <= epochs; ++epoch)
            foreach (var batch in train.Epoch(epoch))
            {
                using var scope = torch.NewDisposeScope();
                using (batch)
                {
                    opt.zero_grad();
                    nn.functional.cross_entropy(model.call(batch.X), batch.Y).backward();
                    opt.step();
                }
            }
        long correct = 0;
        using (torch.no_grad())
            foreach (var batch in new Batches(data.TestX, data.TestY, 1000, seed, shuffle: false, normalization: norm).Epoch(0))
            {
                using var scope = torch.NewDisposeScope();
                using (batch) correct += model.call(batch.X).argmax(1).eq(batch.Y).sum().item<long>();
            }
        return (double)correct / data.TestCount;
    }
}
