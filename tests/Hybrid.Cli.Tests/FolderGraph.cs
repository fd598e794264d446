using System.Text.RegularExpressions;

namespace Hybrid.Cli.Tests;

/// <summary>
/// Which folder of a project references which, read from the C# sources: a folder is a namespace's first three
/// parts (<c>Hybrid.Training.Lns</c>); a file references folder F when, outside comments and strings, it names F's
/// namespace (<c>using Hybrid.Training.Optimizers;</c>, <c>Hybrid.Training.Optimizers.Madam</c>) or, from inside
/// the same project, one of F's types through F's last part (<c>Optimizers.Madam</c>, which C# resolves from the
/// enclosing namespace). A project's root namespace (<c>Hybrid.Training</c>) is a node too, but a folder may use
/// its types without naming it (C# looks in enclosing namespaces), so only the references that name it are edges.
/// </summary>
public sealed partial class FolderGraph
{
    /// <summary>Folder → the folders it references (never itself).</summary>
    public Dictionary<string, HashSet<string>> Edges { get; } = new(StringComparer.Ordinal);

    /// <summary>The repository root: the first folder above the tests that holds Hybrid.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Hybrid.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("no Hybrid.sln above " + TestContext.CurrentContext.TestDirectory);
    }

    /// <summary>Reads every .cs file under <paramref name="sourceRoot"/> (bin and obj left out).</summary>
    public static FolderGraph Read(string sourceRoot)
    {
        var files = Directory.EnumerateFiles(sourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .Select(f => Code(File.ReadAllText(f)))
            .Select(code => (Code: code, Namespace: NamespaceRegex().Match(code) is { Success: true } m ? m.Groups[1].Value : null))
            .Where(f => f.Namespace is not null && f.Namespace.StartsWith("Hybrid.", StringComparison.Ordinal))
            .ToList();
        var graph = new FolderGraph();
        var types = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (code, ns) in files)
        {
            string folder = Folder(ns!);
            graph.Edges.TryAdd(folder, []);
            if (!types.TryGetValue(folder, out var set)) types[folder] = set = new(StringComparer.Ordinal);
            foreach (Match m in TypeRegex().Matches(code)) set.Add(m.Groups[1].Value);
        }
        foreach (var (code, ns) in files)
        {
            string from = Folder(ns!), project = Project(ns!);
            foreach (Match m in QualifiedRegex().Matches(code))
            {
                string target = Folder(m.Value);
                if (!graph.Edges.ContainsKey(target)) target = Project(m.Value); // a type of a root namespace
                if (target != from && graph.Edges.ContainsKey(target)) graph.Edges[from].Add(target);
            }
            foreach (Match m in PartialRegex().Matches(code))
            {
                string target = project + "." + m.Groups[1].Value;
                if (target != from && types.TryGetValue(target, out var declared) && declared.Contains(m.Groups[2].Value))
                    graph.Edges[from].Add(target);
            }
        }
        return graph;
    }

    /// <summary>The strongly connected components of more than one folder (Tarjan), each sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<IReadOnlyList<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Edges.GetValueOrDefault(v) ?? [])
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) found.Add(component.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var v in Edges.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(v)) Visit(v);
        return found;
    }

    private static string Folder(string ns) => string.Join('.', ns.Split('.').Take(3));

    private static string Project(string ns) => string.Join('.', ns.Split('.').Take(2));

    // comments, then raw, verbatim, regular and character literals, replaced by nothing
    private static string Code(string source) => LiteralRegex().Replace(source, m => m.Value.StartsWith('/') ? " " : "\"\"");

    [GeneratedRegex("""/\*[\s\S]*?\*/|//[^\n]*|"{3,}[\s\S]*?"{3,}|@"(?:[^"]|"")*"|\$?"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)+'""")]
    private static partial Regex LiteralRegex();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceRegex();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>,\s\[\]?]+?)\s+([A-Z]\w*)")]
    private static partial Regex TypeRegex();

    [GeneratedRegex(@"\bHybrid\.\w+(?:\.\w+)?")]
    private static partial Regex QualifiedRegex();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.([A-Z]\w*)\b")]
    private static partial Regex PartialRegex();
}
