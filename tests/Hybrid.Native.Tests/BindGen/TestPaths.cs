namespace Hybrid.Native.Tests.BindGen;

/// <summary>Where the repository and the generator's fixtures are, seen from the test folder.</summary>
internal static class TestPaths
{
    /// <summary>The nearest folder at or above the test folder that holds Hybrid.sln.</summary>
    public static string RepositoryRoot => Hybrid.BindGen.RepositoryRoot.Find(TestContext.CurrentContext.TestDirectory);

    public static string Fixtures => Path.Combine(RepositoryRoot, "tests", "Hybrid.Native.Tests", "BindGen", "Fixtures");
}
