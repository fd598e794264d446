using System.Runtime.Intrinsics.X86;
using Hybrid.Native;
using Hybrid.Native.Interop;

namespace Hybrid.Native.Tests.Safe;

/// <summary>
/// libhybrid's CPU kernels run the widest SIMD level this CPU has: a build or dispatcher that
/// silently fell back to the scalar reference (a wrong compile flag, a failed CPU check) would
/// pass every cross-check and lose the speed; these tests fail instead.
/// </summary>
public class SimdDispatchTests
{
    private static bool Forced => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HYBRID_SIMD"));

    [Test]
    public void TheBestLevelIsTheWidestTheCpuRuns()
    {
        if (!(Avx2.IsSupported || Avx512F.IsSupported)) Assert.Ignore("not an x86-64 CPU with AVX2");
        var best = CpuKernels.BestSimd;
        Assert.That(best, Is.GreaterThanOrEqualTo(HybSimdLevel.Avx2), "the CPU has AVX2, libhybrid's best level is below it");
        bool avx512 = Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported;
        Assert.That(best, Is.EqualTo(avx512 ? HybSimdLevel.Avx512 : HybSimdLevel.Avx2));
    }

    [Test]
    public void WithoutHybridSimdTheKernelsStartAtTheBestLevel()
    {
        if (Forced) Assert.Ignore("HYBRID_SIMD is set in this process");
        // the level libhybrid chose at load, read before any test could force another
        Assert.That(SimdAtLoad.Level, Is.EqualTo(CpuKernels.BestSimd));
        if (Avx2.IsSupported) Assert.That(SimdAtLoad.Level, Is.Not.EqualTo(HybSimdLevel.Scalar), "silently scalar on an AVX2 CPU");
    }

    [Test]
    public void EveryLevelUpToTheBestCanBeForcedAndNoneBeyond()
    {
        var before = CpuKernels.Simd;
        try
        {
            foreach (var level in new[] { HybSimdLevel.Scalar, HybSimdLevel.Avx2, HybSimdLevel.Avx512 })
            {
                if (level <= CpuKernels.BestSimd)
                {
                    CpuKernels.Simd = level;
                    Assert.That(CpuKernels.Simd, Is.EqualTo(level));
                }
                else
                {
                    var ex = Assert.Throws<HybridArgumentException>(() => CpuKernels.Simd = level);
                    Assert.That(ex!.Message, Does.Contain("cannot run here"));
                }
            }
            Assert.Throws<HybridArgumentException>(() => CpuKernels.Simd = (HybSimdLevel)42);
        }
        finally { CpuKernels.Simd = before; }
    }
}

/// <summary>Reads the SIMD level libhybrid chose at load before any test of this namespace runs.</summary>
[SetUpFixture]
public class SimdAtLoad
{
    /// <summary>The level at load.</summary>
    public static HybSimdLevel Level { get; private set; }

    /// <summary>Reads it.</summary>
    [OneTimeSetUp]
    public void Read()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HYBRID_SIMD"))) Level = CpuKernels.Simd;
    }
}
