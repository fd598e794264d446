namespace Hybrid.Training.Data;

/// <summary>A data set together with a sentence saying which one it is and why it was chosen.</summary>
/// <param name="Data">The data set (the caller owns and disposes it).</param>
/// <param name="Note">For the user, e.g. "Fashion-MNIST not installed (…): using the synthetic teacher task instead".</param>
/// <param name="IsFallback">True when the requested or default data set was unavailable and a synthetic task was used.</param>
public sealed record ResolvedDataSet(DataSet Data, string Note, bool IsFallback);

/// <summary>
/// Chooses the data set of a run: an MNIST-format folder given by the user, else Fashion-MNIST
/// from the Debian package <c>dataset-fashion-mnist</c>, else (only when no folder was given and
/// that package is missing) the synthetic teacher task — saying so in words.
/// </summary>
public static class DataSets
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs Fashion-MNIST.</summary>
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>How to install the default data set, for messages.</summary>
    public const string FashionMnistInstallHint = "apt-get install dataset-fashion-mnist";

    /// <summary>Whether the default Fashion-MNIST folder is installed (all four files present).</summary>
    public static bool FashionMnistInstalled => MnistFormat.IsMnistFolder(FashionMnistFolder);

    /// <summary>Loads Fashion-MNIST from <see cref="FashionMnistFolder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">It is not installed (the message says how to install it).</exception>
    public static DataSet FashionMnist(DataOptions? options = null)
    {
        if (!Directory.Exists(FashionMnistFolder))
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST is not installed: {FashionMnistFolder} does not exist ({FashionMnistInstallHint}).");
        return MnistFormat.Load(FashionMnistFolder, options);
    }

    /// <summary>
    /// Resolves the data set of a run.
    /// <list type="bullet">
    /// <item><paramref name="dataDir"/> given: that MNIST-format folder, or an error when it is
    /// missing or invalid — an explicit request never silently falls back.</item>
    /// <item><paramref name="dataDir"/> null or empty: Fashion-MNIST from
    /// <see cref="FashionMnistFolder"/>; when that folder is missing (the package is not
    /// installed), the synthetic teacher task of <paramref name="fallback"/> with
    /// <paramref name="seed"/>, and <see cref="ResolvedDataSet.IsFallback"/> set. A folder that
    /// exists but is damaged is an error, not a reason to fall back.</item>
    /// </list>
    /// </summary>
    /// <param name="dataDir">An MNIST-format folder, or null for the default.</param>
    /// <param name="options">Flattening, class count, name.</param>
    /// <param name="fallback">The teacher task used when Fashion-MNIST is not installed (default: <see cref="TeacherOptions"/>'s defaults).</param>
    /// <param name="seed">The seed of the fallback task.</param>
    /// <param name="defaultFolder">Where to look for the default data set (tests point it elsewhere).</param>
    public static ResolvedDataSet Resolve(string? dataDir, DataOptions? options = null,
        TeacherOptions? fallback = null, long seed = 0, string defaultFolder = FashionMnistFolder)
    {
        if (!string.IsNullOrWhiteSpace(dataDir))
        {
            var data = MnistFormat.Load(dataDir, options);
            return new ResolvedDataSet(data, $"Using {data.Source}.", IsFallback: false);
        }
        if (Directory.Exists(defaultFolder))
        {
            var data = MnistFormat.Load(defaultFolder, options);
            return new ResolvedDataSet(data, $"Using {data.Source} (the default).", IsFallback: false);
        }
        var teacher = Synthetic.Teacher(fallback, seed);
        return new ResolvedDataSet(teacher,
            $"Fashion-MNIST not installed ({defaultFolder} is missing; {FashionMnistInstallHint}): " +
            $"using the synthetic teacher task instead — {teacher.Source}.", IsFallback: true);
    }
}
