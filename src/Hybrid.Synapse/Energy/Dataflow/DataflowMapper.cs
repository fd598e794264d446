namespace Hybrid.Synapse.Energy.Dataflow;

/// <summary>
/// Builds a four-level mapping — register file (RF), PE array (spatial), global buffer (GLB), DRAM — of a loop nest
/// for a <see cref="DataflowSpec"/>. Every factor divides its bound (the largest divisor not above the limit), so
/// a dimension that does not divide the array leaves PEs idle rather than being padded. The global-buffer tile is the
/// largest that fits the buffer's bytes (its three operands at their on-chip word sizes): batch rows first, then
/// output channels, then output rows are split into DRAM-level loops. A template, not a mapper's search: it
/// reproduces each dataflow's reuse pattern, not the best mapping of every layer.
/// </summary>
public static class DataflowMapper
{
    /// <summary>The mapping of <paramref name="p"/> (innermost first: RF, array, GLB, DRAM) on <paramref name="spec"/> with
    /// a global buffer of <paramref name="bufferBytes"/>; <paramref name="wordBytes"/> per operand.</summary>
    public static IReadOnlyList<MappingLevel> Map(LoopProblem p, DataflowSpec spec, long bufferBytes, IReadOnlyList<double> wordBytes)
    {
        spec.Validate();
        var rf = Ones();
        var array = Ones();
        var kind = spec.Kind == DataflowKind.RowStationary && p[LoopDim.R] * p[LoopDim.P] == 1 ? DataflowKind.OutputStationary : spec.Kind;
        LoopDim[] rfOrder, glbOrder;
        switch (kind)
        {
            case DataflowKind.WeightStationary:
                // the filter in the RF; the weight stays while a segment of an output row streams past it
                rf[(int)LoopDim.R] = p[LoopDim.R];
                rf[(int)LoopDim.S] = p[LoopDim.S];
                rf[(int)LoopDim.Q] = Divisor(p[LoopDim.Q], spec.TileQ);
                array[(int)LoopDim.C] = Divisor(p[LoopDim.C], spec.Rows);
                array[(int)LoopDim.K] = Divisor(p[LoopDim.K], spec.Columns);
                rfOrder = [LoopDim.S, LoopDim.R, LoopDim.Q];
                glbOrder = [LoopDim.Q, LoopDim.P, LoopDim.N, LoopDim.C, LoopDim.K]; // N, P, Q inside: the weights stay in the PEs
                break;
            case DataflowKind.OutputStationary:
            {
                // a partial sum in the RF; the reduction streams through
                rf[(int)LoopDim.R] = p[LoopDim.R];
                rf[(int)LoopDim.S] = p[LoopDim.S];
                rf[(int)LoopDim.C] = Divisor(p[LoopDim.C], spec.TileC);
                var down = p[LoopDim.P] > 1 ? LoopDim.P : LoopDim.N;
                array[(int)down] = Divisor(p[down], spec.Rows);
                array[(int)LoopDim.K] = Divisor(p[LoopDim.K], spec.Columns);
                rfOrder = [LoopDim.S, LoopDim.R, LoopDim.C];
                glbOrder = [LoopDim.C, LoopDim.Q, LoopDim.P, LoopDim.N, LoopDim.K]; // C innermost: the outputs stay in the PEs
                break;
            }
            default:
                // Eyeriss: a filter row (S) and an output-row segment (Q) per PE, filter rows down, output rows across
                rf[(int)LoopDim.S] = p[LoopDim.S];
                rf[(int)LoopDim.Q] = Divisor(p[LoopDim.Q], spec.TileQ);
                rf[(int)LoopDim.C] = Divisor(p[LoopDim.C], spec.TileC);
                array[(int)LoopDim.R] = Divisor(p[LoopDim.R], spec.Rows);
                array[(int)LoopDim.P] = Divisor(p[LoopDim.P], spec.Columns);
                rfOrder = [LoopDim.S, LoopDim.Q, LoopDim.C];
                glbOrder = [LoopDim.C, LoopDim.Q, LoopDim.R, LoopDim.P, LoopDim.K, LoopDim.N];
                break;
        }
        var rest = new long[7];
        for (int d = 0; d < 7; ++d) rest[d] = p.Bounds[d] / (rf[d] * array[d]);
        // the largest GLB tile that fits: split N, then K, then P into DRAM loops
        var dram = Ones();
        foreach (var d in new[] { LoopDim.N, LoopDim.K, LoopDim.P, LoopDim.C, LoopDim.Q })
        {
            if (Fits(p, rf, array, rest, dram, wordBytes, bufferBytes)) break;
            if (d == LoopDim.N && spec.TileN > 0) { dram[(int)d] = rest[(int)d] / Divisor(rest[(int)d], spec.TileN); continue; }
            foreach (long f in Divisors(rest[(int)d]))
            {
                dram[(int)d] = f;
                if (Fits(p, rf, array, rest, dram, wordBytes, bufferBytes)) break;
            }
        }
        var glb = new long[7];
        for (int d = 0; d < 7; ++d) glb[d] = rest[d] / dram[d];
        return
        [
            new MappingLevel("RF", rf, rfOrder),
            new MappingLevel(null, array, []),
            new MappingLevel("GLB", glb, glbOrder),
            new MappingLevel("DRAM", dram, [LoopDim.K, LoopDim.C, LoopDim.Q, LoopDim.P, LoopDim.N]),
        ];
    }

    private static bool Fits(LoopProblem p, long[] rf, long[] array, long[] rest, long[] dram, IReadOnlyList<double> wordBytes, long bufferBytes)
    {
        var tile = new long[7];
        for (int d = 0; d < 7; ++d) tile[d] = rf[d] * array[d] * (rest[d] / dram[d]);
        double bytes = 0;
        for (int o = 0; o < p.Operands.Count; ++o) bytes += p.Operands[o].Size(tile) * wordBytes[o];
        return bytes <= bufferBytes;
    }

    private static long[] Ones() => [1, 1, 1, 1, 1, 1, 1];

    /// <summary>The largest divisor of <paramref name="n"/> not above <paramref name="limit"/>.</summary>
    public static long Divisor(long n, long limit)
    {
        for (long f = Math.Min(n, Math.Max(1, limit)); f > 1; --f)
            if (n % f == 0) return f;
        return 1;
    }

    private static IEnumerable<long> Divisors(long n)
    {
        for (long f = 2; f <= n; ++f)
            if (n % f == 0) yield return f;
    }
}
