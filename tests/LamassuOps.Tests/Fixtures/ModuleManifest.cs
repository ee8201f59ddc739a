using System.Text.RegularExpressions;

namespace LamassuOps.Tests.Fixtures;

/// <summary>
/// LamassuOps.psd1 read as text (no PowerShell here): top-level <c>Key = 'value'</c> and <c>Key = @('a', 'b')</c>
/// entries, which is all the manifest uses outside PrivateData.
/// </summary>
public sealed partial class ModuleManifest
{
    private readonly string _text;

    private ModuleManifest(string text) => _text = text;

    public static ModuleManifest Load() => new(File.ReadAllText(RepositoryPaths.Combine("LamassuOps.psd1")));

    public string? Value(string key) =>
        Regex.Match(_text, $@"^\s*{key}\s*=\s*'([^']*)'", RegexOptions.Multiline) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The quoted strings of an <c>@( ... )</c> entry; null when the key is absent.</summary>
    public IReadOnlyList<string>? List(string key)
    {
        var match = Regex.Match(_text, $@"^\s*{key}\s*=\s*@\(([^)]*)\)", RegexOptions.Multiline);
        return match.Success ? QuotedString().Matches(match.Groups[1].Value).Select(m => m.Groups[1].Value).ToList() : null;
    }

    public IReadOnlyList<string> CmdletsToExport => List(nameof(CmdletsToExport)) ?? [];

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex QuotedString();
}
