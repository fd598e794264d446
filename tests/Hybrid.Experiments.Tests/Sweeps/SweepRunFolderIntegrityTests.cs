using System.Text.Json.Nodes;
using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>
/// Issue 22 item 8: the sweep's readers (merge, status, plan, the runner) verify every run folder they read — its
/// manifest's hashes of result.json and run.json, and that the run recorded there is the planned one — and refuse a
/// damaged, foreign or swapped folder naming it and what differs, as a resume refuses a damaged or foreign unit.
/// </summary>
public class SweepRunFolderIntegrityTests : ToySweepTestBase
{
    private SweepPlan Finished(string spread = "0.1", string? outFolder = null)
    {
        var plan = ToyPlan(ToySweep("[1, 2]", "2").Replace("\"spread\": 0.1", $"\"spread\": {spread}"), outFolder);
        Assert.That(SweepRunner.Run(plan, ShardSpec.Whole).Completed, Is.EqualTo(4));
        return plan;
    }

    private static void EveryReaderRefuses<TException>(SweepPlan plan, params string[] message) where TException : Exception
    {
        var readers = new (string Name, Action Read)[]
        {
            ("merge", () => SweepMerge.Collect(plan)),
            ("status", () => plan.Runs.Select(r => SweepRunFiles.State(plan, r)).ToList()),
            ("runner", () => SweepRunner.Run(plan, ShardSpec.Whole)),
        };
        foreach (var (name, read) in readers)
        {
            var e = Assert.Throws<TException>(() => read(), name)!;
            foreach (var m in message) Assert.That(e.Message, Does.Contain(m), name);
        }
    }

    [Test]
    public void AnEditedMetricIsRefusedNotPublished()
    {
        var plan = Finished();
        var file = Path.Combine(plan.RunPath(plan.Runs[1].Id), SweepRunFiles.ResultFile);
        var result = JsonNode.Parse(File.ReadAllText(file))!;
        result["metrics"]!["value"] = 99.0;
        File.WriteAllText(file, result.ToJsonString());
        EveryReaderRefuses<InvalidDataException>(plan, file, "fails its checksum");
        Assert.That(Directory.Exists(plan.MergedPath), Is.False, "nothing was merged");
    }

    [Test]
    public void ARunFolderFromAnotherSweepIsRefusedNamingWhatDiffers()
    {
        var plan = Finished();
        var other = Finished("0.3", Path.Combine(Root, "other"));
        var mine = plan.RunPath(plan.Runs[0].Id);
        Directory.Delete(mine, recursive: true);
        CopyFolder(other.RunPath(other.Runs[0].Id), mine); // with its own, valid manifest
        EveryReaderRefuses<InvalidOperationException>(plan, mine, $"id: {other.Runs[0].Id} in the folder, {plan.Runs[0].Id} in this sweep", "spread");
    }

    [Test]
    public void TwoSwappedRunFoldersAreRefused()
    {
        var plan = Finished();
        string a = plan.RunPath(plan.Runs[0].Id), b = plan.RunPath(plan.Runs[1].Id), t = a + ".swap";
        Directory.Move(a, t);
        Directory.Move(b, a);
        Directory.Move(t, b);
        EveryReaderRefuses<InvalidOperationException>(plan, "holds another run than this sweep's run", "seed");
    }

    [Test]
    public void AResultSwappedWithItsManifestEntryIsStillAnotherRunsResult()
    {
        var plan = Finished();
        string a = plan.RunPath(plan.Runs[0].Id), b = plan.RunPath(plan.Runs[1].Id);
        // result.json and its manifest entry from run 1 into run 0's folder (run.json left: the record is run 0's)
        File.Copy(Path.Combine(b, SweepRunFiles.ResultFile), Path.Combine(a, SweepRunFiles.ResultFile), overwrite: true);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(a, "manifest.json")))!;
        manifest["files"]![SweepRunFiles.ResultFile] = JsonNode.Parse(File.ReadAllText(Path.Combine(b, "manifest.json")))!["files"]![SweepRunFiles.ResultFile]!.DeepClone();
        File.WriteAllText(Path.Combine(a, "manifest.json"), manifest.ToJsonString());
        EveryReaderRefuses<InvalidDataException>(plan, Path.Combine(a, SweepRunFiles.ResultFile), $"the result of run {plan.Runs[1].Id}");
    }

    [Test]
    public void AResultWithoutItsManifestIsRefused()
    {
        var plan = Finished();
        var run = plan.RunPath(plan.Runs[2].Id);
        File.Delete(Path.Combine(run, "manifest.json"));
        EveryReaderRefuses<InvalidDataException>(plan, Path.Combine(run, "manifest.json"), "is missing");
    }

    [Test]
    public void ADirectoryInPlaceOfAResultIsNamedNotReadAsUnfinished()
    {
        // scripts/probe-files.sh: merge and status counted the run as unfinished, and the runner failed with .NET's
        // "Is a directory" after starting to write
        var plan = Finished();
        var file = Path.Combine(plan.RunPath(plan.Runs[0].Id), SweepRunFiles.ResultFile);
        File.Delete(file);
        Directory.CreateDirectory(file);
        EveryReaderRefuses<InvalidDataException>(plan, file, "is a directory");
        Assert.That(Directory.Exists(plan.MergedPath), Is.False, "nothing was merged");
    }

    [Test]
    public void ASpecialFileInPlaceOfTheSweepFilesCopyIsReplacedNotRead()
    {
        // scripts/probe-files.sh: sweep run and merge compared the folder's sweep.json with the file before replacing
        // it, and blocked on a FIFO there or read a link to /dev/zero until memory ran out
        var plan = Finished();
        var copy = Path.Combine(plan.Root, "sweep.json");
        string text = File.ReadAllText(copy);
        foreach (var make in new Action[] { () => Fifo(copy), () => File.CreateSymbolicLink(copy, "/dev/zero") })
        {
            File.Delete(copy);
            make();
            var run = Task.Run(() => SweepRunner.Run(plan, ShardSpec.Whole));
            if (!run.Wait(TimeSpan.FromSeconds(20)))
            {
                _ = Task.Run(() => { using var w = new FileStream(copy, FileMode.Open, FileAccess.Write); });
                Assert.Fail("sweep run blocked on the FIFO in sweep.json's place");
            }
            Assert.That(run.Result.AlreadyFinished, Is.EqualTo(4));
            Assert.That(new FileInfo(copy).LinkTarget, Is.Null);
            Assert.That(File.ReadAllText(copy), Is.EqualTo(text));
        }
    }

    private static void Fifo(string path)
    {
        using var mk = System.Diagnostics.Process.Start("mkfifo", [path])!;
        mk.WaitForExit();
        Assert.That(mk.ExitCode, Is.Zero, "mkfifo");
    }

    [Test]
    public void AnUntouchedSweepReadsAsBefore()
    {
        var plan = Finished();
        var merge = SweepMerge.Collect(plan);
        Assert.That(merge.Finished, Has.Count.EqualTo(4));
        Assert.That(merge.Finished.Select(f => f.Result.Id), Is.EqualTo(plan.Runs.Select(r => r.Id)));
        Assert.That(SweepRunner.Run(plan, ShardSpec.Whole).AlreadyFinished, Is.EqualTo(4));
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
