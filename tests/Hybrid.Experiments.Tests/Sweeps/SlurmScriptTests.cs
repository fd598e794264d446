using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>The sbatch script <c>sweep slurm</c> writes, and submitting it (with a stand-in sbatch; the real one is
/// exercised by scripts/slurm-e2e.sh).</summary>
public class SlurmScriptTests : SweepTestBase
{
    [Test]
    public void TheScriptIsAJobArrayWithOneShardPerTaskAndALogPerTask()
    {
        var plan = Plan(Tiny());
        var text = SlurmScript.Text(plan, new SlurmOptions(4, Partition: "gpu", Time: "2:00:00", Cpus: 2, Gpus: 1, Memory: "8G", Hybrid: "/opt/hybrid/hybrid"));
        var lines = text.Split('\n');
        Assert.That(lines[0], Is.EqualTo("#!/bin/bash"));
        Assert.That(lines, Does.Contain("#SBATCH --array=0-3"));
        Assert.That(lines, Does.Contain($"#SBATCH --output={Out}/logs/%A_%a.log"));
        Assert.That(lines, Does.Contain("#SBATCH --open-mode=append"));
        Assert.That(lines, Does.Contain("#SBATCH --requeue"));
        Assert.That(lines, Does.Contain("#SBATCH --cpus-per-task=2"));
        Assert.That(lines, Does.Contain("#SBATCH --partition=gpu"));
        Assert.That(lines, Does.Contain("#SBATCH --time=2:00:00"));
        Assert.That(lines, Does.Contain("#SBATCH --gres=gpu:1"));
        Assert.That(lines, Does.Contain("#SBATCH --mem=8G"));
        Assert.That(lines, Does.Contain("#SBATCH --job-name=hybrid-tiny"));
        Assert.That(lines.Single(l => l.StartsWith("exec ")),
            Is.EqualTo($"exec /opt/hybrid/hybrid sweep run {Root}/sweep.json --out {Out} --threads \"${{SLURM_CPUS_PER_TASK:-2}}\""));
        Assert.That(text, Does.Not.Contain("--shard "), "the shard comes from SLURM_ARRAY_TASK_ID/COUNT, so resizing the array on sbatch's command line works");
        var plain = SlurmScript.Text(plan, new SlurmOptions(1, Hybrid: "hybrid"));
        Assert.That(plain, Does.Not.Contain("--partition").And.Not.Contain("--time").And.Not.Contain("--gres").And.Not.Contain("--mem"));
    }

    [Test]
    public void WritingCreatesTheLogFolderAndTheScript()
    {
        var plan = Plan(Tiny());
        var path = SlurmScript.Write(plan, new SlurmOptions(2, Hybrid: "hybrid"));
        Assert.That(path, Is.EqualTo(Path.Combine(Out, "tiny.sbatch")));
        Assert.That(Directory.Exists(Path.Combine(Out, "logs")));
        Assert.That(File.ReadAllText(path), Does.Contain("--array=0-1"));
    }

    [TestCase(0, null, 1, 0, null, "--array 0")]
    [TestCase(2, "1:xx", 1, 0, null, "--time '1:xx'")]
    [TestCase(2, null, 0, 0, null, "--cpus 0")]
    [TestCase(2, null, 1, -1, null, "--gpus -1")]
    [TestCase(2, null, 1, 0, "lots", "--mem 'lots'")]
    public void BadOptionsAreRefusedBeforeWriting(int array, string? time, int cpus, int gpus, string? mem, string message)
    {
        var plan = Plan(Tiny());
        var e = Assert.Throws<ArgumentException>(() => SlurmScript.Write(plan, new SlurmOptions(array, Time: time, Cpus: cpus, Gpus: gpus, Memory: mem)))!;
        Assert.That(e.Message, Does.Contain(message));
        Assert.That(Directory.Exists(Out), Is.False);
    }

    [Test]
    public void PathsAreQuotedForTheShell()
    {
        Assert.That(SlurmScript.Quote("/a/b-c_d.json"), Is.EqualTo("/a/b-c_d.json"));
        Assert.That(SlurmScript.Quote("/my runs/it's"), Is.EqualTo("'/my runs/it'\\''s'"));
        Assert.That(SlurmScript.Quote(""), Is.EqualTo("''"));
    }

    [Test]
    public void SubmitReadsTheJobIdFromSbatch()
    {
        var fake = FakeSbatch("echo \"$1 $2\" > \"$(dirname \"$0\")/args\"; echo '4242;cluster'");
        Assert.That(SlurmScript.Submit("/x/job.sbatch", fake), Is.EqualTo("4242"));
        Assert.That(File.ReadAllText(Path.Combine(Root, "args")).Trim(), Is.EqualTo("--parsable /x/job.sbatch"));
    }

    [Test]
    public void SbatchRefusalsAndAMissingSbatchAreReportedInOneLine()
    {
        var refusing = FakeSbatch("echo 'sbatch: error: Invalid partition name specified' >&2; exit 1");
        var e = Assert.Throws<InvalidOperationException>(() => SlurmScript.Submit("/x/job.sbatch", refusing))!;
        Assert.That(e.Message, Does.Contain("Invalid partition name").And.Contain("exit 1"));
        var missing = Assert.Throws<InvalidOperationException>(() => SlurmScript.Submit("/x/job.sbatch", Path.Combine(Root, "no-sbatch")))!;
        Assert.That(missing.Message, Does.Contain("is Slurm installed here?"));
        var garbled = FakeSbatch("echo 'hello'");
        Assert.That(Assert.Throws<InvalidOperationException>(() => SlurmScript.Submit("/x/job.sbatch", garbled))!.Message, Does.Contain("not a job id"));
    }

    [Test]
    public void ARealSlurmAcceptsTheScriptAndRefusesABadPartition()
    {
        var conf = RealSlurm.Conf() ?? throw new InvalidOperationException();
        var plan = Plan(Tiny());
        var script = SlurmScript.Write(plan, new SlurmOptions(4, Time: "10:00", Hybrid: "/bin/true"));
        var (code, output) = RealSlurm.Run(conf, "sbatch", "--test-only", script);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("to start at"), "sbatch --test-only accepted the array and found it a start time");

        var bad = SlurmScript.Write(plan, new SlurmOptions(4, Partition: "no-such-partition", Hybrid: "/bin/true"));
        var previous = Environment.GetEnvironmentVariable("SLURM_CONF");
        Environment.SetEnvironmentVariable("SLURM_CONF", conf);
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => SlurmScript.Submit(bad))!;
            Assert.That(e.Message, Does.Contain("sbatch refused").And.Contain("artition"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLURM_CONF", previous);
        }
    }

    private string FakeSbatch(string body)
    {
        var path = Path.Combine(Root, $"sbatch-{Guid.NewGuid():N}");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}

/// <summary>A Slurm to test against, if one runs here: $SLURM_CONF, else scripts/setup-slurm.sh's default place.</summary>
internal static class RealSlurm
{
    /// <summary>The slurm.conf of a responding cluster; ignores the test (with the reason) when there is none.</summary>
    public static string? Conf()
    {
        var conf = Environment.GetEnvironmentVariable("SLURM_CONF") is { Length: > 0 } c ? c
            : Path.Combine(Environment.GetEnvironmentVariable("HYBRID_SLURM_DIR") ?? "/tmp/hybrid-slurm", "slurm.conf");
        if (!File.Exists(conf))
            Assert.Ignore($"no Slurm here ({conf} does not exist): start a one-node Slurm with scripts/setup-slurm.sh start (as root).");
        var (code, output) = Run(conf, "sinfo", ["-h"], 3_000);
        if (code != 0)
            Assert.Ignore($"Slurm does not answer ({conf}: sinfo exit {code}: {output.Trim()}); start it with scripts/setup-slurm.sh start.");
        return conf;
    }

    /// <summary>Runs a Slurm command against <paramref name="conf"/>; (exit code, stdout + stderr); -1 when it cannot start.</summary>
    public static (int Code, string Output) Run(string conf, string command, params string[] args) => Run(conf, command, args, 30_000);

    /// <summary>The same, giving up after <paramref name="timeoutMs"/>.</summary>
    public static (int Code, string Output) Run(string conf, string command, string[] args, int timeoutMs)
    {
        var start = new System.Diagnostics.ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SLURM_CONF"] = conf;
        try
        {
            using var p = System.Diagnostics.Process.Start(start)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutMs))
            {
                p.Kill();
                return (-1, $"{command} did not answer in {timeoutMs / 1000} s");
            }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{command} is not installed ({e.Message})");
        }
    }
}
