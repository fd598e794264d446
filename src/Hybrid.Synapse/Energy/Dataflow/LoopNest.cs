namespace Hybrid.Synapse.Energy.Dataflow;

/// <summary>The dimensions of a convolution's loop nest (Timeloop's names): batch N, output channels K, input
/// channels C, output rows P and columns Q, filter rows R and columns S. A GEMM is the nest with P = Q = R = S = 1.</summary>
public enum LoopDim
{
    /// <summary>Batch (rows of a GEMM).</summary>
    N = 0,
    /// <summary>Output channels (columns of a GEMM).</summary>
    K = 1,
    /// <summary>Input channels (the reduction of a GEMM).</summary>
    C = 2,
    /// <summary>Output rows.</summary>
    P = 3,
    /// <summary>Output columns.</summary>
    Q = 4,
    /// <summary>Filter rows.</summary>
    R = 5,
    /// <summary>Filter columns.</summary>
    S = 6,
}

/// <summary>One axis of an operand's index space: a dimension, or a sliding window over two
/// (<see cref="Dim"/>·<see cref="Stride"/> + <see cref="Window"/>·<see cref="Dilation"/>: an input row).</summary>
public readonly record struct LoopAxis(LoopDim Dim, LoopDim? Window = null, int Stride = 1, int Dilation = 1)
{
    /// <summary>The extent of this axis over a tile of <paramref name="bounds"/>.</summary>
    public double Extent(long[] bounds) => Window is { } w
        ? (bounds[(int)Dim] - 1) * (double)Stride + (bounds[(int)w] - 1) * (double)Dilation + 1
        : bounds[(int)Dim];

    /// <summary>Whether the axis moves with <paramref name="d"/>.</summary>
    public bool Uses(LoopDim d) => Dim == d || Window == d;
}

/// <summary>A tensor of the loop nest and the axes its index is made of.</summary>
public sealed record LoopOperand(string Name, IReadOnlyList<LoopAxis> Axes)
{
    /// <summary>Whether <paramref name="d"/> indexes this operand.</summary>
    public bool Relevant(LoopDim d) => Axes.Any(a => a.Uses(d));

    /// <summary>Elements of the tile of <paramref name="bounds"/>.</summary>
    public double Size(long[] bounds) => Axes.Aggregate(1.0, (p, a) => p * a.Extent(bounds));
}

/// <summary>
/// A loop nest to map: bounds of the seven dimensions, three operands (two read, <see cref="Output"/> accumulated),
/// and <see cref="Repeat"/> independent copies (groups of a grouped convolution; a scaled ledger).
/// </summary>
public sealed record LoopProblem(long[] Bounds, IReadOnlyList<LoopOperand> Operands, int Output, double Repeat = 1)
{
    /// <summary>Multiply-accumulates.</summary>
    public double Macs => Repeat * Bounds.Aggregate(1.0, (p, b) => p * b);

    /// <summary>The bound of <paramref name="d"/>.</summary>
    public long this[LoopDim d] => Bounds[(int)d];

    /// <summary>Elements of operand <paramref name="i"/> (one copy).</summary>
    public double Size(int i) => Operands[i].Size(Bounds);

    /// <summary>A convolution's nest: operands weights [K, C, R, S], inputs [N, C, P·s+R·d, Q·s+S·d], outputs [N, K, P, Q];
    /// <paramref name="output"/> picks the accumulated one (0 weights: the weight gradient; 1 inputs: the input error;
    /// 2 outputs: the forward pass). All three passes of a layer share one nest (Timeloop's view).</summary>
    public static LoopProblem Conv(long n, long k, long c, long p, long q, long r, long s, int stride, int dilation, int output,
        double repeat = 1) =>
        new([n, k, c, p, q, r, s],
        [
            new("weights", [new(LoopDim.K), new(LoopDim.C), new(LoopDim.R), new(LoopDim.S)]),
            new("inputs", [new(LoopDim.N), new(LoopDim.C), new(LoopDim.P, LoopDim.R, stride, dilation), new(LoopDim.Q, LoopDim.S, stride, dilation)]),
            new("outputs", [new(LoopDim.N), new(LoopDim.K), new(LoopDim.P), new(LoopDim.Q)]),
        ], output, repeat);

    /// <summary>A GEMM of <paramref name="rows"/> × <paramref name="reduction"/> by <paramref name="reduction"/> ×
    /// <paramref name="columns"/> with a shared second operand (a layer's weights): the convolution nest with
    /// N = rows, C = reduction, K = columns.</summary>
    public static LoopProblem Gemm(long rows, long reduction, long columns, int output) =>
        Conv(rows, columns, reduction, 1, 1, 1, 1, 1, 1, output);

