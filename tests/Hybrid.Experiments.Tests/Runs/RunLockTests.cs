using System.Diagnostics;
using Hybrid.Experiments.Runs;

namespace Hybrid.Experiments.Tests;

/// <summary>The run folder's lock: one holder at a time, the holder named, released on dispose and on
/// process death (kill -9), stale records detected, and a folder the lock created removed again.</summary>
public class RunLockTests
{
    private string _root = null!;

    [SetUp]
    public void MakeRoot() => _root = Directory.CreateTempSubdirectory("hybrid-runlock-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public void ASecondHolderIsRefusedWithTheHolderNamed()
    {
        var path = Path.Combine(_root, "run");
        using var first = RunFolder.At(path).Acquire();
        // another open of the lock file is another flock holder, even in this process
        var other = RunFolder.At(path);
        var e = Assert.Throws<RunFolderLockedException>(() => other.Acquire())!;
        Assert.That(e.Message, Does.Contain($"pid {Environment.ProcessId}").And.Contain(Environment.MachineName).And.Contain(path));
        Assert.That(e.Holder!.Pid, Is.EqualTo(Environment.ProcessId));
        Assert.That(other.TryAcquire(out var holder), Is.Null);
        Assert.That(holder!.Pid, Is.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void DisposingReleasesTheLock()
    {
        var path = Path.Combine(_root, "run");
        Directory.CreateDirectory(path);
        var folder = RunFolder.At(path);
        var first = folder.Acquire();
        Assert.That(folder.HeldLock, Is.SameAs(first));
        first.Dispose();
        Assert.That(folder.HeldLock, Is.Null);
        Assert.That(File.Exists(Path.Combine(path, RunLock.OwnerFile)), Is.False, "the owner record goes with the lock");
        using var second = RunFolder.At(path).Acquire();
        Assert.That(second.StaleOwner, Is.Null, "a released lock leaves no stale record");
    }

    [Test]
    public void AHolderOfTheSameOsLockOutsideDotNetBlocksUs()
    {
        // flock(1) takes flock(2) LOCK_EX, the lock .NET takes for FileShare.None: the lock is the OS's, not ours
        var path = Path.Combine(_root, "run");
        Directory.CreateDirectory(path);
        using var holder = StartFlockHolder(Path.Combine(path, RunLock.LockFile));
        try
        {
            Assert.That(RunFolder.At(path).TryAcquire(out _), Is.Null);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
        using var after = RunFolder.At(path).TryAcquire(out _);
        Assert.That(after, Is.Not.Null, "kill -9 of the holder released the lock");
    }

    [Test]
    public void AKilledHoldersRecordIsReportedAsStale()
    {
        var path = Path.Combine(_root, "run");
        Directory.CreateDirectory(path);
        // a dead process's record, as kill -9 leaves it (the kernel has dropped its flock)
        File.WriteAllText(Path.Combine(path, RunLock.OwnerFile),
            "{\"pid\": 2147483600, \"host\": \"" + Environment.MachineName + "\", \"since\": \"2026-01-01T00:00:00Z\", \"command\": \"hybrid train\"}");
        using var taken = RunFolder.At(path).Acquire();
        Assert.That(taken.StaleOwner, Is.Not.Null);
        Assert.That(taken.StaleOwner!.Pid, Is.EqualTo(2147483600));
        Assert.That(taken.StaleOwner.Alive, Is.False);
    }

    [Test]
    public void ALockOnAFolderThatDidNotExistRemovesItWhenNothingWasWritten()
    {
        var path = Path.Combine(_root, "fresh");
        using (RunFolder.At(path).Acquire()) Assert.That(Directory.Exists(path));
        Assert.That(Directory.Exists(path), Is.False, "a refused command leaves no folder behind");

        var used = RunFolder.At(path);
        using (used.Acquire()) used.WriteText("config.json", "{}");
        Assert.That(File.ReadAllText(used.File("config.json")), Is.EqualTo("{}"));
        Assert.That(File.Exists(used.File(RunLock.OwnerFile)), Is.False);
    }

    [Test]
    public void TheLockIsReleasedWhenItsProcessIsKilled()
    {
        // a real second process holding the lock through .NET, then kill -9
        var path = Path.Combine(_root, "run");
        Directory.CreateDirectory(path);
        using var child = StartFlockHolder(Path.Combine(path, RunLock.LockFile), writeOwner: Path.Combine(path, RunLock.OwnerFile));
        Assert.That(RunFolder.At(path).TryAcquire(out var holder), Is.Null);
        Assert.That(holder!.Pid, Is.EqualTo(child.Id));
        child.Kill(); // SIGKILL
        child.WaitForExit();
        using var taken = RunFolder.At(path).Acquire();
        Assert.That(taken.StaleOwner?.Pid, Is.EqualTo(child.Id), "the killed holder's record is recognised as stale");
    }

    /// <summary>A shell that takes flock(1) on <paramref name="lockFile"/> and sleeps; it has the lock when this returns.</summary>
    private static Process StartFlockHolder(string lockFile, string? writeOwner = null)
    {
        string record = writeOwner is null ? "" :
            $"printf '{{\"pid\": %d, \"host\": \"%s\", \"since\": \"2026-01-01T00:00:00Z\", \"command\": \"test holder\"}}' $$ '{Environment.MachineName}' > '{writeOwner}'; ";
        var psi = new ProcessStartInfo("bash", ["-c", $"exec 9>'{lockFile}'; flock -n 9 || exit 3; {record}echo locked; exec sleep 300"])
        {
            RedirectStandardOutput = true,
        };
        var p = Process.Start(psi)!;
        var line = p.StandardOutput.ReadLine();
        if (line != "locked") throw new InvalidOperationException($"the flock holder did not start: {line}");
        return p;
    }
}
