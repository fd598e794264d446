namespace Hybrid.Training.Data;

/// <summary>
/// What kind of file a path names: kept for callers of the old name; the one reader is
/// <see cref="Hybrid.Synapse.Files.RegularFile"/> (size limit, regular files only, strict JSON).
/// </summary>
public static class RegularFile
{
    /// <inheritdoc cref="Hybrid.Synapse.Files.RegularFile.Kind"/>
    public static string? Kind(string path) => Hybrid.Synapse.Files.RegularFile.Kind(path);

    /// <inheritdoc cref="Hybrid.Synapse.Files.RegularFile.Require"/>
    public static void Require(string path, string what) => Hybrid.Synapse.Files.RegularFile.Require(path, what);
}
