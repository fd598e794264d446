namespace Hybrid.Native;

/// <summary>
/// The one place the safe layer chooses between libhybrid's uint8 and uint16 code entry points
/// (<c>hyb_lns_*_u8</c> / <c>_u16</c>): every generic LNS call passes its code type here.
/// </summary>
internal static class CodeWidth
{
    /// <summary>True for byte codes (B ≤ 8), false for ushort codes (B ≤ 16); any other type is refused.</summary>
    public static bool IsByte<TCode>() where TCode : unmanaged =>
        typeof(TCode) == typeof(byte) || (typeof(TCode) == typeof(ushort)
            ? false
            : throw new NotSupportedException($"LNS codes are byte or ushort, not {typeof(TCode).Name}."));
}

/// <summary>
/// The bindings' memory-safety check: libhybrid takes one element count for several buffers, so
/// the safe layer must know each span is that long before it passes pointers. Every other rule
/// (formats, overlap, values) is libhybrid's to check (hybrid/status.h), and the synapse layer's
/// managed twin checks the same rules up front.
/// </summary>
internal static class SpanBounds
{
    /// <summary>Throws unless the two lengths are equal.</summary>
    public static void Same(int a, string aName, int b, string bName)
    {
        if (a != b)
            throw new ArgumentException($"{aName} has {a} elements but {bName} has {b}; they must match.", bName);
    }

    /// <summary>Throws unless <paramref name="actual"/> is <paramref name="expected"/>.</summary>
    public static void Exactly(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} must have {expected} elements, not {actual}.", name);
    }
}
