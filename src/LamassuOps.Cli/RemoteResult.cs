using System.Collections;
using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LamassuOps.Cli;

/// <summary>
/// A result that came back from another host over PowerShell remoting: a deserialised object, which has no CLR type
/// of its own (its base is an empty PSCustomObject). It is written as its original type would be: the JSON line has the
/// same property names and values, and the table uses that type's view. Remoting's own PSComputerName, RunspaceId and
/// PSShowComputerName are left out, so the objects are the ones a run on that host gives. A remote result that needs
/// attention (a health row, a pairing that is not healthy) makes the exit code 1 as the local one does.
/// </summary>
[JsonConverter(typeof(PropertiesConverter))]
public sealed class RemoteResult : Core.INeedsAttention
{
    private const string Deserialized = "Deserialized.";

    private static readonly HashSet<string> RemotingProperties = new(StringComparer.OrdinalIgnoreCase) { "PSComputerName", "RunspaceId", "PSShowComputerName" };

    private RemoteResult(string typeName, Dictionary<string, object?> properties, PSObject source) =>
        (TypeName, Properties, Source) = (typeName, properties, source);

    /// <summary>The original type's full name (LamassuOps.Core.Bunker.BunkerPairing).</summary>
    public string TypeName { get; }

    /// <summary>The properties in their order, as plain values: nested objects as remote results, lists as lists, enums as their names.</summary>
    public IReadOnlyDictionary<string, object?> Properties { get; }

    /// <summary>The object as it came, for a view's script block (PowerShell reads its properties).</summary>
    public PSObject Source { get; }

    public bool NeedsAttention => Properties.GetValueOrDefault(nameof(NeedsAttention)) is true;

    /// <summary>What a pipeline output item is written as: a <see cref="RemoteResult"/> for a deserialised object, the object itself otherwise.</summary>
    public static object Of(PSObject item) => IsDeserializedObject(item) ? From(item) : item.BaseObject;

    private static RemoteResult From(PSObject item)
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in item.Properties)
            if (!RemotingProperties.Contains(property.Name)) properties[property.Name] = Plain(property.Value);
        return new RemoteResult(item.TypeNames[0][Deserialized.Length..], properties, item);
    }

    private static bool IsDeserializedObject(PSObject item) =>
        item.BaseObject is PSCustomObject && item.TypeNames.Count > 0 && item.TypeNames[0].StartsWith(Deserialized, StringComparison.Ordinal);

    private static object? Plain(object? value) => value switch
    {
        PSObject { TypeNames: [$"{Deserialized}System.DateTimeOffset", ..] } moment => DateTimeOffsetOf(moment),
        PSObject wrapped when IsDeserializedObject(wrapped) => From(wrapped),
        // An enum comes back as its number, its name kept as the object's text.
        PSObject { BaseObject: ValueType } wrapped when wrapped.TypeNames.Count > 0
            && wrapped.TypeNames[0].StartsWith(Deserialized, StringComparison.Ordinal) => wrapped.ToString(),
        PSObject wrapped => Plain(wrapped.BaseObject),
        string or null => value,
        IDictionary dictionary => dictionary.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => Plain(dictionary[k])),
        IEnumerable items => items.Cast<object?>().Select(Plain).ToList(),
        _ => value,
    };

    /// <summary>A DateTimeOffset comes back as a property bag; its UTC ticks and offset are the moment.</summary>
    private static DateTimeOffset DateTimeOffsetOf(PSObject moment) =>
        new DateTimeOffset(LanguagePrimitives.ConvertTo<long>(moment.Properties["UtcTicks"].Value), TimeSpan.Zero)
            .ToOffset(LanguagePrimitives.ConvertTo<TimeSpan>(moment.Properties["Offset"].Value));

    /// <summary>In JSON, a remote result is its properties.</summary>
    private sealed class PropertiesConverter : JsonConverter<RemoteResult>
    {
        public override RemoteResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, RemoteResult value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Properties, options);
    }
}
