using System.Text;
using System.Text.RegularExpressions;

namespace LamassuOps.Core;

/// <summary>
/// PowerShell-style wildcard matching (* ? [abc] [a-z], backtick escapes), case-insensitive, for filters such
/// as -KeyName. Core's own so it works where PowerShell's WildcardPattern is not available.
/// </summary>
public sealed class Wildcard
{
    private readonly Regex _regex;

    public Wildcard(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex("^" + ToRegex(pattern) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Pattern { get; }

    public bool IsMatch(string? value) => value is not null && _regex.IsMatch(value);

    /// <summary>True when any pattern matches; no patterns (null or empty) match everything.</summary>
    public static bool MatchesAny(IReadOnlyCollection<Wildcard>? patterns, string? value) =>
        patterns is null || patterns.Count == 0 || patterns.Any(p => p.IsMatch(value));

    public static IReadOnlyList<Wildcard> From(IEnumerable<string>? patterns) =>
        patterns?.Select(p => new Wildcard(p)).ToList() ?? [];

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[' when pattern.IndexOf(']', i + 1) is var close && close > i + 1:
                    var set = pattern[(i + 1)..close];
                    regex.Append('[').Append(set.Replace(@"\", @"\\").Replace("^", @"\^")).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return regex.ToString();
    }
}
