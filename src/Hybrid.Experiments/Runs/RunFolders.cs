using Hybrid.Training.Data;

namespace Hybrid.Experiments.Runs;

/// <summary>
/// The folder <c>--out</c> and <c>--resume</c> name, for every command: which one, refused before anything is
/// written when the two disagree, when the folder to resume is missing, or when the path cannot be a folder
/// (a file, a link to nothing, a device, a place where nothing can be created) — each said in words that name
/// the option — and its lock taken for the command's life.
/// </summary>
public static class RunFolders
{
    /// <summary>The run folder a command asks for (not created yet): <paramref name="resume"/>, <paramref name="output"/>,
    /// or runs/&lt;command&gt;-&lt;time&gt;.</summary>
    /// <exception cref="ArgumentException">The options disagree, or the path cannot be a run folder (the message names the option).</exception>
    public static RunFolder Choose(string? output, string? resume, string command)
    {
        if (resume is not null && output is not null && Path.GetFullPath(resume) != Path.GetFullPath(output))
            throw new ArgumentException(
                $"--resume {resume} and --out {output} name different folders; a run is resumed in its own folder (leave out --out).", "out");
        if (resume is not null)
        {
            if (Problem(resume) is { } why) throw new ArgumentException($"--resume {resume}: {why}.", "resume");
            if (!Directory.Exists(resume)) throw new ArgumentException($"--resume {resume}: no such folder.", "resume");
        }
        if (output is not null && Problem(output) is { } problem)
            throw new ArgumentException($"--out {output}: cannot be used as a run folder ({problem}).", "out");
        return RunFolder.At(resume ?? output ?? RunFolder.NewPath("runs", command));
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be a folder, in words, or null if it is one or could be created: the
    /// first of it and its parents that exists and is not a folder (a file, a FIFO, a device, a symbolic link
    /// to nothing).
    /// </summary>
    public static string? Problem(string path)
    {
        var full = Path.GetFullPath(path);
        for (var p = full; !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            var info = new FileInfo(p);
            string name = p == full ? "it" : p;
            if (info.LinkTarget is { } target && !Directory.Exists(p) && !File.Exists(Path.Combine(Path.GetDirectoryName(p) ?? "/", target)))
                return $"{name} is a symbolic link to {target}, which does not exist";
            if (Directory.Exists(p)) return null;
            if (File.Exists(p))
            {
                var kind = Hybrid.Synapse.Files.RegularFile.Kind(p);
                return kind is null or "regular file" ? $"{name} is a file, not a folder" : $"{name} is a {kind}, not a folder";
            }
        }
        return null;
    }

    /// <summary>Takes the folder's lock for the command's life (creating it); <paramref name="warn"/> hears of a stale lock it replaced.</summary>
    /// <exception cref="RunFolderLockedException">Another process holds it (the message names the holder).</exception>
    /// <exception cref="IOException">The folder cannot be created or written (the message says why, in words, naming <paramref name="option"/>).</exception>
    public static RunLock Lock(RunFolder folder, string option, Action<string> warn)
    {
        RunLock taken;
        try
        {
            taken = folder.Acquire();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not RunFolderLockedException)
        {
            string why = Problem(folder.Path) ?? (e is UnauthorizedAccessException ? "permission denied" : "files cannot be created there");
            throw new IOException($"{option} {folder.Path}: cannot be used as a run folder ({why}).", e);
        }
        if (taken.StaleOwner is { } stale)
            warn($"note: {folder.Path} was locked by {stale}, which ended without releasing it; the lock is now this process's.");
        return taken;
    }

    /// <summary>Checks that files can be written in <paramref name="path"/> (creating it), by writing and removing an empty probe file.</summary>
    /// <exception cref="IOException">They cannot (the message names <paramref name="option"/> and says why).</exception>
    public static void RequireWritable(string path, string option)
    {
        string? why = Problem(path);
        if (why is null)
        {
            var probe = Path.Combine(path, $".hybrid-probe.{Environment.ProcessId}");
            try
            {
                Directory.CreateDirectory(path);
                using (File.Create(probe)) { }
                File.Delete(probe);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                why = e is UnauthorizedAccessException ? "permission denied" : "files cannot be created there";
            }
        }
        throw new IOException($"{option} {path}: cannot be written ({why}).");
    }
}
