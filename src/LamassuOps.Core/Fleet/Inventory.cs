using System.Text.Json;
using LamassuOps.Core.Lnbits;

namespace LamassuOps.Core.Fleet;

/// <summary>One key of an inventory entry as the file wrote it, with its line (1-based).</summary>
/// <param name="Value">A string, a whole number (long), a bool, null, or a list of such values.</param>
public sealed record InventoryValue(string Key, object? Value, int Line);

/// <summary>One instance of an inventory file as written, before it is checked; <paramref name="Line"/> is where it starts.</summary>
public sealed record InventoryEntry(int Line, IReadOnlyList<InventoryValue> Values);

/// <summary>
/// The inventory: <c>{ "instances": [ { "name": "atm-1", ... } ] }</c> in JSON, or the same shape as a PowerShell data
/// file (the module reads .psd1 files into <see cref="InventoryEntry"/>s and hands them to <see cref="FromEntries"/>).
/// Every key but name is optional; keys are case-insensitive. The whole file is checked before anything is returned,
/// so a bad entry imports nothing: the error names the file, the line, the instance and the key.
/// </summary>
public static class Inventory
{
    public const string NotFound = "InventoryNotFound";
    public const string Unreadable = "InventoryUnreadable";
    public const string EntryInvalid = "InventoryEntryInvalid";
    public const string DuplicateName = "InventoryDuplicateName";
    public const string NotImported = "InventoryNotImported";
    public const string InstanceNotFound = "InstanceNotFound";

    private const string Shape = "The shape is { \"instances\": [ { \"name\": \"atm-1\", \"bunkerDatabase\": \"/var/lib/nsecbunkerd/nsecbunker.db\", ... } ] } (see Get-Help Import-LamassuOpsInventory).";

    /// <summary>The keys an instance may have, spelled as in the JSON shape, with how each sets the instance read so far.</summary>
    private static readonly IReadOnlyDictionary<string, Func<EntryAt, InventoryValue, LamassuOpsInstance, LamassuOpsInstance>> Keys =
        new Dictionary<string, Func<EntryAt, InventoryValue, LamassuOpsInstance, LamassuOpsInstance>>(StringComparer.OrdinalIgnoreCase)
        {
            ["name"] = (at, v, i) => i with { Name = Name(at, v) },
            ["host"] = (at, v, i) => i with { Host = Text(at, v) },
            ["user"] = (at, v, i) => i with { User = Text(at, v) },
            ["port"] = (at, v, i) => i with { Port = Port(at, v) },
            ["bunkerDatabase"] = (at, v, i) => i with { BunkerDatabase = LiteralPath(at, v) },
            ["lnbitsDatabase"] = (at, v, i) => i with { LnbitsDatabase = Text(at, v) },
            ["lamassuDatabaseUrl"] = (at, v, i) => i with { LamassuDatabaseUrl = Text(at, v) },
            ["lamassuPackage"] = (at, v, i) => i with { LamassuPackage = Text(at, v) },
            ["lamassuWrapper"] = (at, v, i) => i with { LamassuWrapper = Text(at, v) },
            ["lamassuServiceUser"] = (at, v, i) => i with { LamassuServiceUser = Text(at, v) },
            ["tags"] = (at, v, i) => i with { Tags = Tags(at, v) },
        };

    /// <summary>Reads and checks a JSON inventory.</summary>
    public static IReadOnlyList<LamassuOpsInstance> ReadJson(string path) => FromEntries(path, JsonEntries(path, ReadBytes(path)));

