using Hybrid.Synapse.Arithmetic;

namespace Hybrid.Synapse.Energy;

/// <summary>The update pass: every parameter a layer owns, by the row's rule (the LNS step or float Madam on weights and
/// embeddings; float Adam, or float Madam in Madam and LNS rows, on biases and normalisation parameters).</summary>
internal sealed partial class StepCounter
{
    private void Update(int i)
    {
        var layer = _net.Layers[i];
        var f = FormatsOf(layer);
        switch (layer)
        {
            case LinearSpec l:
                if (l.SharedWeights is null) UpdateParameter($"{l.Name}.weights", (double)l.In * l.Out, l.Out, true, f);
                if (l.Bias) UpdateParameter($"{l.Name}.bias", l.Out, 1, false, f);
                break;
            case Conv2dSpec c:
                UpdateParameter($"{c.Name}.weights", c.WeightCount, c.OutChannels, true, f);
                if (c.Bias) UpdateParameter($"{c.Name}.bias", c.OutChannels, 1, false, f);
                break;
            case EmbeddingSpec e:
                UpdateParameter($"{e.Name}.weights", (double)e.Vocab * e.Dim, e.Vocab, true, f, TouchedRows(e) * e.Dim);
                var added = e.AddedTables ?? [];
                for (int j = 0; j < added.Count; ++j) UpdateParameter($"{e.Name}.table{j}", (double)added[j] * e.Dim, added[j], true, f);
                break;
            case FloatOpSpec { Kind: FloatOpKind.BatchNorm or FloatOpKind.LayerNorm } n:
                UpdateParameter($"{n.Name}.affine", 2.0 * n.Features, 2, false, f);
                break;
        }
    }

    /// <summary>
    /// One parameter tensor of <paramref name="values"/> values in <paramref name="rows"/> rows (output neurons), of which
    /// <paramref name="touched"/> are updated (a sparse embedding update: the rows looked up; otherwise all). Reads the
    /// weights at their storage bits and writes the changed ones (every one for float rules), reads the gradient, reads and
    /// writes the state in its format (and converts it), and counts the rule's arithmetic.
    /// </summary>
    private void UpdateParameter(string name, double values, long rows, bool synapse, TensorFormats f, double? touched = null)
    {
        double n = touched ?? values;
        long touchedRows = (long)Math.Round(rows * n / values);
        var rule = synapse ? _update.Rule : _update.Rule == UpdateRule.Adam ? UpdateRule.Adam : UpdateRule.Madam;
        var moment = synapse || rule == UpdateRule.Adam ? _update.Moment : MomentMode.PerSynapse;
        var storage = synapse ? f.WeightStorage : NumberFormat.Fp32;
        Ledger ledger;
        double stateValues, stateTouched;
        switch (rule)
        {
            case UpdateRule.LnsMadam:
            {
                if (storage.Kind != NumberKind.Lns)
                    throw new ArgumentException($"parameter {name}: the LNS step needs LNS weight storage, not {storage}.");
                long count = (long)n, changed = (long)Math.Round(_update.ChangedFraction * n);
                ledger = UpdateCosts.LnsMadam(count, Math.Max(1, touchedRows), storage.Bits, moment, _update.Rounding, changed, _update.RandomBits);
                stateValues = MomentValues(moment, values, rows);
                stateTouched = MomentValues(moment, n, touchedRows);
                Tensor(name, storage.Bytes(values), TensorLifetime.Persistent);
                Move(name, storage.Bytes(n), storage.Bytes(changed), null, null);
                if (_update.RoundedGradient) Add(Events.Fp32Add, n);
                break;
            }
            case UpdateRule.Madam:
                ledger = UpdateCosts.Madam((long)n, Math.Max(1, touchedRows), moment);
                stateValues = MomentValues(moment, values, rows);
                stateTouched = MomentValues(moment, n, touchedRows);
                Tensor(name, storage.Bytes(values), TensorLifetime.Persistent);
                Move(name, storage.Bytes(n), storage.Bytes(n), null, null);
                break;
            default:
                ledger = UpdateCosts.Adam((long)n);
                stateValues = 2 * values;
                stateTouched = 2 * n;
                Tensor(name, storage.Bytes(values), TensorLifetime.Persistent);
                Move(name, storage.Bytes(n), storage.Bytes(n), null, null);
                break;
        }
        foreach (var (evt, count) in ledger.ArithmeticEvents()) Add(evt, count);
        if (!_update.FuseGradient) Read($"{name}.gradient", (synapse ? f.Gradients.Format : NumberFormat.Fp32).Bytes(n));
        if (stateValues <= 0) return;
        string state = $"{name}.state";
        Tensor(state, StateFormats.Bytes(_update.MomentFormat, stateValues), TensorLifetime.Persistent);
        double stateBytes = StateFormats.Bytes(_update.MomentFormat, stateTouched);
        Move(state, stateBytes, stateBytes, null, null);
        foreach (var (evt, count) in StateFormats.ConversionEvents(_update.MomentFormat, stateTouched)) Add(evt, count);
    }

    private static double MomentValues(MomentMode moment, double values, long rows) => moment switch
    {
        MomentMode.PerSynapse => values,
        MomentMode.PerNeuron => rows,
        MomentMode.PerTensor => 1,
        _ => 0,
    };
}
