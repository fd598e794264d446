using Hybrid.Experiments.Runs;

namespace Hybrid.Cli.Commands;

/// <summary>
/// <c>--out</c> and <c>--resume</c> as train and compare share them: which folder, refused before
/// anything is written when the two disagree or the folder to resume is missing, and the folder's
/// lock taken with errors in Hybrid's words rather than .NET's.
/// </summary>
public static class RunFolderOptions
{
    /// <summary>The run folder a command asks for (not created yet).</summary>
    /// <exception cref="ArgumentException">--out and --resume name different folders, or --resume names none.</exception>
    public static RunFolder Choose(string? output, string? resume, string prefix)
    {
        if (resume is not null && output is not null && Path.GetFullPath(resume) != Path.GetFullPath(output))
            throw new ArgumentException(
                $"--resume {resume} and --out {output} name different folders; a run is resumed in its own folder (leave out --out).", "out");
        if (resume is not null && !Directory.Exists(resume))
            throw new ArgumentException(
                File.Exists(resume) ? $"--resume {resume} is a file, not a run folder." : $"--resume {resume}: no such folder.", "resume");
        return RunFolder.At(resume ?? output ?? RunFolder.NewPath("runs", prefix));
    }

    /// <summary>Takes the folder's lock for the command's life; tells the user about a stale lock it replaced.</summary>
    /// <exception cref="RunFolderLockedException">Another process holds it (the message names the holder).</exception>
    /// <exception cref="IOException">The folder cannot be created or written (the message says why, in words).</exception>
    public static RunLock Lock(RunFolder folder, string option)
    {
        RunLock taken;
        try
        {
            taken = folder.Acquire();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not RunFolderLockedException)
        {
            string why = File.Exists(folder.Path) ? "it is a file, not a folder"
                : e is UnauthorizedAccessException ? "permission denied"
                : "files cannot be created there";
            throw new IOException($"{option} {folder.Path}: cannot be used as a run folder ({why}).", e);
        }
        if (taken.StaleOwner is { } stale)
            Console.Error.WriteLine($"note: {folder.Path} was locked by {stale}, which ended without releasing it; the lock is now this process's.");
        return taken;
    }
}