    /// <summary><paramref name="batch"/> independent products A·Bᵀ of two activations (attention): A [N, P, C] (P = rows,
    /// C = reduction), B [N, K, C] (K = columns), out [N, P, K].</summary>
    public static LoopProblem Batched(long batch, long rows, long reduction, long columns, int output) =>
        new([batch, columns, reduction, rows, 1, 1, 1],
        [
            new("a", [new(LoopDim.N), new(LoopDim.P), new(LoopDim.C)]),
            new("b", [new(LoopDim.N), new(LoopDim.K), new(LoopDim.C)]),
            new("out", [new(LoopDim.N), new(LoopDim.P), new(LoopDim.K)]),
        ], output);
}

/// <summary>One level of a mapping, innermost first: a storage level's temporal loops (factors per dimension and
/// their order, innermost first), or a spatial fan-out to the instances of the storage level below.</summary>
/// <param name="Storage">The storage level's name (RF, GLB, DRAM); null for a spatial level.</param>
/// <param name="Factors">Loop bound per <see cref="LoopDim"/> at this level.</param>
/// <param name="Order">Temporal loop order, innermost first (dimensions not named are ordered by enum value after these).</param>
/// <param name="Bypass">Operands (by index) this storage level does not hold.</param>
public sealed record MappingLevel(string? Storage, long[] Factors, IReadOnlyList<LoopDim> Order, IReadOnlySet<int>? Bypass = null)
{
    /// <summary>Whether this is a spatial fan-out.</summary>
    public bool Spatial => Storage is null;

    /// <summary>The level's loops with bound above 1, innermost first.</summary>
    public IEnumerable<(LoopDim Dim, long Bound)> Loops() =>
        Order.Concat(Enum.GetValues<LoopDim>().Where(d => !Order.Contains(d)))
            .Where(d => Factors[(int)d] > 1).Select(d => (d, Factors[(int)d]));
}

/// <summary>Accesses of one storage level, totals over its instances, per operand (Timeloop's counts: reads by the
/// level below or the MACs, fills from the level above, updates of the accumulated operand).</summary>
public sealed record LevelCounts(string Level, double Instances, double[] Reads, double[] Fills, double[] Updates)
{
    /// <summary>Reads + fills + updates of operand <paramref name="i"/>.</summary>
    public double Accesses(int i) => Reads[i] + Fills[i] + Updates[i];
}

/// <summary>What a mapping of a loop nest costs in accesses: per storage level (innermost first) and, per spatial
/// level, the words it delivers to (or collects from) its instances.</summary>
public sealed record LoopNestCounts(double Macs, IReadOnlyList<LevelCounts> Levels, IReadOnlyList<double[]> Transfers);

