namespace LamassuOps.Core.Bunker;

/// <summary>The key names of an nsecbunkerd database (Key and KeyUser), for completing -KeyName.</summary>
public static class BunkerKeyNames
{
    public static IReadOnlyList<string> Read(string path)
    {
        using var database = BunkerDatabase.OpenReadOnly(path);
        var sql = string.Join(" UNION ", new[] { "Key", "KeyUser" }.Where(database.Schema.HasTable).Select(t => $"SELECT keyName FROM \"{t}\""));
        return sql.Length == 0 ? [] : database.Query($"{sql} ORDER BY 1", r => r.GetString(0)).ToList();
    }
}
