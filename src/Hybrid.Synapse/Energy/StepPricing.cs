using Hybrid.Synapse.Energy.Dataflow;

namespace Hybrid.Synapse.Energy;

/// <summary>
/// Prices a <see cref="StepLedger"/>: makes its copy-or-reconvert choices, places its tensors, and prices compute and
/// memory per layer and pass under the hierarchy's model.
/// <para>Choices: the tensors are first placed with every choice at its lean option (reconvert: no copy); then each
/// choice takes the option whose own entries cost less, the copy priced at the SRAM fraction its source tensor got;
/// then the tensors are placed again with the choices made. Deterministic; a tie keeps the lean option.</para>
/// <para>Dataflow model: every access tagged as a GEMM operand is replaced by that operand's accesses under the GEMM's
/// mapping (<see cref="DataflowMapper"/>, <see cref="LoopNestCounter"/>): register-file and array accesses at the GEMM
/// format's word size; global-buffer accesses likewise; the DRAM-level accesses at the stored word size, for the
/// fraction of the tensor placed in DRAM — the fraction placed in SRAM is read in place (its DRAM-level accesses become
/// global-buffer accesses, its buffer fills vanish).</para>
/// </summary>
public static class StepPricing
{
    /// <summary>The choices pricing takes and the final placement.</summary>
    public static (IReadOnlySet<string> Chosen, Placement Placement) Resolve(StepLedger ledger, EnergyTable table, MemoryHierarchy memory)
    {
        var lean = ledger.Choices.Select(c => c.Tag(LedgerChoice.Lean)).ToHashSet(StringComparer.Ordinal);
        var first = Place(ledger, memory, lean);
        if (ledger.Choices.Count == 0) return (lean, first);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        double sram = memory.SramBytes > 0 ? table[memory.EventOf(MemoryLevel.Sram)] : 0, dram = table[Events.Dram64];
        foreach (var c in ledger.Choices)
        {
            double f = first.SramFraction.GetValueOrDefault(c.Source);
            double Cost(string option)
            {
                string tag = c.Tag(option);
                double e = ledger.Compute.Where(x => x.Option == tag).Sum(x => x.Count * table[x.Event]);
                foreach (var t in ledger.Traffic.Where(x => x.Option == tag))
                {
                    double tf = first.SramFraction.TryGetValue(t.Tensor, out var v) && t.Tensor != c.Key ? v : f;
                    e += (t.BytesRead + t.BytesWritten) / 8 * (tf * sram + (1 - tf) * dram);
                }
                return e;
            }
            chosen.Add(c.Tag(Cost(LedgerChoice.Alternative) < Cost(LedgerChoice.Lean) ? LedgerChoice.Alternative : LedgerChoice.Lean));
        }
        return (chosen, Place(ledger, memory, chosen));
    }

    private static Placement Place(StepLedger ledger, MemoryHierarchy memory, IReadOnlySet<string> chosen)
    {
        var active = ledger.Traffic.Where(t => StepLedger.Active(t.Option, chosen)).ToList();
        var used = active.Select(t => t.Tensor).ToHashSet(StringComparer.Ordinal);
        var tensors = ledger.Tensors.Values.Where(t => used.Contains(t.Name)).ToList();
        var accesses = active.GroupBy(t => t.Tensor).ToDictionary(g => g.Key, g => g.Sum(t => t.BytesRead + t.BytesWritten), StringComparer.Ordinal);
        var lifetimes = active.GroupBy(t => t.Tensor).ToDictionary(g => g.Key, g => (g.Min(t => t.Phase), g.Max(t => t.Phase)), StringComparer.Ordinal);
        int phases = ledger.Traffic.Count == 0 ? 1 : ledger.Traffic.Max(t => t.Phase) + 1;
        return memory.Place(tensors, accesses, lifetimes, phases);
    }

    /// <summary>The energy of every layer and pass.</summary>
    public static PricedStep Price(StepLedger ledger, EnergyTable table, MemoryHierarchy memory) => Price(ledger, table, memory, null);