/// <summary>
/// Counts the accesses a mapping makes at every storage level, the way Timeloop's model does (Parashar et al.,
/// ISPASS 2019): a tile is refetched each time a loop above it that indexes it advances — loops that do not index it
/// and sit inside the first one that does give reuse (stationarity) — and a sliding input window fetches only its new
/// rows or columns; a read operand's parent is read once per word a spatial fan-out multicasts; the accumulated
/// operand's first update of each element reads nothing, and its partial sums are spatially reduced across
/// instances that share it. Checked against a published Timeloop reference output in DataflowTests.
/// </summary>
public static class LoopNestCounter
{
    /// <summary>The counts of <paramref name="problem"/> under <paramref name="levels"/> (innermost first; the outermost
    /// must be a storage level that holds everything).</summary>
    /// <exception cref="ArgumentException">The factors do not multiply to the problem's bounds, or the mapping has no storage level.</exception>
    public static LoopNestCounts Count(LoopProblem problem, IReadOnlyList<MappingLevel> levels)
    {
        Validate(problem, levels);
        int ops = problem.Operands.Count;
        double macs = problem.Macs / problem.Repeat;
        // instances of each level: the product of every spatial factor above it
        var instances = new double[levels.Count];
        for (int j = 0; j < levels.Count; ++j)
            instances[j] = levels.Skip(j + 1).Where(l => l.Spatial).Aggregate(1.0, (p, l) => p * l.Factors.Aggregate(1.0, (q, f) => q * f));
        var fills = new double[levels.Count, ops];   // per instance
        var reads = new double[levels.Count, ops];
        var updates = new double[levels.Count, ops];
        var transfers = new double[levels.Count][];
        for (int j = 0; j < levels.Count; ++j) transfers[j] = new double[ops];
        for (int o = 0; o < ops; ++o)
        {
            var operand = problem.Operands[o];
            bool output = o == problem.Output;
            var holders = Enumerable.Range(0, levels.Count).Where(j => !levels[j].Spatial && !(levels[j].Bypass?.Contains(o) ?? false)).ToList();
            int? child = null;
            foreach (int j in holders)
            {
                bool top = j == holders[^1];
                double f = top ? 0 : Refetches(problem, operand, levels, j);
                if (output && !top) fills[j, o] = f; // Timeloop counts each residency of a partial-sum tile as a fill
                else if (!output) fills[j, o] = f;
                if (child is not { } c)
                {
                    if (output) updates[j, o] = macs / instances[j];
                    else reads[j, o] = macs / instances[j];
                }
                else
                {
                    // spatial levels between c and j: multicast (read operands) or reduction (the output) over dimensions not indexing it
                    double shared = 1;
                    for (int s = c + 1; s < j; ++s)
                        if (levels[s].Spatial)
                            for (int d = 0; d < 7; ++d)
                                if (!operand.Relevant((LoopDim)d)) shared *= levels[s].Factors[d];
                    double fromChild = Refetches(problem, operand, levels, c) * instances[c];
                    for (int s = c + 1; s < j; ++s) if (levels[s].Spatial) transfers[s][o] += fromChild;
                    if (output) updates[j, o] = fromChild / shared / instances[j];
                    else reads[j, o] = fromChild / shared / instances[j];
                }
                if (output)
                {
                    // the first update of each element this instance holds reads nothing
                    double spread = 1;
                    for (int s = j + 1; s < levels.Count; ++s)
                        if (levels[s].Spatial)
                            for (int d = 0; d < 7; ++d)
                                if (operand.Relevant((LoopDim)d)) spread *= levels[s].Factors[d];
                    reads[j, o] = Math.Max(0, updates[j, o] - problem.Size(o) / spread);
                }
                child = j;
            }
        }
        var counts = new List<LevelCounts>();
        for (int j = 0; j < levels.Count; ++j)
        {
            if (levels[j].Spatial) continue;
            double n = instances[j] * problem.Repeat;
            counts.Add(new LevelCounts(levels[j].Storage!, instances[j],
                Enumerable.Range(0, ops).Select(o => reads[j, o] * n).ToArray(),
                Enumerable.Range(0, ops).Select(o => fills[j, o] * n).ToArray(),
                Enumerable.Range(0, ops).Select(o => updates[j, o] * n).ToArray()));
        }
        var spatial = levels.Select((l, j) => (l, j)).Where(x => x.l.Spatial)
            .Select(x => transfers[x.j].Select(t => t * problem.Repeat).ToArray()).ToList();
        return new LoopNestCounts(problem.Macs, counts, spatial);
    }

    /// <summary>Words of <paramref name="operand"/> moved into one instance of storage level <paramref name="j"/> over the
    /// nest (the tile, refetched as the loops above it advance).</summary>
    private static double Refetches(LoopProblem problem, LoopOperand operand, IReadOnlyList<MappingLevel> levels, int j)
    {
        var tile = new long[7];
        for (int d = 0; d < 7; ++d) tile[d] = levels.Take(j + 1).Aggregate(1L, (p, l) => p * l.Factors[d]);
        double size = operand.Size(tile);
        var above = levels.Skip(j + 1).Where(l => !l.Spatial).SelectMany(l => l.Loops()).ToList();
        int first = above.FindIndex(l => operand.Relevant(l.Dim));
        if (first < 0) return size;
        double outer = above.Skip(first + 1).Aggregate(1.0, (p, l) => p * l.Bound);
        var (dim, bound) = above[first];
        var axis = operand.Axes.First(a => a.Uses(dim));
        if (axis.Window is not { } window) return outer * bound * size;
        // a sliding window: each step brings only the rows (or columns) it has not seen
        double extent = axis.Extent(tile);
        double step = dim == axis.Dim ? tile[(int)axis.Dim] * (double)axis.Stride : tile[(int)window] * (double)axis.Dilation;
        double rest = size / extent;
        return outer * (size + (bound - 1) * Math.Min(step, extent) * rest);
    }

    private static void Validate(LoopProblem problem, IReadOnlyList<MappingLevel> levels)
    {
        if (levels.Count == 0 || levels[^1].Spatial) throw new ArgumentException("a mapping needs an outermost storage level.", nameof(levels));
        for (int d = 0; d < 7; ++d)
        {
            long product = levels.Aggregate(1L, (p, l) => p * l.Factors[d]);
            if (product != problem.Bounds[d])
                throw new ArgumentException($"the mapping's factors of {(LoopDim)d} multiply to {product}, not the bound {problem.Bounds[d]}.", nameof(levels));
        }
    }
}
