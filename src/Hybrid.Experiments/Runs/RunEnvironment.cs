using System.Reflection;
using System.Runtime.InteropServices;
using Hybrid.Synapse.Backends;
using Hybrid.Training;
using TorchSharp;

namespace Hybrid.Experiments.Runs;

/// <summary>Where a run ran: versions, build flags, CPU/GPU identity, which synapse backends could run
/// (summary.json's "environment", and what <c>hybrid info</c> shows).</summary>
public sealed record RunEnvironment(string Hybrid, string DotNet, string Os, string Cpu, int LogicalCpus,
    string TorchSharp, string LibTorch, int TorchThreads, bool CudaAvailable, NativeBuild? Native, string Machine,
    IReadOnlyList<BackendStatus> Backends, string TorchRuntimeDetail)
{
    /// <summary>Every synapse backend's name, for options and help texts.</summary>
    public static IReadOnlyList<string> BackendNames => SynapseBackends.Names;

    /// <summary>The environment of this process.</summary>
    public static RunEnvironment Capture() => new(
        typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?",
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture,
        CpuModel(), Environment.ProcessorCount,
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
        TorchRuntime.Available ? torch.__version__ : "unavailable",
        TorchRuntime.Available ? torch.get_num_threads() : 0,
        TorchRuntime.Available && torch.cuda.is_available(),
        SynapseBackends.NativeBuildInfo(),
        Environment.MachineName,
        SynapseBackends.Describe(),
        TorchRuntime.Available ? TorchRuntime.Detail : "unavailable: " + TorchRuntime.Detail);

    /// <summary>The CPU's model name from /proc/cpuinfo, else the architecture.</summary>
    public static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
