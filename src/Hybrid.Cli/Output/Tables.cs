using Spectre.Console;

namespace Hybrid.Cli.Output;

/// <summary>
/// A table on the console: Spectre.Console's rounded table in an interactive terminal, a Markdown table
/// otherwise (a pipe, a file, CI), so that what is piped stays readable and can be pasted into a report, with
/// no box-drawing characters and no wrapping at 80 columns.
/// </summary>
public static class Tables
{
    /// <summary>Writes the table; <paramref name="right"/> marks right-aligned (numeric) columns.</summary>
    public static void Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<bool>? right = null)
    {
        if (!ConsoleProgress.Interactive)
        {
            Console.Out.Write(Markdown(header, rows, right));
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        for (int i = 0; i < header.Count; ++i)
        {
            var column = new TableColumn(Markup.Escape(header[i]));
            if (right?[i] == true) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }

    /// <summary>The table in Markdown (pipes in cells escaped).</summary>
    public static string Markdown(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<bool>? right = null)
    {
        static string Cell(string s) => s.Replace("|", "\\|").Replace('\n', ' ');
        var sb = new System.Text.StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", header.Select(Cell))).Append(" |\n");
        sb.Append('|').Append(string.Join("|", header.Select((_, i) => right?[i] == true ? "---:" : "---"))).Append("|\n");
        foreach (var row in rows) sb.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
        return sb.ToString();
    }

    /// <summary>A line of text: Spectre markup in a terminal, plain (markup removed, never wrapped) otherwise.</summary>
    public static void Line(string markup)
    {
        if (ConsoleProgress.Interactive) AnsiConsole.MarkupLine(markup);
        else Console.Out.WriteLine(Markup.Remove(markup));
    }
}
