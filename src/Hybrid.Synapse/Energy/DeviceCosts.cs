namespace Hybrid.Synapse.Energy;

/// <summary>
/// What programming an analog device cost (a step, or a run's steps summed): its programming events (devices whose
/// stored state changed) and the pulses that changed them. An <see cref="EnergyTable"/> prices a pulse as
/// <see cref="Events.DevicePulse"/>; an event is its pulses (the controller's overhead per event is not modelled).
/// </summary>
/// <param name="Programmed">Programming events.</param>
/// <param name="Pulses">Pulses applied to the devices that changed.</param>
public readonly record struct DeviceCosts(double Programmed, double Pulses)
{
    /// <summary>The sum of two.</summary>
    public static DeviceCosts operator +(DeviceCosts a, DeviceCosts b) => new(a.Programmed + b.Programmed, a.Pulses + b.Pulses);

    /// <summary>Scaled by <paramref name="k"/> (e.g. a mean over steps).</summary>
    public DeviceCosts Scale(double k) => new(Programmed * k, Pulses * k);

    /// <summary>The pulses' energy in picojoules under <paramref name="table"/> (0 without pulses: a table without
    /// <see cref="Events.DevicePulse"/> still prices digital runs).</summary>
    /// <exception cref="InvalidDataException">Pulses to price, and the table lacks <see cref="Events.DevicePulse"/>.</exception>
    public double EnergyPj(EnergyTable table) => Pulses == 0 ? 0 : Pulses * table[Events.DevicePulse];

    /// <summary>Writes the counts (checkpoints carry a run's totals).</summary>
    public void Write(BinaryWriter w)
    {
        w.Write(Programmed);
        w.Write(Pulses);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static DeviceCosts Read(BinaryReader r) => new(r.ReadDouble(), r.ReadDouble());
}
