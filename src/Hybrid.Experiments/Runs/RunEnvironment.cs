using System.Reflection;
using System.Runtime.InteropServices;
using Hybrid.Synapse.Backends;
using Hybrid.Training;
using TorchSharp;

namespace Hybrid.Experiments.Runs;

/// <summary>Where a run ran: versions, build flags, CPU/GPU identity, which synapse backends could run
/// (summary.json's "environment", and what <c>hybrid info</c> shows). <paramref name="OmpWaitPolicy"/>: the OpenMP wait policy
/// libtorch's threads run under (<see cref="ThreadPolicy"/>; null: unset).</summary>
public sealed record RunEnvironment(string Hybrid, string DotNet, string Os, string Cpu, int LogicalCpus,
    string TorchSharp, string LibTorch, int TorchThreads, bool CudaAvailable, NativeBuild? Native, string Machine,
    IReadOnlyList<BackendStatus> Backends, string TorchRuntimeDetail, string? OmpWaitPolicy = null)
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
        TorchRuntime.Available ? TorchRuntime.Detail : "unavailable: " + TorchRuntime.Detail,
        ThreadPolicy.EffectiveWaitPolicy);

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

    /// <summary>What a result depends on beyond its configuration (issue 22 item 15): versions of Hybrid, TorchSharp,
    /// libtorch and libhybrid, libtorch's and libhybrid's thread counts, the SIMD level libhybrid's kernels use, and the
    /// CPU. Keys as in summary.json's <c>environment</c>.</summary>
    public SortedDictionary<string, string> Determinants() => new(StringComparer.Ordinal)
    {
        ["hybrid"] = Hybrid,
        ["torchSharp"] = TorchSharp,
        ["libTorch"] = LibTorch,
        ["torchThreads"] = TorchThreads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["native.version"] = Native?.Version ?? "none",
        ["native.simd"] = Native?.Simd ?? "none",
        ["native.threads"] = Native?.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
        ["cpu"] = Cpu,
    };

    /// <summary>The determinants recorded in <paramref name="folder"/>'s <paramref name="file"/> (its <paramref name="key"/>
    /// object, or the whole file) that differ from this process's; none when the file is absent. The file is read through
    /// the folder, so its checksum is verified.</summary>
    public static List<string> Differences(RunFolder folder, string file, string? key = null)
    {
        if (!folder.Has(file)) return [];
        var json = System.Text.Json.Nodes.JsonNode.Parse(folder.ReadText(file), documentOptions: global::Hybrid.Synapse.Files.RegularFile.StrictJson);
        return Differences(key is null ? json : json?[key], Capture());
    }

    /// <summary>The determinants recorded in a summary.json's <c>environment</c> that differ from <paramref name="now"/>'s,
    /// each as "key: recorded in the run, now" (a key the record lacks is not compared).</summary>
    public static List<string> Differences(System.Text.Json.Nodes.JsonNode? recorded, RunEnvironment now)
    {
        var diffs = new List<string>();
        if (recorded is not System.Text.Json.Nodes.JsonObject env) return diffs;
        foreach (var (key, value) in now.Determinants())
        {
            System.Text.Json.Nodes.JsonNode? node = env;
            foreach (var part in key.Split('.')) node = node is System.Text.Json.Nodes.JsonObject o ? o[part] : null;
            if (node is not System.Text.Json.Nodes.JsonValue v) continue;
            string was = v.TryGetValue(out string? text) ? text : v.ToJsonString();
            if (was != value) diffs.Add($"{key}: {was} in the run, {value} now");
        }
        return diffs;
    }
}
