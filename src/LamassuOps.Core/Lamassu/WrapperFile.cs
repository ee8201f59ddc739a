using System.Text;
using System.Text.RegularExpressions;

namespace LamassuOps.Core.Lamassu;

/// <summary>
/// The variables a wrapper in place exports (export NAME=WORD lines, single- or double-quoted or bare words, as
/// New-LamassuEnvWrapper and the nix-bitcoin module write them) and the database mode they amount to.
/// </summary>
internal sealed partial class WrapperFile
{
    private WrapperFile(bool exists, IReadOnlyDictionary<string, string> exports, bool readsPasswordFile)
    {
        Exists = exists;
        Exports = exports;
        ReadsPasswordFile = readsPasswordFile;
    }

    public bool Exists { get; }

    public IReadOnlyDictionary<string, string> Exports { get; }

    private bool ReadsPasswordFile { get; }

    [GeneratedRegex(@"^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$")]
    private static partial Regex ExportLine();

    public static WrapperFile Read(string path)
    {
        var kind = FileStat.Of(path).Kind;
        if (kind == FileKind.Missing) return new WrapperFile(false, new Dictionary<string, string>(), false);
        if (kind == FileKind.ParentAccessDenied) throw PathErrors.ParentAccessDenied(path);
        if (kind != FileKind.Regular) throw PathErrors.NotRegularFile(path, kind);
        var text = File.ReadAllText(path);
        var exports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
            if (ExportLine().Match(line) is { Success: true } match && Word(match.Groups[2].Value) is { } value)
                exports[match.Groups[1].Value] = value;
        return new WrapperFile(true, exports, text.Contains("password_file=", StringComparison.Ordinal));
    }

    /// <summary>DATABASE_URL, a %2F socket host, a password over TCP; null when it sets no database variable.</summary>
    public LamassuDatabaseMode? Mode =>
        Exports.ContainsKey("DATABASE_URL") ? LamassuDatabaseMode.DatabaseUrl
        : Exports.TryGetValue("POSTGRES_HOST", out var host) && host.StartsWith("%2F", StringComparison.OrdinalIgnoreCase) ? LamassuDatabaseMode.EncodedSocketHost
        : Exports.ContainsKey("POSTGRES_HOST") || ReadsPasswordFile ? LamassuDatabaseMode.PasswordTcp
        : null;

    public string? Export(string name) => Exports.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>One shell word without expansions: 'single', "double" (\" \\ \$ \`), bare; null when it holds an expansion.</summary>
    private static string? Word(string text)
    {
        var word = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c) || c == '#' && word.Length == 0) break;
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0) return null;
                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '$' || text[i] == '`') return null;
                    if (text[i] == '\\' && i + 1 < text.Length && "\"\\$`".Contains(text[i + 1])) i++;
                    word.Append(text[i]);
                }
                if (i >= text.Length) return null;
            }
            else if (c is '$' or '`') return null;
            else if (c == '\\' && i + 1 < text.Length) word.Append(text[++i]);
            else word.Append(c);
        }
        return word.ToString();
    }
}
