namespace Hybrid.BindGen;

/// <summary>
/// The generator could not do its job: a header is missing, libclang did not load, clang
/// reported an error, or a declaration uses something the bindings cannot express. The
/// message says which file (and line) and what to do.
/// </summary>
public sealed class BindGenException : Exception
{
    public BindGenException(string message)
        : base(message)
    {
    }

    public BindGenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
