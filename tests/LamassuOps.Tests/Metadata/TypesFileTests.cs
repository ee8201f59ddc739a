using System.Xml.Linq;
using LamassuOps.Cli;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Metadata;

/// <summary>
/// types/LamassuOps.Types.ps1xml says how every output type crosses remoting: a serialisation depth for each cmdlet's
/// output type (nested lists come back as objects) and "serialise as the name" for every Core enum (a remote Status is
/// 'Pass', not 0). A type added without its entry would come back from a remote host in a different shape.
/// </summary>
public sealed class TypesFileTests
{
    private static Dictionary<string, XElement> Entries() =>
        XDocument.Load(RepositoryPaths.Combine("types", "LamassuOps.Types.ps1xml")).Root!.Elements("Type")
            .ToDictionary(t => t.Element("Name")!.Value, t => t.Descendants("NoteProperty").Single());

    [Fact]
    public void EveryOutputTypeHasASerialisationDepthAndEveryEnumIsSerialisedAsItsName()
    {
        var entries = Entries();
        var outputTypes = CommandCatalog.Commands.SelectMany(c => c.OutputTypes).Where(t => t.Namespace!.StartsWith("LamassuOps", StringComparison.Ordinal))
            .Select(t => t.FullName!).Distinct();
        var enums = typeof(LamassuOps.Core.LamassuOpsException).Assembly.GetExportedTypes()
            .Where(t => t.IsEnum && t.Name != nameof(LamassuOps.Core.FailureKind)).Select(t => t.FullName!);

        var problems = outputTypes.Where(t => Member(entries, t) != ("SerializationDepth", "3")).Select(t => $"{t}: no SerializationDepth 3")
            .Concat(enums.Where(t => Member(entries, t) != ("SerializationMethod", "String")).Select(t => $"{t}: no SerializationMethod String"))
            .ToList();

        Assert.True(problems.Count == 0, "types/LamassuOps.Types.ps1xml lacks:\n" + string.Join("\n", problems));
        Assert.Contains("types/LamassuOps.Types.ps1xml", File.ReadAllText(RepositoryPaths.Combine("LamassuOps.psd1")));
    }

    private static (string?, string?) Member(Dictionary<string, XElement> entries, string type) =>
        entries.TryGetValue(type, out var member) ? (member.Element("Name")?.Value, member.Element("Value")?.Value) : (null, null);
}