    /// <summary>The file's bytes, after the checks every command makes of a path (missing, not a regular file).</summary>
    public static byte[] ReadBytes(string path)
    {
        var kind = FileStat.Of(path).Kind;
        switch (kind)
        {
            case FileKind.Regular:
                break;
            case FileKind.Missing or FileKind.ParentNotDirectory:
                throw new LamassuOpsException(NotFound, FailureKind.ObjectNotFound, $"The inventory '{path}' does not exist.", path,
                    "Give the path of your fleet.json (or fleet.psd1); Get-Help Import-LamassuOpsInventory shows its shape.");
            case FileKind.ParentAccessDenied:
                throw PathErrors.ParentAccessDenied(path);
            default:
                throw PathErrors.NotRegularFile(path, kind);
        }
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new LamassuOpsException(Unreadable, FailureKind.PermissionDenied, $"The inventory '{path}' cannot be read: {e.Message}", path,
                "Run as a user who may read it, or make it readable to this user.", e);
        }
    }

    /// <summary>Checks every entry and builds the instances; the first bad entry fails the whole inventory.</summary>
    public static IReadOnlyList<LamassuOpsInstance> FromEntries(string path, IEnumerable<InventoryEntry> entries)
    {
        var instances = new List<LamassuOpsInstance>();
        var lines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            var instance = new LamassuOpsInstance { Name = "" }; // no name yet: "name" may come after other keys
            EntryAt At(int line) => new(path, line, instance.Name.Length == 0 ? null : instance.Name);
            foreach (var value in entry.Values)
            {
                if (!Keys.TryGetValue(value.Key, out var set))
                    throw BadEntry(At(value.Line), $"has the unknown key '{value.Key}'",
                        $"The keys are {string.Join(", ", Keys.Keys)}; check its spelling.");
                instance = set(At(value.Line), value, instance);
            }
            if (instance.Name.Length == 0) throw BadEntry(At(entry.Line), "has no 'name'", "Give every instance a name: \"name\": \"atm-1\".");
            if (lines.TryGetValue(instance.Name, out var first))
                throw new LamassuOpsException(DuplicateName, FailureKind.InvalidData,
                    $"{path} line {entry.Line}: the instance name '{instance.Name}' is already used on line {first}; nothing was imported.", path,
                    "Give each instance its own name.");
            lines[instance.Name] = entry.Line;
            instances.Add(RelativeToInventory(instance, path));
        }
        return instances;
    }

    /// <summary>The instances of several files as one inventory; a name in two files is refused, as within one.</summary>
    public static IReadOnlyList<LamassuOpsInstance> Combine(IEnumerable<(string Path, IReadOnlyList<LamassuOpsInstance> Instances)> files)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var all = new List<LamassuOpsInstance>();
        foreach (var (path, instances) in files)
            foreach (var instance in instances)
            {
                if (seen.TryGetValue(instance.Name, out var other))
                    throw new LamassuOpsException(DuplicateName, FailureKind.InvalidData,
                        $"The instance name '{instance.Name}' is in both {other} and {path}; nothing was imported.", path,
                        "Give each instance its own name, or import one of the files.");
                seen[instance.Name] = path;
                all.Add(instance);
            }
        return all;
    }

    /// <summary>
    /// The instances whose name matches any of <paramref name="names"/> and that carry any of <paramref name="tags"/>
    /// (wildcards, case-insensitive; none: all). A name without wildcards that matches nothing is an error, as Get-Item's.
    /// </summary>
    public static IEnumerable<LamassuOpsInstance> Select(IReadOnlyList<LamassuOpsInstance> instances, IReadOnlyList<string>? names,
        IReadOnlyList<string>? tags)
    {
        var nameFilter = Wildcard.From(names);
        var tagFilter = Wildcard.From(tags);
        foreach (var name in names?.Where(n => !PathResolver.HasWildcard(n)) ?? [])
            if (!instances.Any(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw new LamassuOpsException(InstanceNotFound, FailureKind.ObjectNotFound,
                    $"The inventory has no instance named '{name}' (it has {string.Join(", ", instances.Select(i => i.Name).DefaultIfEmpty("none"))}).", name,
                    "Check the name (Get-LamassuOpsInstance lists them), or use a wildcard such as -Name atm-*.");
        return instances.Where(i => Wildcard.MatchesAny(nameFilter, i.Name) && (tagFilter.Count == 0 || i.Tags.Any(t => Wildcard.MatchesAny(tagFilter, t))));
    }

    /// <summary>Asked for the session's inventory when none was imported.</summary>
    public static LamassuOpsException NoneImported() => new(NotImported, FailureKind.InvalidOperation,
        "No inventory was imported in this session.", null,
        "Import one with Import-LamassuOpsInventory -Path fleet.json, or name it on the command: -Inventory fleet.json (lamassuops: --inventory fleet.json).");

    /// <summary>A file that cannot be read as an inventory at <paramref name="line"/>: bad syntax, or not the inventory's shape.</summary>
    public static LamassuOpsException NotParsable(string path, int line, string what, string? fix = null) => new(Unreadable, FailureKind.InvalidData,
        $"{path} line {line}: the inventory {what}; nothing was imported.", path, fix ?? Shape);

    private static IEnumerable<InventoryEntry> JsonEntries(string path, byte[] bytes)
    {
        var entries = new List<InventoryEntry>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw NotParsable(path, LineAt(bytes, (int)reader.TokenStartIndex), "does not start with an object");
            var sawInstances = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isInstances = reader.ValueTextEquals("instances");
                var keyLine = LineAt(bytes, (int)reader.TokenStartIndex);
                reader.Read();
                if (!isInstances)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.StartArray) throw NotParsable(path, keyLine, "has an 'instances' that is not an array");
                sawInstances = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) throw NotParsable(path, LineAt(bytes, (int)reader.TokenStartIndex), "has an instance that is not an object");
                    entries.Add(JsonEntry(ref reader, bytes));
                }
            }
            if (!sawInstances) throw NotParsable(path, 1, "has no 'instances' array");
            while (reader.Read()) { } // the rest of the document must parse too
        }
        catch (JsonException e)
        {
            throw NotParsable(path, (int)(e.LineNumber ?? 0) + 1, $"is not valid JSON ({FirstSentence(e.Message)})",
                "Fix the JSON at that line (a missing comma or quote, usually); `jq . fleet.json` shows where it breaks.");
        }
        return entries;
    }

    private static InventoryEntry JsonEntry(ref Utf8JsonReader reader, byte[] bytes)
    {
        var line = LineAt(bytes, (int)reader.TokenStartIndex);
        var values = new List<InventoryValue>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            var keyLine = LineAt(bytes, (int)reader.TokenStartIndex);
            reader.Read();
            values.Add(new InventoryValue(key, JsonValue(ref reader), keyLine));
        }
        return new InventoryEntry(line, values);
    }

    private static object? JsonValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var whole) ? whole : (object)reader.GetDouble();
            case JsonTokenType.True or JsonTokenType.False:
                return reader.GetBoolean();
            case JsonTokenType.StartArray:
                var items = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) items.Add(JsonValue(ref reader));
                return items;
            case JsonTokenType.StartObject:
                reader.Skip();
                return new Dictionary<string, object?>();
            default:
                return null;
        }
    }

    private static int LineAt(byte[] bytes, int offset) => 1 + bytes.AsSpan(0, Math.Min(offset, bytes.Length)).Count((byte)'\n');

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0].TrimEnd('.');


    private static LamassuOpsException BadEntry(EntryAt at, string what, string fix) => new(EntryInvalid, FailureKind.InvalidData,
        $"{at.Path} line {at.Line}: the instance {(at.Name is null ? "" : $"'{at.Name}' ")}{what}; nothing was imported.", at.Path, fix);

    private static string? Text(EntryAt at, InventoryValue value) => value.Value switch
    {
        null => null,
        string text when text.Length > 0 && !text.Contains('\0') => text,
        _ => throw BadEntry(at, $"has a '{value.Key}' that is not a non-empty string ({Describe(value.Value)})",
            $"Write it as a string in quotes, e.g. \"{value.Key}\": \"...\", or leave the key out."),
    };

    /// <summary>A path instances bind to -Path by (alias BunkerDatabase), so it must not hold wildcard characters.</summary>
    private static string? LiteralPath(EntryAt at, InventoryValue value) =>
        Text(at, value) is { } path && path.IndexOfAny(['*', '?', '[', ']']) >= 0
            ? throw BadEntry(at, $"has a '{value.Key}' with wildcard characters (*, ?, [ or ]): \"{path}\"",
                "Give the database's own path; an instance binds -Path of the nsecbunkerd commands, where those characters are wildcards (rename the file or directory).")
            : Text(at, value);

    private static string Name(EntryAt at, InventoryValue value)
    {
        var name = Text(at, value);
        if (name is null || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '*' or '?' or '[' or ']' or '`' or '/'))
            throw BadEntry(at, $"has the name {Describe(value.Value)}, which is empty or has spaces, wildcard characters or '/'",
                "Use letters, digits, '.', '-' and '_' (e.g. \"atm-1\"): names are matched with wildcards (-Name atm-*) and completed on the command line.");
        return name;
    }

    private static int? Port(EntryAt at, InventoryValue value) => value.Value switch
    {
        null => null,
        long port when port is >= 1 and <= 65535 => (int)port,
        _ => throw BadEntry(at, $"has the port {Describe(value.Value)}, which is no whole number from 1 to 65535",
            "Write the SSH port as a number, e.g. \"port\": 2222, or leave it out for 22."),
    };

    private static IReadOnlyList<string> Tags(EntryAt at, InventoryValue value)
    {
        IEnumerable<object?> items = value.Value switch
        {
            null => [],
            string one => [one],
            System.Collections.IEnumerable many => many.Cast<object?>(),
            _ => [value.Value],
        };
        var tags = items.ToList();
        if (tags.Any(t => t is not string { Length: > 0 }))
            throw BadEntry(at, $"has tags that are not all non-empty strings ({Describe(value.Value)})", "Write the tags as a list of strings: \"tags\": [\"eu\", \"atm\"].");
        return tags.Cast<string>().ToList();
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        bool flag => flag ? "true" : "false",
        System.Collections.IDictionary => "an object",
        System.Collections.IEnumerable many => "[" + string.Join(", ", many.Cast<object?>().Select(Describe)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Where a key of an entry is, for its error: the file, the line, and the instance's name once read.</summary>
    private sealed record EntryAt(string Path, int Line, string? Name);

    /// <summary>A local instance's relative paths are relative to the inventory's directory; a remote one's are left to its host.</summary>
    private static LamassuOpsInstance RelativeToInventory(LamassuOpsInstance instance, string inventory)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(inventory))!;
        string? Local(string? path) =>
            instance.IsLocal && path is not null && !LnbitsDatabaseLocation.IsPostgres(path) ? System.IO.Path.GetFullPath(path, directory) : path;
        return instance with
        {
            BunkerDatabase = Local(instance.BunkerDatabase), LnbitsDatabase = Local(instance.LnbitsDatabase),
            LamassuPackage = Local(instance.LamassuPackage), LamassuWrapper = Local(instance.LamassuWrapper),
        };
    }
}
