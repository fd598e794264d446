using BenchmarkDotNet.Running;

namespace Hybrid.Bench;

/// <summary>
/// The bytes one step must move per element, in one place; the GB/s and "% of copy" columns
/// and the copy baseline all use these. An in-place step reads every input once and writes
/// every output once, with nothing else (the codes and v are updated where they lie, so their
/// writes need no extra read for ownership):
/// <list type="bullet">
/// <item>float32 Madam: read w, g, v (3 × 4 B), write w, v (2 × 4 B) = 20 B.</item>
/// <item>LNS B = 8 (uint8 codes): read code (1 B), g, v (2 × 4 B), write code (1 B), v (4 B) = 14 B.</item>
/// <item>LNS B = 16 (uint16 codes): read code (2 B), g, v, write code (2 B), v = 16 B.</item>
/// </list>
/// A validation pass (the native and managed entry points scan codes and gradients before they
/// write) is extra traffic the implementation chooses, not traffic the update needs, so it is
/// not counted: it shows up as a lower GB/s.
/// </summary>
public static class Traffic
{
    /// <summary>float32 Madam step.</summary>
    public const int MadamF32 = 20;
    /// <summary>LNS step on uint8 codes.</summary>
    public const int LnsU8 = 14;
    /// <summary>LNS step on uint16 codes.</summary>
    public const int LnsU16 = 16;

    /// <summary>The parameter every kernel benchmark names its element count by.</summary>
    public const string ElementsParameter = "N";

    /// <summary>Bytes a case must move (its class's bytes per element × N), or null for cases that move no tensor.</summary>
    public static long? BytesMoved(BenchmarkCase c)
    {
        var per = (BytesPerElementAttribute?)Attribute.GetCustomAttribute(c.Descriptor.Type, typeof(BytesPerElementAttribute));
        if (per is null) return null;
        var n = c.Parameters.Items.FirstOrDefault(p => p.Name == ElementsParameter)?.Value;
        return n is int count ? (long)count * per.Bytes : null;
    }
}

/// <summary>Marks a kernel benchmark class with the bytes its step moves per element (see <see cref="Traffic"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class BytesPerElementAttribute(int bytes) : Attribute
{
    /// <summary>Bytes per element.</summary>
    public int Bytes { get; } = bytes;
}