    /// <summary>The energy of every layer and pass with the tensors placed as <paramref name="placement"/> says (null: as
    /// <see cref="Resolve"/> places them; a tensor it does not name is in DRAM) — to measure what placement alone changes.</summary>
    public static PricedStep Price(StepLedger ledger, EnergyTable table, MemoryHierarchy memory, Placement? placement)
    {
        memory.Validate();
        table.Require(ledger.EventsNeeded(memory));
        var (chosen, place) = Resolve(ledger, table, memory);
        if (placement is not null)
            place = new Placement(ledger.Tensors.Keys.ToDictionary(t => t, t => placement.SramFraction.GetValueOrDefault(t), StringComparer.Ordinal), memory.SramBytes);
        var cells = new Dictionary<(string, Pass), double[]>();
        double[] Cell(string layer, Pass pass)
        {
            if (!cells.TryGetValue((layer, pass), out var v)) cells[(layer, pass)] = v = new double[5];
            return v;
        }
        foreach (var c in ledger.Compute.Where(c => StepLedger.Active(c.Option, chosen)))
            Cell(c.Layer, c.Pass)[0] += c.Count * table[c.Event];
        double sram = memory.SramBytes > 0 ? table[memory.EventOf(MemoryLevel.Sram)] : 0, dram = table[Events.Dram64];
        bool dataflow = memory.Model == MemoryModel.Dataflow;
        var operands = new List<TrafficEntry>();
        foreach (var t in ledger.Traffic.Where(t => StepLedger.Active(t.Option, chosen)))
        {
            if (dataflow && t.Operand is not null) { operands.Add(t); continue; }
            double f = place[t.Tensor], words = (t.BytesRead + t.BytesWritten) / 8;
            var v = Cell(t.Layer, t.Pass);
            v[1] += words * f * sram;
            v[2] += words * (1 - f) * dram;
        }
        if (operands.Count > 0) PriceGemms(ledger, operands, place, memory, table, sram, dram, Cell);
        var rows = cells.Select(kv => new PricedCell(kv.Key.Item1, kv.Key.Item2, kv.Value[0], kv.Value[1], kv.Value[2], kv.Value[3], kv.Value[4]))
            .OrderBy(c => c.Layer, StringComparer.Ordinal).ThenBy(c => c.Pass).ToList();
        return new PricedStep(rows, place, chosen);
    }

    private static void PriceGemms(StepLedger ledger, List<TrafficEntry> operands, Placement place, MemoryHierarchy memory, EnergyTable table,
        double sram, double dram, Func<string, Pass, double[]> cell)
    {
        double rf = table[Events.RegisterFile16], noc = table[Events.Array16];
        var gemms = ledger.Gemms.ToDictionary(g => g.Id, StringComparer.Ordinal);
        foreach (var group in operands.GroupBy(t => t.Operand!.Gemm))
        {
            if (!gemms.TryGetValue(group.Key, out var g))
                throw new InvalidOperationException($"traffic names GEMM '{group.Key}', which the ledger does not have.");
            var words = new double[g.Problem.Operands.Count];
            foreach (var t in group) words[t.Operand!.Index] = Math.Max(words[t.Operand.Index], t.Operand.WordBytes);
            for (int o = 0; o < words.Length; ++o) if (words[o] == 0) words[o] = 4;
            var counts = Counts(g.Problem, memory, words);
            var v = cell(g.Layer, g.Pass);
            int glb = counts.Levels.ToList().FindIndex(l => l.Level == "GLB"), top = counts.Levels.Count - 1;
            foreach (var t in group)
            {
                int o = t.Operand!.Index;
                double size = g.Problem.Size(o) * g.Problem.Repeat;
                // several entries may share an operand (a fused q/k/v tensor read in thirds): each prices its share
                double share = group.Where(x => x.Operand!.Index == o).Sum(x => x.BytesRead + x.BytesWritten);
                double part = share > 0 ? (t.BytesRead + t.BytesWritten) / share : 0;
                double stored = share / Math.Max(size, 1e-30); // bytes per word at home
                double f = place[t.Tensor], onChip = t.Operand.WordBytes;
                double rfWords = counts.Levels[0].Accesses(o), arrayWords = counts.Transfers.Sum(x => x[o]);
                double glbWords = glb >= 0 ? counts.Levels[glb].Reads[o] + counts.Levels[glb].Updates[o] + (1 - f) * counts.Levels[glb].Fills[o] : 0;
                double dramWords = counts.Levels[top].Accesses(o);
                v[3] += part * rfWords * onChip / 2 * rf;
                v[4] += part * arrayWords * onChip / 2 * noc;
                v[1] += part * (glbWords * onChip + f * dramWords * stored) / 8 * sram;
                v[2] += part * (1 - f) * dramWords * stored / 8 * dram;
            }
        }
    }

    /// <summary>The accesses of <paramref name="problem"/> under <paramref name="memory"/>'s dataflow (no SRAM: the global
    /// buffer holds nothing).</summary>
    public static LoopNestCounts Counts(LoopProblem problem, MemoryHierarchy memory, IReadOnlyList<double> wordBytes)
    {
        var levels = DataflowMapper.Map(problem, memory.Accelerator, memory.SramBytes, wordBytes).ToList();
        if (memory.SramBytes == 0)
            levels[2] = levels[2] with { Bypass = Enumerable.Range(0, problem.Operands.Count).ToHashSet() };
        return LoopNestCounter.Count(problem, levels);
    }
}
