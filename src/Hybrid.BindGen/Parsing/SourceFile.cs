using System.Text;

namespace Hybrid.BindGen.Parsing;

/// <summary>
/// A header's bytes, for what libclang does not give us reliably: the comment that documents
/// an item, the text of an extent, and whether two declarations sit on consecutive lines.
/// Offsets are byte offsets, as libclang reports them.
/// </summary>
/// <remarks>
/// Why not clang_Cursor_getRawCommentText: without -fparse-all-comments it returns only
/// /** */ and /// comments, and our headers use plain ones. With it (checked on libclang
/// 22.1.8) it gets most cases right, but attaches a comment to every later enumerator up to
/// the next ';' '{' '}' (a comment above one enumerator documents the ones after it too),
/// and it knows nothing of macros. So the rules
/// are applied here, on the source text, the same for every kind of item:
/// a leading comment ends on the line just before the item and starts its own line (so it
/// is not another line's trailing comment); otherwise a trailing comment starts on the
/// item's last line, after only ',' ';' and blanks.
/// </remarks>
internal sealed class SourceFile
{
    private readonly byte[] bytes;

    public SourceFile(string path)
    {
        Path = path;
        bytes = File.ReadAllBytes(path);
    }

    public string Path { get; }

    /// <summary>The text of [start, end), with runs of whitespace collapsed to one space.</summary>
    public string Text(int start, int end)
    {
        var text = Encoding.UTF8.GetString(bytes, start, end - start);
        return string.Join(' ', text.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The documentation of an item spanning [start, end): its leading comment, else its trailing one.</summary>
    public IReadOnlyList<string> Doc(int start, int end) => CommentLines(LeadingComment(start) ?? TrailingComment(end));

    /// <summary>The /* */ or // comment that documents a declaration starting at <paramref name="start"/>, or null.</summary>
    public string? LeadingComment(int start)
    {
        var end = start;
        var newlines = 0;
        while (end > 0 && IsBlank(bytes[end - 1]))
        {
            newlines += bytes[end - 1] == '\n' ? 1 : 0;
            end--;
        }
        if (newlines != 1)
        {
            return null; // on the same line as something else, or separated by a blank line
        }

        if (end >= 2 && bytes[end - 2] == '*' && bytes[end - 1] == '/')
        {
            var open = LastIndexOf("/*"u8, end - 2);
            return open >= 0 && StartsLine(open) ? Encoding.UTF8.GetString(bytes, open, end - open) : null;
        }

        // A run of // lines, each starting its own line.
        var first = -1;
        var lineStart = LineStart(end);
        while (true)
        {
            var slashes = SkipSpaces(lineStart);
            if (slashes + 1 >= bytes.Length || bytes[slashes] != '/' || bytes[slashes + 1] != '/')
            {
                break;
            }
            first = slashes;
            if (lineStart == 0)
            {
                break;
            }
            lineStart = LineStart(lineStart - 1);
        }
        return first >= 0 ? Encoding.UTF8.GetString(bytes, first, end - first) : null;
    }

    /// <summary>The comment after a declaration ending at <paramref name="end"/>, on the same line, or null.</summary>
    public string? TrailingComment(int end)
    {
        var i = end;
        while (i < bytes.Length && (bytes[i] is (byte)' ' or (byte)'\t' or (byte)',' or (byte)';'))
        {
            i++;
        }
        if (i + 1 >= bytes.Length || bytes[i] != '/')
        {
            return null;
        }
        if (bytes[i + 1] == '*')
        {
            var close = IndexOf("*/"u8, i + 2);
            return close < 0 ? null : Encoding.UTF8.GetString(bytes, i, close + 2 - i);
        }
        if (bytes[i + 1] == '/')
        {
            var lineEnd = Array.IndexOf(bytes, (byte)'\n', i);
            return Encoding.UTF8.GetString(bytes, i, (lineEnd < 0 ? bytes.Length : lineEnd) - i);
        }
        return null;
    }

    /// <summary>
    /// True when a declaration starting at <paramref name="start"/> is on the line right after
    /// one ending at <paramref name="previousEnd"/> (only ';' and blanks between): the two
    /// form one group that shares the first one's comment.
    /// </summary>
    public bool DirectlyFollows(int previousEnd, int start)
    {
        if (previousEnd > start)
        {
            return false;
        }
        var newlines = 0;
        for (var i = previousEnd; i < start; i++)
        {
            if (bytes[i] == '\n')
            {
                newlines++;
            }
            else if (!IsBlank(bytes[i]) && bytes[i] != ';')
            {
                return false;
            }
        }
        return newlines == 1;
    }

    /// <summary>
    /// A raw comment as documentation lines: the comment markers, a leading " * " on
    /// continuation lines and the common indentation are removed; blank edges are dropped.
    /// </summary>
    public static IReadOnlyList<string> CommentLines(string? raw)
    {
        if (raw is null)
        {
            return [];
        }

        var lines = new List<string>();
        foreach (var rawLine in raw.Replace("\r\n", "\n").Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith("/*", StringComparison.Ordinal))
            {
                line = rawLine.TrimStart()[2..].TrimStart('*');
            }
            else if (line.StartsWith("//", StringComparison.Ordinal))
            {
                line = line.TrimStart('/');
            }
            else if (line.StartsWith('*') && !line.StartsWith("*/", StringComparison.Ordinal))
            {
                line = rawLine.TrimStart()[1..];
            }
            else
            {
                line = rawLine;
            }

            if (line.TrimEnd().EndsWith("*/", StringComparison.Ordinal))
            {
                line = line.TrimEnd()[..^2];
            }
            lines.Add(line.TrimEnd());
        }

        var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        var result = lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()).ToList();
        while (result.Count > 0 && result[0].Length == 0)
        {
            result.RemoveAt(0);
        }
        while (result.Count > 0 && result[^1].Length == 0)
        {
            result.RemoveAt(result.Count - 1);
        }
        return result;
    }

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private bool StartsLine(int position)
    {
        for (var i = position - 1; i >= 0 && bytes[i] != '\n'; i--)
        {
            if (!IsBlank(bytes[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The offset where the line holding <paramref name="position"/> starts.</summary>
    public int LineStart(int position)
    {
        var i = Math.Min(position, bytes.Length);
        while (i > 0 && bytes[i - 1] != '\n')
        {
            i--;
        }
        return i;
    }

    private int SkipSpaces(int position)
    {
        while (position < bytes.Length && bytes[position] is (byte)' ' or (byte)'\t')
        {
            position++;
        }
        return position;
    }

    private int IndexOf(ReadOnlySpan<byte> value, int from)
    {
        var found = bytes.AsSpan(from).IndexOf(value);
        return found < 0 ? -1 : from + found;
    }

    private int LastIndexOf(ReadOnlySpan<byte> value, int before) => bytes.AsSpan(0, before).LastIndexOf(value);
}
