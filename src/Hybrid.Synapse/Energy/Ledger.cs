namespace Hybrid.Synapse.Energy;

/// <summary>
/// Event counts of one update step (or a sum of steps): memory traffic, arithmetic by kind,
/// random bits and codes changed. Counts follow the update rule as a dedicated circuit would
/// do it (see <see cref="UpdateCosts"/>); an <see cref="EnergyTable"/> prices them.
/// </summary>
public sealed record Ledger(double BytesRead, double BytesWritten, double IntAdds8, double IntAdds32, double Fp32Adds,
    double Fp32Mults, double RandomBits, double CodesChanged, double Elements)
{
    /// <summary>Nothing.</summary>
    public static readonly Ledger Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The sum of two ledgers.</summary>
    public static Ledger operator +(Ledger a, Ledger b) => new(a.BytesRead + b.BytesRead, a.BytesWritten + b.BytesWritten,
        a.IntAdds8 + b.IntAdds8, a.IntAdds32 + b.IntAdds32, a.Fp32Adds + b.Fp32Adds, a.Fp32Mults + b.Fp32Mults,
        a.RandomBits + b.RandomBits, a.CodesChanged + b.CodesChanged, a.Elements + b.Elements);

    /// <summary>A ledger scaled by <paramref name="k"/> (e.g. a mean over steps).</summary>
    public Ledger Scale(double k) => new(BytesRead * k, BytesWritten * k, IntAdds8 * k, IntAdds32 * k, Fp32Adds * k,
        Fp32Mults * k, RandomBits * k, CodesChanged * k, Elements * k);

    /// <summary>Estimated energy in picojoules under <paramref name="table"/>, every byte priced as 64-bit
    /// accesses of <paramref name="memoryEvent"/> (e.g. <see cref="Events.Sram"/>(8)).</summary>
    /// <exception cref="InvalidDataException">The table lacks an event this ledger counts.</exception>
    public double EnergyPj(EnergyTable table, string memoryEvent) =>
        (BytesRead + BytesWritten) / 8.0 * table[memoryEvent] + ArithmeticPj(table);

    /// <summary>The arithmetic and random draws alone, in picojoules (memory is priced per tensor elsewhere).</summary>
    public double ArithmeticPj(EnergyTable table) =>
        IntAdds8 * table[Events.Int8Add] + IntAdds32 * table[Events.Int32Add] + Fp32Adds * table[Events.Fp32Add] +
        Fp32Mults * table[Events.Fp32Mult] + RandomBits * table[Events.RandomBit];

    /// <summary>The arithmetic counts as (event, count) pairs.</summary>
    public IEnumerable<(string Event, double Count)> ArithmeticEvents()
    {
        yield return (Events.Int8Add, IntAdds8);
        yield return (Events.Int32Add, IntAdds32);
        yield return (Events.Fp32Add, Fp32Adds);
        yield return (Events.Fp32Mult, Fp32Mults);
        yield return (Events.RandomBit, RandomBits);
    }
}

/// <summary>
/// How many events one update step costs, per rule, counted the same way for every rule so that
/// the LNS synapse and float32 training are comparable. Conventions: divisions and square roots
/// count as one float multiply each; comparisons and clamps are free; a B-bit code is read and
/// written as B/8 bytes (hardware packs codes), and only changed codes are written; the
/// per-step scalars (bias corrections) are ignored.
/// </summary>
public static class UpdateCosts
{
    /// <summary>One LNS Madam step on <paramref name="n"/> B-bit synapses in <paramref name="rows"/> rows; a stochastic
    /// rounding draws <paramref name="randomBits"/> random bits per synapse (what a dedicated generator supplies).</summary>
    public static Ledger LnsMadam(long n, long rows, int bits, MomentMode moment, RoundingMode rounding, long changed,
        int randomBits)
    {
        double code = bits / 8.0;
        double e = n;
        double random = rounding == RoundingMode.Stochastic ? e * randomBits : 0;
        bool wide = bits > 8;
        // every element: read code and gradient; code add; dk + u; the changed codes written
        double read = e * (code + 4), written = changed * code, adds = e, mults = 0;
        switch (moment)
        {
            case MomentMode.PerSynapse:
                // v = b2 v + (1-b2) g^2 (3 mult, 1 add), d = sqrt(v / bc) (2), g / d (1), gh * scale (1)
                read += 4 * e;
                written += 4 * e;
                mults += 7 * e;
                adds += e;
                break;
            case MomentMode.PerNeuron:
            case MomentMode.PerTensor:
                long shared = moment == MomentMode.PerNeuron ? rows : 1;
                // g^2 and its sum per element; per shared moment: mean (1), update (2 mult 1 add), sqrt(v/bc) (2)
                mults += 3 * e + 5 * shared;   // g^2, g / d, gh * scale per element
                adds += e + shared;
                read += 4 * shared;
                written += 4 * shared;
                break;
            case MomentMode.None:
                break; // dk = ±γη/ln2: a sign select, no arithmetic beyond dk + u
        }
        return new Ledger(read, written, wide ? 0 : e, wide ? e : 0, adds, mults, random, changed, e);
    }

    /// <summary>One float32 Adam step (TorchSharp's) on <paramref name="n"/> weights.</summary>
    public static Ledger Adam(long n)
    {
        // m = b1 m + (1-b1) g (2 mult, 1 add); v = b2 v + (1-b2) g^2 (3, 1); sqrt(v) / sqrt(bc2) + eps (2, 1);
        // m / denom * step size (2); w -= (1 add)
        double e = n;
        return new Ledger(16 * e, 12 * e, 0, 0, 4 * e, 9 * e, 0, n, e);
    }

    /// <summary>One float32 Madam step on <paramref name="n"/> weights in <paramref name="rows"/> rows (exp counted as 7
    /// multiplies and 7 adds), the second moment per weight (as published), per row (neuron) or per tensor.</summary>
    public static Ledger Madam(long n, long rows = 1, MomentMode moment = MomentMode.PerSynapse)
    {
        double e = n;
        if (moment == MomentMode.PerSynapse)
        {
            // v update (3 mult, 1 add), sqrt(v / bc) (2), g / d (1), lr * gh * sign (2), exp (7, 7), w * exp (1)
            return new Ledger(12 * e, 8 * e, 0, 0, 8 * e, 16 * e, 0, n, e);
        }
        // per element: g^2 (1) and its row sum (1 add), g / d (1), lr * gh * sign (2), exp (7, 7), w * exp (1);
        // per shared moment: mean (1), update (2 mult, 1 add), sqrt(v / bc) (2); none: a sign step, exp and w * exp
        double shared = moment switch { MomentMode.PerNeuron => rows, MomentMode.PerTensor => 1, _ => 0 };
        double mults = moment == MomentMode.None ? 10 * e : 12 * e + 5 * shared;
        double adds = moment == MomentMode.None ? 7 * e : 8 * e + shared;
        return new Ledger(8 * e + 4 * shared, 4 * e + 4 * shared, 0, 0, adds, mults, 0, n, e);
    }
}

/// <summary>Binary form of a <see cref="Ledger"/> (checkpoints carry the totals of a run).</summary>
public static class LedgerIO
{
    /// <summary>Writes the counts in declaration order.</summary>
    public static void Write(BinaryWriter w, Ledger l)
    {
        foreach (var x in new[] { l.BytesRead, l.BytesWritten, l.IntAdds8, l.IntAdds32, l.Fp32Adds, l.Fp32Mults, l.RandomBits, l.CodesChanged, l.Elements })
            w.Write(x);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static Ledger Read(BinaryReader r) => new(r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(),
        r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble(), r.ReadDouble());
}
