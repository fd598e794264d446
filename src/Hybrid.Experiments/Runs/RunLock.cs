using System.Diagnostics;
using System.Text.Json;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// Exclusive use of a run folder for one process: an OS file lock (<c>flock(LOCK_EX)</c>, which
/// .NET takes for <see cref="FileShare.None"/> on Linux) on the folder's <see cref="LockFile"/>,
/// held for the run's life. The kernel releases it when the process exits in any way — normal
/// exit, exception, Ctrl+C, <c>kill -9</c> — so a lock can never outlive its holder. Beside it
/// the holder writes <see cref="OwnerFile"/> (pid, host, start time, command line) so that a
/// refused process can say who holds the folder; a record left behind by a killed holder is
/// detected as stale (the lock itself is free) and reported by <see cref="StaleOwner"/>.
/// </summary>
/// <remarks>
/// Get one with <see cref="RunFolder.Acquire"/> (throws <see cref="RunFolderLockedException"/>
/// naming the holder) or <see cref="RunFolder.TryAcquire"/> (null when another process holds it,
/// for "skip what someone else is running"). Disposing releases it. The lock file is never
/// deleted (deleting a lock file while another process has it open would let two processes lock
/// two different files); the owner record is. A folder that did not exist before the lock
/// created it, and still holds nothing but the lock's files when the lock is released, is
/// removed again, so a refused command leaves no trace. Advisory: it guards against other Hybrid
/// processes (and anything else that takes the same flock), not against arbitrary writers; on
/// network file systems it is as good as their flock.
/// </remarks>
public sealed class RunLock : IDisposable
{
    /// <summary>The file the OS lock is taken on (empty; kept).</summary>
    public const string LockFile = ".hybrid.lock";

    /// <summary>The holder's record (JSON: pid, host, since, command); removed on release.</summary>
    public const string OwnerFile = ".hybrid.lock.owner";

    private FileStream? _stream;
    private readonly IReadOnlyList<string> _createdFolders; // the folder and the ancestors this lock created, deepest first

    private RunLock(string folder, FileStream stream, IReadOnlyList<string> createdFolders, LockOwner? staleOwner)
    {
        Folder = folder;
        _stream = stream;
        _createdFolders = createdFolders;
        StaleOwner = staleOwner;
    }

    /// <summary>The locked folder's absolute path.</summary>
    public string Folder { get; }

    /// <summary>Whether this lock is still held.</summary>
    public bool Held => _stream is not null;

    /// <summary>The record of an earlier holder that ended without releasing (killed, crashed), or null.</summary>
    public LockOwner? StaleOwner { get; }

    /// <summary>Whether <paramref name="name"/> is one of the lock's own files (not part of the run).</summary>
    public static bool IsLockFile(string name) => name is LockFile or OwnerFile;

