using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using Hybrid.Bench.Columns;
using Hybrid.Bench.Kernels;
using Hybrid.Synapse.Backends;

namespace Hybrid.Bench;

/// <summary>
/// BenchmarkDotNet's default configuration plus Hybrid's columns (GB/s, % of copy, category),
/// artifacts under bench/artifacts, and the CUDA filter. Jobs and filters come from the command
/// line (BenchmarkSwitcher): bench/run.sh passes --job short.
/// </summary>
public static class BenchConfig
{
    /// <summary>The configuration for a run from <paramref name="repoRoot"/>.</summary>
    public static IConfig Create(string repoRoot)
    {
        var config = DefaultConfig.Instance
            .AddColumn(CategoriesColumn.Default, new BandwidthColumn(), new CopyShareColumn(), new GmacColumn())
            .WithArtifactsPath(Path.Combine(repoRoot, "bench", "artifacts"))
            .WithOption(ConfigOptions.DisableLogFile, false)
            // the generated project's build took over BenchmarkDotNet's default 2 minutes on a shared 2-core machine
            .WithBuildTimeout(TimeSpan.FromMinutes(10));
        if (!CudaAvailable())
            config = config.AddFilter(new SimpleFilter(c =>
                !Attribute.IsDefined(c.Descriptor.WorkloadMethod, typeof(RequiresCudaAttribute))));
        return config;
    }

    /// <summary>Whether the native-cuda backend can run here (a CUDA build of libhybrid and a GPU; see the hook in KernelBenchmarks).</summary>
    public static bool CudaAvailable() =>
        SynapseBackends.Describe().Any(b => b.Name == "native-cuda" && b.Available);

    /// <summary>The folder holding Hybrid.sln, searched upwards from the working directory, then from the executable.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Hybrid.sln not found above the working directory or the executable.");
    }
}
