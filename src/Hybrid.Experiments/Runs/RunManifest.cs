using System.Security.Cryptography;
using System.Text.Json;
using Hybrid.Synapse.Files;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// A run folder's manifest.json: the SHA-256 and size of every file the run wrote through its
/// <see cref="RunFolder"/>, checked before a resume reads anything, so a changed byte is an error
/// naming the file rather than a silently different run.
/// </summary>
/// <remarks>
/// A write goes: the new content to a temporary file (flushed to disk); the manifest records its hash
/// as <see cref="Entry.Pending"/>; the rename; the manifest records it as current. A process killed at
/// any moment leaves a file whose hash is the entry's current or pending one, both accepted, so a
/// crash never reads as corruption. The manifest itself is replaced atomically the same way.
/// </remarks>
public sealed class RunManifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "manifest.json";

    private const string Format = "hybrid-manifest-1";

    /// <summary>One file's record.</summary>
    /// <param name="Sha256">Lowercase hex SHA-256 of the file as last written.</param>
    /// <param name="Bytes">Its size.</param>
    /// <param name="Pending">The hash of a write in progress (the rename may or may not have happened).</param>
    public sealed record Entry(string Sha256, long Bytes, string? Pending = null);

    private sealed record Document(string Format, SortedDictionary<string, Entry> Files);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        AllowDuplicateProperties = false, // a key given twice is an error (issue 22 item 6)
        // a damaged key ("byues" for "bytes") or a missing one is an error, not a default (scripts/probe-files.sh)
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
    };

    private readonly string _folder;
    private SortedDictionary<string, Entry>? _files;

    internal RunManifest(string folder) => _folder = folder;

    private string PathOf(string name) => Path.Combine(_folder, name);

    /// <summary>Whether the folder has a manifest.</summary>
    public bool Exists => File.Exists(PathOf(FileName));

    /// <summary>The recorded files (read on first use).</summary>
    /// <exception cref="InvalidDataException">manifest.json is damaged.</exception>
    public IReadOnlyDictionary<string, Entry> Files => Load();

    private SortedDictionary<string, Entry> Load()
    {
        if (_files is not null) return _files;
        var path = PathOf(FileName);
        if (!File.Exists(path)) return _files = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        return _files = Parse(RegularFile.ReadText(path, "a Hybrid manifest"), path);
    }

    /// <summary>Parses a manifest's text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">It is not a manifest.</exception>
    public static SortedDictionary<string, Entry> Parse(string text, string source)
    {
        Document? doc;
        try
        {
            // a key given twice anywhere (a file listed twice, a field twice) is an error, never "the last one wins"
            RegularFile.RequireStrictJson(text, source);
            doc = JsonSerializer.Deserialize<Document>(text, Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: damaged, not a valid manifest ({e.Message.Split('\n')[0]}).", e);
        }
        if (doc?.Format != Format || doc.Files is null)
            throw new InvalidDataException($"{source}: not a Hybrid manifest ({Format}).");
        foreach (var (name, e) in doc.Files)
        {
            if (!IsPlainName(name))
                throw new InvalidDataException($"{source}: damaged, '{name}' is not a file name in the run folder.");
            if (e is null || e.Sha256 is null || e.Bytes < 0)
                throw new InvalidDataException($"{source}: damaged, the entry of '{name}' lacks its sha256 or has a negative size.");
            // a hash is 64 lowercase hex digits; "" only for a first write still pending (issue 22 item 5)
            if (!(IsHash(e.Sha256) || (e.Sha256.Length == 0 && e.Pending is not null)) || (e.Pending is not null && !IsHash(e.Pending)))
                throw new InvalidDataException($"{source}: damaged, the entry of '{name}' has a SHA-256 that is not 64 hex digits.");
        }
        return new SortedDictionary<string, Entry>(doc.Files, StringComparer.Ordinal);
    }

    private static bool IsHash(string s) => s.Length == 64 && s.All(char.IsAsciiHexDigitLower);

    // a manifest names files in its own folder only: never a path that leaves it
    private static bool IsPlainName(string name) =>
        name.Length > 0 && name.IndexOfAny(['/', '\\', '\0']) < 0 && name is not ("." or "..");

    /// <summary>Records that <paramref name="name"/> is about to become <paramref name="hash"/>.</summary>
    internal void Pending(string name, string hash)
    {
        var files = Load();
        files[name] = files.TryGetValue(name, out var old) ? old with { Pending = hash } : new Entry("", 0, hash);
        Save();
    }

    /// <summary>Records that <paramref name="name"/> now is <paramref name="hash"/>, <paramref name="bytes"/> long.</summary>
    internal void Written(string name, string hash, long bytes)
    {
        Load()[name] = new Entry(hash, bytes);
        Save();
    }

    private void Save()
    {
        var path = PathOf(FileName);
        var tmp = PathOf($".{FileName}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                JsonSerializer.Serialize(fs, new Document(Format, _files!), Json);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); }
            catch (IOException) { }
            if (RunFolder.NamedForTheUser(e, tmp, path) is { } named) throw named;
            throw;
        }
    }

    /// <summary>The SHA-256 of bytes as lowercase hex.</summary>
    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Checks one recorded file against its entry (a file the manifest does not list passes).</summary>
    /// <exception cref="InvalidDataException">It is missing or its checksum differs; the message names it.</exception>
    public void Check(string name)
    {
        if (!Load().TryGetValue(name, out var e)) return;
        var path = PathOf(name);
        if (Directory.Exists(path))
            throw new InvalidDataException($"{path} is a directory, not the file {FileName} records ({e.Bytes} bytes); the run folder is damaged.");
        if (!File.Exists(path))
        {
            if (e.Sha256.Length == 0) return; // its first write never completed: nothing was lost
            throw new InvalidDataException($"{path} is missing: {FileName} records it ({e.Bytes} bytes); the run folder is incomplete.");
        }
        string actual;
        // regular files only: a FIFO in its place would block, a link to /dev/zero never end (issue 22 item 10)
        using (var fs = RegularFile.OpenRead(path, "a file of the run", long.MaxValue))
        {
            try { actual = Convert.ToHexStringLower(SHA256.HashData(fs)); }
            catch (IOException x) { throw new InvalidDataException($"{path}: cannot read it ({x.Message}).", x); }
        }
        if (actual != e.Sha256 && actual != e.Pending)
            throw new InvalidDataException(
                $"{path} fails its checksum: it changed after Hybrid wrote it (SHA-256 {actual[..12]}…, {FileName} records " +
                $"{(e.Sha256.Length > 0 ? e.Sha256[..12] : "none")}…). Restore it or start a new run.");
    }

    /// <summary>Checks every recorded file.</summary>
    /// <exception cref="InvalidDataException">The first that is missing or changed, by name.</exception>
    public void CheckAll()
    {
        foreach (var name in Load().Keys) Check(name);
    }
}
