using System.Text;

namespace Hybrid.BindGen;

/// <summary>
/// Compares generated files with those on disk and writes them. The generator owns every
/// *.g.cs file in its output folders: one it no longer produces is stale.
/// </summary>
public static class GeneratedOutput
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// One line per file that is out of date ("path: differs", "path: missing",
    /// "path: stale, no longer generated"), in path order; empty when everything is current.
    /// </summary>
    public static IReadOnlyList<string> FindDifferences(
        string repoRoot, IReadOnlyDictionary<string, string> files, IEnumerable<string> outputDirectories)
    {
        var problems = new List<string>();
        foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var full = Path.Combine(repoRoot, path);
            if (!File.Exists(full))
            {
                problems.Add($"{path}: missing");
            }
            else if (!File.ReadAllBytes(full).AsSpan().SequenceEqual(Utf8NoBom.GetBytes(content)))
            {
                problems.Add($"{path}: differs");
            }
        }
        problems.AddRange(StaleFiles(repoRoot, files, outputDirectories).Select(p => $"{p}: stale, no longer generated"));
        return problems;
    }

    /// <summary>
    /// Writes every file whose content changed (to a temporary name, then renamed over the old
    /// one) and deletes stale *.g.cs files. Returns what was done, one line per file touched.
    /// </summary>
    public static IReadOnlyList<string> Write(
        string repoRoot, IReadOnlyDictionary<string, string> files, IEnumerable<string> outputDirectories)
    {
        var done = new List<string>();
        foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var full = Path.Combine(repoRoot, path);
            var bytes = Utf8NoBom.GetBytes(content);
            var existed = File.Exists(full);
            if (existed && File.ReadAllBytes(full).AsSpan().SequenceEqual(bytes))
            {
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var temporary = $"{full}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
            done.Add($"{(existed ? "updated" : "created")} {path}");
        }
        foreach (var stale in StaleFiles(repoRoot, files, outputDirectories))
        {
            File.Delete(Path.Combine(repoRoot, stale));
            done.Add($"deleted {stale} (no longer generated)");
        }
        return done;
    }

    private static IEnumerable<string> StaleFiles(
        string repoRoot, IReadOnlyDictionary<string, string> files, IEnumerable<string> outputDirectories)
    {
        var stale = new List<string>();
        foreach (var directory in outputDirectories)
        {
            var full = Path.Combine(repoRoot, directory);
            if (!Directory.Exists(full))
            {
                continue;
            }
            stale.AddRange(Directory.EnumerateFiles(full, "*.g.cs", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(repoRoot, f).Replace('\\', '/'))
                .Where(f => !files.ContainsKey(f)));
        }
        return stale.Order(StringComparer.Ordinal);
    }
}
