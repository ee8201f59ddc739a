using System.Text.Json;
using System.Text.RegularExpressions;
using LamassuOps.Core.Postgres;
using Npgsql;

namespace LamassuOps.Core.Lamassu;

/// <summary>Options of Get-LamassuMigrationStatus.</summary>
public sealed class MigrationStatusOptions
{
    public required string PackagePath { get; init; }

    /// <summary>A connection URL; when null, the socket parameters below are used.</summary>
    public string? DatabaseUrl { get; init; }

    public string SocketDirectory { get; init; } = PostgresEndpoint.DefaultSocketDirectory;

    public int Port { get; init; } = PostgresEndpoint.DefaultPort;

    /// <summary>The role; the current OS user when null.</summary>
    public string? User { get; init; }

    public string Database { get; init; } = "lamassu";
}

/// <summary>
/// Reads lamassu-migrate's state (node-migrate: table migrations, one row id = 1 holding
/// {"lastRun": ..., "migrations": [{"title": ..., "timestamp": ms or null}, ...]}) read-only and compares it with the
/// package's migrations/ folder.
/// </summary>
public static partial class MigrationStatusReader
{
    /// <summary>lamassu v12's lamassu-migrate refuses servers older than this major version.</summary>
    public const int V12MinimumServerVersion = 12;

    /// <summary>The files node-migrate runs: a number first, .js last.</summary>
    [GeneratedRegex(@"^\d+.*\.js$")]
    private static partial Regex MigrationFile();

    public static LamassuMigrationStatus Read(MigrationStatusOptions options, IOperationHost host)
    {
        var package = LamassuPackage.Open(options.PackagePath);
        if (!Directory.Exists(package.MigrationsDirectory))
            throw new LamassuOpsException("LamassuMigrationsFolderNotFound", FailureKind.ObjectNotFound,
                $"The package has no migrations folder at {package.MigrationsDirectory}.", package.MigrationsDirectory);
        var files = Directory.EnumerateFiles(package.MigrationsDirectory)
            .Select(Path.GetFileName).OfType<string>()
            .Where(name => MigrationFile().IsMatch(name))
            .ToHashSet(StringComparer.Ordinal);

        var endpoint = options.DatabaseUrl is { } url
            ? PostgresUrl.Parse(url, host)
            : PostgresEndpoint.Socket(options.SocketDirectory, options.Port, options.User ?? Environment.UserName, options.Database);
        host.WriteVerbose($"Reading lamassu's migrations table in '{endpoint.Database}' as '{endpoint.Username}' at {endpoint.SocketPath ?? endpoint.Host + ":" + endpoint.Port}.");
        // Only reads: the session refuses writes, so nothing here can change lamassu's database.
        using var connection = PostgresConnector.OpenReadOnly(endpoint, host);
        var (versionText, versionNumber) = ServerVersion(connection);
        var state = ReadState(connection);

        var minimum = package.Layout == LamassuLayout.V12Packages ? V12MinimumServerVersion : (int?)null;
        var supported = IsServerVersionSupported(versionNumber, minimum);
        if (!supported)
            host.WriteWarning($"PostgreSQL {versionText} is older than {minimum}: this lamassu's lamassu-migrate refuses to run on it.");

        var migrations = Compare(state?.Migrations ?? [], files, package);
        var pending = migrations.Count(m => m.State == LamassuMigrationState.Pending);
        var missing = migrations.Count(m => m.State == LamassuMigrationState.Missing);
        return new LamassuMigrationStatus
        {
            PackagePath = package.Root,
            Layout = package.Layout,
            Database = endpoint.Database,
            ServerVersion = versionText,
            ServerVersionNumber = versionNumber,
            MinimumServerVersion = minimum,
            ServerVersionSupported = supported,
            MigrationsTableExists = state is not null,
            LastRun = state?.LastRun,
            Applied = migrations.Count - pending - missing,
            Pending = pending,
            Missing = missing,
            UpToDate = supported && pending == 0 && missing == 0,
            Migrations = migrations,
        };
    }

    /// <summary>server_version_num against a minimum major version (null: no minimum).</summary>
    public static bool IsServerVersionSupported(int serverVersionNumber, int? minimumMajorVersion) =>
        minimumMajorVersion is not { } minimum || serverVersionNumber >= minimum * 10000;

    private static (string Text, int Number) ServerVersion(NpgsqlConnection connection) =>
        PostgresConnector.Query(connection, "SELECT current_setting('server_version'), current_setting('server_version_num')::int",
            r => (r.GetString(0), r.GetInt32(1))).Single();

    private sealed record RecordedMigration(string Title, long? Timestamp);

    private sealed record MigrationState(string? LastRun, IReadOnlyList<RecordedMigration> Migrations);

    /// <summary>The state row, or null when lamassu-migrate never ran here (no table, or no row 1).</summary>
    private static MigrationState? ReadState(NpgsqlConnection connection)
    {
        var table = PostgresConnector.Query(connection, "SELECT to_regclass('migrations') IS NOT NULL", r => r.GetBoolean(0)).Single();
        if (!table) return null;
        var data = PostgresConnector.Query(connection, "SELECT data::text FROM migrations WHERE id = 1", r => r.GetString(0)).SingleOrDefault();
        return data is null ? null : ParseState(data);
    }

    private static MigrationState ParseState(string data)
    {
        try
        {
            using var json = JsonDocument.Parse(data);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("migrations", out var list) || list.ValueKind != JsonValueKind.Array)
                throw InvalidState("it has no \"migrations\" array");
            var migrations = list.EnumerateArray().Select(entry =>
            {
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String)
                    throw InvalidState("an entry has no \"title\"");
                var timestamp = entry.TryGetProperty("timestamp", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : (long?)null;
                return new RecordedMigration(title.GetString()!, timestamp);
            }).ToList();
            var lastRun = root.TryGetProperty("lastRun", out var last) && last.ValueKind == JsonValueKind.String ? last.GetString() : null;
            return new MigrationState(lastRun, migrations);
        }
        catch (JsonException error)
        {
            throw InvalidState("it is not JSON: " + error.Message);
        }
    }

    private static LamassuOpsException InvalidState(string why) =>
        new("LamassuMigrationStateInvalid", FailureKind.InvalidData,
            $"The row id = 1 of lamassu's migrations table is not node-migrate's state: {why}.", "migrations",
            "Restore the migrations table from a backup; do not run lamassu-migrate on it as it is.");

    private static List<LamassuMigration> Compare(IReadOnlyList<RecordedMigration> recorded, HashSet<string> files, LamassuPackage package)
    {
        var byTitle = recorded.GroupBy(m => m.Title, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        return byTitle.Keys.Union(files, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(title =>
            {
                var hasFile = files.Contains(title);
                var timestamp = byTitle.TryGetValue(title, out var entry) ? entry.Timestamp : null;
                return new LamassuMigration
                {
                    Title = title,
                    State = !hasFile ? LamassuMigrationState.Missing
                        : timestamp is null ? LamassuMigrationState.Pending
                        : LamassuMigrationState.Applied,
                    AppliedAt = timestamp is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                    File = hasFile ? package.Relative(Path.Combine(package.MigrationsDirectory, title)) : null,
                };
            })
            .ToList();
    }
}
