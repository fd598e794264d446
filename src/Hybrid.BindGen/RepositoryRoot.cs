namespace Hybrid.BindGen;

/// <summary>Finds the repository root: the nearest folder at or above a start folder that holds Hybrid.sln.</summary>
public static class RepositoryRoot
{
    public const string MarkerFile = "Hybrid.sln";

    /// <exception cref="BindGenException">No folder at or above <paramref name="start"/> holds Hybrid.sln.</exception>
    public static string Find(string start)
    {
        for (var directory = new DirectoryInfo(Path.GetFullPath(start)); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, MarkerFile)))
            {
                return directory.FullName;
            }
        }
        throw new BindGenException($"No {MarkerFile} in {start} or any folder above it; pass --root DIR.");
    }
}
