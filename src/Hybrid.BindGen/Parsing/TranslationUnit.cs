using System.Diagnostics;
using System.Runtime.InteropServices;
using Hybrid.BindGen.Clang;
using static Hybrid.BindGen.Clang.LibClang;

namespace Hybrid.BindGen.Parsing;

/// <summary>A position in a file, as an absolute path, a byte offset and a 1-based line.</summary>
internal readonly record struct SourcePosition(string File, int Offset, int Line);

/// <summary>
/// One parsed entry header (libclang index + translation unit), with the detailed
/// preprocessing record so that macro definitions are visible. Any error diagnostic is a
/// failure: the generator never works from a header clang could not compile.
/// </summary>
internal sealed unsafe class TranslationUnit : IDisposable
{
    private readonly string entryHeader;
    private nint index;
    private nint unit;

    private TranslationUnit(string entryHeader, nint index, nint unit)
    {
        this.entryHeader = entryHeader;
        this.index = index;
        this.unit = unit;
    }

    public CXCursor Cursor => clang_getTranslationUnitCursor(unit);

    public static TranslationUnit Parse(string entryHeader, IReadOnlyList<string> arguments)
    {
        LibClangLoader.EnsureLoaded();
        var index = clang_createIndex(0, 0);
        var utf8 = new List<nint>();
        try
        {
            var argv = stackalloc byte*[arguments.Count];
            for (var i = 0; i < arguments.Count; i++)
            {
                utf8.Add(Marshal.StringToCoTaskMemUTF8(arguments[i]));
                argv[i] = (byte*)utf8[^1];
            }
            var file = Marshal.StringToCoTaskMemUTF8(entryHeader);
            utf8.Add(file);

            nint unit;
            var error = clang_parseTranslationUnit2(
                index, (byte*)file, argv, arguments.Count, null, 0,
                CXTranslationUnitFlags.DetailedPreprocessingRecord, &unit);
            if (error != CXErrorCode.Success)
            {
                clang_disposeIndex(index);
                throw new BindGenException(
                    $"libclang could not parse {entryHeader} ({error}); arguments: {string.Join(' ', arguments)}");
            }

            var result = new TranslationUnit(entryHeader, index, unit);
            try
            {
                result.ThrowOnErrors(entryHeader, arguments);
            }
            catch
            {
                result.Dispose();
                throw;
            }
            return result;
        }
        finally
        {
            foreach (var p in utf8)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>
    /// The entry header, then every file in the order the preprocessor first entered it
    /// (from the inclusion directives of the preprocessing record).
    /// </summary>
    public IReadOnlyList<string> FilesInIncludeOrder()
    {
        var files = new List<string> { Path.GetFullPath(entryHeader) };
        var seen = new HashSet<string>(files, StringComparer.Ordinal);
        foreach (var cursor in Children(Cursor))
        {
            if (clang_getCursorKind(cursor) == CXCursorKind.InclusionDirective
                && FilePath(clang_getIncludedFile(cursor)) is { Length: > 0 } file && seen.Add(file))
            {
                files.Add(file);
            }
        }
        return files;
    }

    /// <summary>Where a location is, after macro expansion (HYB_API int f() starts at HYB_API).</summary>
    public static SourcePosition Position(CXSourceLocation location)
    {
        nint file;
        uint line, column, offset;
        clang_getExpansionLocation(location, &file, &line, &column, &offset);
        return new SourcePosition(FilePath(file), (int)offset, (int)line);
    }

    /// <summary>A CXFile's absolute path ("" for none).</summary>
    public static string FilePath(nint file) => file == 0 ? string.Empty : Path.GetFullPath(Take(clang_getFileName(file)));

    public static (SourcePosition Start, SourcePosition End) Extent(CXCursor cursor)
    {
        var range = clang_getCursorExtent(cursor);
        return (Position(clang_getRangeStart(range)), Position(clang_getRangeEnd(range)));
    }

    /// <summary>The tokens of a cursor's extent (a macro definition: its name, then its body).</summary>
    public List<(CXTokenKind Kind, string Spelling)> Tokens(CXCursor cursor)
    {
        CXToken* tokens;
        uint count;
        clang_tokenize(unit, clang_getCursorExtent(cursor), &tokens, &count);
        try
        {
            var result = new List<(CXTokenKind, string)>((int)count);
            for (var i = 0; i < count; i++)
            {
                result.Add((clang_getTokenKind(tokens[i]), Take(clang_getTokenSpelling(unit, tokens[i]))));
            }
            return result;
        }
        finally
        {
            if (tokens != null)
            {
                clang_disposeTokens(unit, tokens, count);
            }
        }
    }

    public void Dispose()
    {
        if (unit != 0)
        {
            clang_disposeTranslationUnit(unit);
            unit = 0;
        }
        if (index != 0)
        {
            clang_disposeIndex(index);
            index = 0;
        }
    }

    private void ThrowOnErrors(string entryHeader, IReadOnlyList<string> arguments)
    {
        var errors = new List<string>();
        var all = new List<string>();
        var count = clang_getNumDiagnostics(unit);
        for (uint i = 0; i < count; i++)
        {
            var diagnostic = clang_getDiagnostic(unit, i);
            try
            {
                var severity = clang_getDiagnosticSeverity(diagnostic);
                var text = Take(clang_formatDiagnostic(
                    diagnostic, CXDiagnosticDisplayOptions.SourceLocation | CXDiagnosticDisplayOptions.Column));
                if (severity >= CXDiagnosticSeverity.Warning)
                {
                    all.Add(text);
                }
                if (severity >= CXDiagnosticSeverity.Error)
                {
                    errors.Add(text);
                }
            }
            finally
            {
                clang_disposeDiagnostic(diagnostic);
            }
        }

        if (errors.Count > 0)
        {
            var hint = all.Any(d => d.Contains("file not found", StringComparison.Ordinal))
                ? "\nA system header was not found: libclang's NuGet runtime has no builtin headers, so the " +
                  "generator passes -isystem $(gcc -print-file-name=include); is gcc installed?"
                : string.Empty;
            throw new BindGenException(
                $"clang reported {errors.Count} error(s) parsing {entryHeader}:\n  " +
                string.Join("\n  ", all) + hint + $"\nclang arguments: {string.Join(' ', arguments)}");
        }
    }

    /// <summary>gcc's own include folder (stddef.h, stdint.h, ...), or null without gcc.</summary>
    public static string? GccIncludeDirectory()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("gcc", "-print-file-name=include")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && Path.IsPathRooted(output) && Directory.Exists(output) ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no gcc on PATH
        }
    }
}
