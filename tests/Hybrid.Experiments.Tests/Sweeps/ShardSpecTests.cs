using Hybrid.Experiments.Sweeps;

namespace Hybrid.Experiments.Tests.Sweeps;

/// <summary>--shard i/n and the schedulers' index variables.</summary>
public class ShardSpecTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [TestCase("0/1", 0, 1), TestCase("3/4", 3, 4), TestCase(" 2 / 5 ", 2, 5)]
    public void GoodSpecsParse(string text, int i, int n) =>
        Assert.That(ShardSpec.Parse(text), Is.EqualTo(new ShardSpec(i, n, "--shard")));

    [TestCase("5/4", "shard 5 does not exist; with 4 shards they are 0…3")]
    [TestCase("4/4", "shard 4 does not exist")]
    [TestCase("-1/4", "must be i/n")]
    [TestCase("0/0", "count must be ≥ 1")]
    [TestCase("1", "must be i/n")]
    [TestCase("a/b", "must be i/n")]
    [TestCase("1/2/3", "must be i/n")]
    public void BadSpecsAreRefused(string text, string message) =>
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Parse(text))!.Message, Does.Contain(message).And.Contain($"'{text}'"));

    [Test]
    public void TheOptionWinsOverTheEnvironment() =>
        Assert.That(ShardSpec.Resolve("1/3", null, Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4"))),
            Is.EqualTo(new ShardSpec(1, 3, "--shard")));

    [Test]
    public void SlurmArrayTasksAreShards()
    {
        Assert.That(ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "4"))),
            Is.EqualTo(new ShardSpec(2, 4, "SLURM_ARRAY_TASK_ID")));
        // --array=1-4: task ids start at SLURM_ARRAY_TASK_MIN
        Assert.That(ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"))),
            Is.EqualTo(new ShardSpec(3, 4, "SLURM_ARRAY_TASK_ID")));
        // an older Slurm without SLURM_ARRAY_TASK_COUNT
        Assert.That(ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "2"))),
            Is.EqualTo(new ShardSpec(1, 3, "SLURM_ARRAY_TASK_ID")));
    }

    [Test]
    public void MisconfiguredArraysAreRefused()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "4"))))!.Message,
            Does.Contain("shard 5 does not exist"));
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "0"))))!.Message,
            Does.Contain("SLURM_ARRAY_TASK_COUNT"));
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, null,
            Env(("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "2"), ("SLURM_ARRAY_TASK_STEP", "2"))))!.Message, Does.Contain("step 2"));
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "2"))))!.Message,
            Does.Contain("SLURM_ARRAY_TASK_ID='x' is not an integer"));
    }

    [Test]
    public void KubernetesIndexedJobsNeedACount()
    {
        Assert.That(ShardSpec.Resolve(null, 8, Env(("JOB_COMPLETION_INDEX", "7"))), Is.EqualTo(new ShardSpec(7, 8, "JOB_COMPLETION_INDEX")));
        Assert.That(ShardSpec.Resolve(null, null, Env(("JOB_COMPLETION_INDEX", "0"), ("HYBRID_SHARD_COUNT", "2"))),
            Is.EqualTo(new ShardSpec(0, 2, "JOB_COMPLETION_INDEX")));
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, null, Env(("JOB_COMPLETION_INDEX", "0"))))!.Message,
            Does.Contain("--shards N or set HYBRID_SHARD_COUNT"));
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, 4, Env(("JOB_COMPLETION_INDEX", "4"))))!.Message,
            Does.Contain("shard 4 does not exist"));
    }

    [Test]
    public void WithoutAnythingTheWholeSweepRuns()
    {
        Assert.That(ShardSpec.Resolve(null, null, Env()), Is.EqualTo(ShardSpec.Whole));
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve(null, 4, Env()))!.Message, Does.Contain("needs JOB_COMPLETION_INDEX"));
        Assert.That(Assert.Throws<ArgumentException>(() => ShardSpec.Resolve("0/2", 2, Env()))!.Message, Does.Contain("not both"));
    }
}
