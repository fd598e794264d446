using Hybrid.Experiments.Data;
using Hybrid.Experiments.Options;

namespace Hybrid.Experiments.Points;

/// <summary>The data options of the experiments made of training points (depth, transfer, trust): changes to a <see cref="DataSpec"/>.</summary>
public static class PointOptions
{
    /// <summary><c>--data</c>, <c>--train-size</c>, <c>--test-size</c>, <c>--normalize</c>: <paramref name="change"/> applies one
    /// change of the data spec to the settings (to every spec they hold); <paramref name="show"/> is the one help shows.</summary>
    public static IEnumerable<SettingOption<T>> Data<T>(OptionBuilder<T> o, Func<T, DataSpec> show, Func<T, Func<DataSpec, DataSpec>, T> change)
        where T : class =>
    [
        o.Data(s => show(s).Data, (s, v) => change(s, d => d with { Data = v })),
        o.TrainSize(s => show(s).TrainSize, (s, n) => change(s, d => d with { TrainSize = n == 0 ? null : n }),
            "Train on n examples: the first n of a fixed random permutation of the training set (the same for every seed of the runs); 0 for all."),
        o.TestSize(s => show(s).TestSize, (s, n) => change(s, d => d with { TestSize = n == 0 ? null : n }), "Test examples (the first ones); 0 for all."),
        o.Normalize(s => show(s).Normalize, (s, v) => change(s, d => d with { Normalize = v })),
    ];
}