    /// <summary>Takes the lock on <paramref name="folder"/> (creating the folder if needed), or returns
    /// null and the current holder's record when another process holds it.</summary>
    internal static RunLock? TryTake(string folder, out LockOwner? holder)
    {
        holder = null;
        // the folders about to be made, deepest first: a refused command removes them again (runs/ of a default --out too)
        var created = new List<string>();
        for (var d = Path.GetFullPath(folder); !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
            created.Add(d);
        Directory.CreateDirectory(folder);
        var lockPath = Path.Combine(folder, LockFile);
        var ownerPath = Path.Combine(folder, OwnerFile);
        FileStream stream;
        for (int attempt = 0; ; ++attempt)
        {
            // something else in the lock's place reads as itself, not as "permission denied" (issue 22 item 13)
            if (Directory.Exists(lockPath))
                throw new InvalidDataException(
                    $"{lockPath} is a directory, not Hybrid's lock file: move it away (Hybrid never makes one) or choose another folder.");
            if (Hybrid.Synapse.Files.RegularFile.Kind(lockPath) is { } kind && kind != "regular file")
                throw new InvalidDataException($"{lockPath} is a {kind}, not Hybrid's lock file: move it away or choose another folder.");
            try
            {
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                holder = LockOwner.Read(ownerPath);
                return null;
            }
            // A releasing holder removes the lock file of a folder that holds nothing else (Dispose); a process that
            // opened it just before then locks a file no longer in the folder. Only the file the path names counts.
            var mine = Hybrid.Synapse.Files.RegularFile.Identity(stream.SafeFileHandle);
            if (mine is null || mine == Hybrid.Synapse.Files.RegularFile.Identity(lockPath) || attempt >= 100) break;
            stream.Dispose();
            Directory.CreateDirectory(folder);
        }
        try
        {
            var stale = LockOwner.Read(ownerPath);
            var me = LockOwner.Current();
            var taken = new RunLock(folder, stream, created, stale);
            try
            {
                WriteOwner(ownerPath, me);
            }
            catch
            {
                taken.Dispose(); // e.g. a full disk: leave no lock file, nor the folder the lock created (issue 22 item 3)
                throw;
            }
            return taken;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static void WriteOwner(string path, LockOwner owner)
    {
        var tmp = path + $".{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(tmp, JsonSerializer.Serialize(owner, LockOwner.Json));
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <summary>Releases the lock (and removes a folder this lock created if nothing else was written to it).</summary>
    public void Dispose()
    {
        if (_stream is null) return;
        try
        {
            File.Delete(Path.Combine(Folder, OwnerFile));
            // A folder that holds nothing but the lock (a refused command, a new folder whose first write failed)
            // is left as it was found: the lock file goes, and the folder too if the lock created it (issue 22 item 3).
            if (Directory.EnumerateFileSystemEntries(Folder).All(e => Path.GetFileName(e) == LockFile))
            {
                // delete while still holding the lock; a process that opened the file meanwhile sees that the path
                // no longer names it (TryTake) and opens again
                File.Delete(Path.Combine(Folder, LockFile));
                _stream.Dispose();
                _stream = null;
                foreach (var d in _createdFolders)
                {
                    if (Directory.EnumerateFileSystemEntries(d).Any()) break; // something else was written beside it
                    Directory.Delete(d);
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        finally
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}

/// <summary>Who holds (or held) a run folder's lock.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Host">Machine name.</param>
/// <param name="Since">When it took the lock (UTC).</param>
/// <param name="Command">Its command line.</param>
public sealed record LockOwner(int Pid, string Host, DateTime Since, string Command)
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>This process.</summary>
    public static LockOwner Current() => new(Environment.ProcessId, Environment.MachineName, DateTime.UtcNow,
        string.Join(' ', Environment.GetCommandLineArgs()));

    /// <summary>Whether the process is still running, as far as this machine can tell (null: another machine's).</summary>
    public bool? Alive
    {
        get
        {
            if (Host != Environment.MachineName) return null;
            try
            {
                using var p = Process.GetProcessById(Pid);
                return !p.HasExited;
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
        }
    }

    /// <summary>"pid 123 on host (since 2026-12-01 20:00:00Z: hybrid train …)".</summary>
    public override string ToString() =>
        $"pid {Pid} on {Host} (since {Since:yyyy-MM-dd HH:mm:ss}Z: {Command})";

    /// <summary>Reads a record; null when there is none or it cannot be read (a holder still writing it).</summary>
    internal static LockOwner? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<LockOwner>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Another process holds the run folder's lock; the message names it.</summary>
public sealed class RunFolderLockedException(string folder, LockOwner? holder)
    : InvalidOperationException($"{folder} is in use by another process: " +
                                (holder is null ? "its holder has not recorded itself yet" : holder.ToString()) +
                                ". Wait for it to finish, or choose another folder.")
{
    /// <summary>The folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>The holder's record, if it could be read.</summary>
    public LockOwner? Holder { get; } = holder;
}
