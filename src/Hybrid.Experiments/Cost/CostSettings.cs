using System.Globalization;
using System.Text.Json.Serialization;
using Hybrid.Synapse;
using Hybrid.Synapse.Energy;
using Hybrid.Synapse.Energy.Architectures;
using Hybrid.Synapse.Energy.Dataflow;
using Hybrid.Training.Optimizers;

namespace Hybrid.Experiments.Cost;

/// <summary>
/// What <c>hybrid cost</c> prices: a standard network (<see cref="StandardNetworks"/>) at its real input size, or one of the
/// models Hybrid trains traced from TorchSharp (<see cref="TracedNetworks"/>), a batch,
/// the memory (SRAM size, memory model, dataflow), the energy table, and the options of the rows
/// (<see cref="CostRows.Standard"/>). No training: the ledger alone.
/// </summary>
public sealed record CostSettings(string Model = "resnet18", long Batch = 256, int SramKib = 1024, string? EnergyTable = null,
    string Moment = "per-synapse", string MomentFormat = "fp32", string LnsBits = "8/12", int WeightsOnlyBits = 8,
    string MemoryModel = "compulsory", string Dataflow = "weight-stationary", bool FuseGradient = false, bool UnfusedAttention = false,
    bool Curves = true)
{
    /// <summary>The network.</summary>
    [JsonIgnore]
    public NetworkSpec Network => TracedNetworks.Names.Contains(Model)
        ? TracedNetworks.Get(Model)
        : StandardNetworks.Get(Model, fusedAttention: !UnfusedAttention);

    /// <summary>The memory the tensors are placed in.</summary>
    [JsonIgnore]
    public MemoryHierarchy Memory => new(1024L * SramKib, MemoryHierarchy.ParseModel(MemoryModel), new DataflowSpec(DataflowSpec.ParseKind(Dataflow)));

    /// <summary>B_f and B_u of "8/12".</summary>
    [JsonIgnore]
    public (int Forward, int Update) LnsWidths
    {
        get
        {
            var parts = LnsBits.Split('/');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int f) &&
                int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int u)) return (f, u);
            throw new ArgumentException($"--lns-bits '{LnsBits}' must be B_f/B_u, e.g. 8/12.", "lns-bits");
        }
    }

    /// <summary>The rows' options.</summary>
    [JsonIgnore]
    public CostRowOptions RowOptions => new(LnsWidths.Forward, LnsWidths.Update, WeightsOnlyBits, Moments.Parse(Moment),
        StateFormats.Parse(MomentFormat), FuseGradient);

    /// <summary>The energy table: the file if given, else the default.</summary>
    public EnergyTable LoadEnergyTable() => EnergyTable is null ? Synapse.Energy.EnergyTable.Horowitz45nm : Synapse.Energy.EnergyTable.Load(EnergyTable);

    /// <summary>Checks every value (the message names the option) and that the table prices every event of every row.</summary>
    public void Validate()
    {
        _ = Network;
        if (Batch is < 1 or > 1 << 20) throw new ArgumentException($"--batch {Batch} must be in [1, 1048576].", "batch");
        Memory.Validate();
        RowOptions.Validate();
        if (EnergyTable is not null && File.Exists(EnergyTable)) Hybrid.Synapse.Files.RegularFile.Require(EnergyTable, "an energy table (JSON)");
        var table = LoadEnergyTable();
        var net = Network;
        foreach (var row in CostRows.Standard(RowOptions))
        {
            var ledger = StepCosts.Count(net, 1, row.Formats, row.Update);
            table.Require(ledger.EventsNeeded(Memory));
        }
    }
}
