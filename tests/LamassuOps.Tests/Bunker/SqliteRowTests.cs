using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using LamassuOps.Tests.Fixtures.Bunker;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Bunker;

/// <summary>
/// <see cref="SqliteRow"/> reads columns with SQLite's own functions, and every Bunker read goes through it: each value
/// of every storage class must read as Microsoft.Data.Sqlite's reader reads it, parameters must bind by name, and a
/// query left early must let go of its statement (and so of its read lock).
/// </summary>
public sealed class SqliteRowTests : IDisposable
{
    private readonly ScratchDirectory _dir = new();
    private readonly string _path;

    public SqliteRowTests()
    {
        _path = _dir.File("nsecbunker.db");
        BunkerFixture.Create(_path);
        SqliteShell.Query(_path, """
            CREATE TABLE Mixed (v);
            INSERT INTO Mixed VALUES (NULL), (0), (-1), (1), (7), (-9223372036854775808), (9223372036854775807),
              (1.5), (-0.0), (1e300), (''), ('ascii'), ('ünïcødé ✓ 🚀'), ('123'), ('12.5x'), ('2024-01-15 09:30:00'),
              (x''), (x'00ff41'), (CAST('text as blob' AS BLOB));
            """);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryValueReadsAsSqliteDataReaderReadsIt()
    {
        const string sql = "SELECT v, typeof(v) FROM Mixed ORDER BY rowid";
        using var database = BunkerDatabase.OpenReadOnly(_path);
        var ours = database.Query(sql, Describe).ToList();

        using var connection = new SqliteConnection($"Data Source={_path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var theirs = new List<string>();
        while (reader.Read()) theirs.Add(Describe(reader));

        Assert.Equal(19, ours.Count);
        Assert.Equal(theirs, ours);
        Assert.Contains(ours, line => line.Contains("ünïcødé ✓ 🚀", StringComparison.Ordinal));
    }

    [Fact]
    public void ParametersBindByNameWhateverTheirPrefix()
    {
        using var database = BunkerDatabase.OpenReadOnly(_path);

        var row = database.Query("SELECT $long, @text, :nothing, $blob, $double, $flag, $int, typeof(:nothing)",
            r => string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))),
            default, ("$flag", true), ("@text", "ünï"), ("$long", long.MaxValue), (":nothing", null), ("$blob", new byte[] { 65, 66 }),
            ("$double", 2.25), ("$int", 42)).Single();

        Assert.Equal("9223372036854775807|ünï||System.Byte[]|2.25|1|42|null", row);
    }

    [Fact]
    public void ColumnNamesAreTheResultsNames()
    {
        using var database = BunkerDatabase.OpenReadOnly(_path);

        var names = database.Query("SELECT v AS value, typeof(v) FROM Mixed LIMIT 1",
            r => string.Join(",", Enumerable.Range(0, r.FieldCount).Select(r.GetName))).Single();

        Assert.Equal("value,typeof(v)", names);
    }

    [Fact]
    public void AParameterTheSqlNamesButNobodyGaveIsRefused()
    {
        using var database = BunkerDatabase.OpenReadOnly(_path);

        var error = Assert.Throws<ArgumentException>(() => database.Query("SELECT $given, $forgotten", r => 0, default, ("$given", 1)).ToList());

        Assert.Contains("$forgotten", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreThanOneStatementIsRefusedBeforeAnyRuns()
    {
        using var database = BunkerDatabase.OpenReadOnly(_path);

        Assert.Throws<ArgumentException>(() => database.Query("SELECT 1; SELECT 2", r => r.GetInt64(0)).ToList());
    }

    [Fact]
    public void SqliteErrorsBecomeTheDatabasesOperatorErrors()
    {
        using var database = BunkerDatabase.OpenReadOnly(_path);

        var error = Assert.Throws<LamassuOpsException>(() => database.Query("SELECT missingColumn FROM Token", r => r.GetString(0)).ToList());

        Assert.Equal(BunkerErrors.SchemaUnreadable, error.ErrorId);
        Assert.Contains("no such column: missingColumn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AQueryLeftEarlyLetsGoOfItsReadLock()
    {
        using var database = BunkerDatabase.OpenReadOnly(_path);
        var first = database.Query("SELECT v FROM Mixed ORDER BY rowid", r => r.IsDBNull(0)).First();

        // In rollback-journal mode an unfinished read statement holds a SHARED lock, which would refuse this commit.
        using var writer = new SqliteConnection($"Data Source={_path};Pooling=false;Default Timeout=1");
        writer.Open();
        using var insert = writer.CreateCommand();
        insert.CommandText = "PRAGMA busy_timeout = 0; INSERT INTO Mixed VALUES ('written after');";
        insert.ExecuteNonQuery();

        Assert.True(first);
        Assert.Equal("1", SqliteShell.Query(_path, "SELECT count(*) FROM Mixed WHERE v = 'written after'"));
    }

    /// <summary>Every accessor of the current row, or the exception's type where it throws.</summary>
    private static string Describe(SqliteRow row) =>
        Describe(row.IsDBNull(0), () => row.GetValue(0), () => row.GetString(0), () => row.GetInt64(0), () => row.GetDouble(0),
            () => row.GetBoolean(0), () => row.GetBlob(0), row.GetString(1));

    private static string Describe(SqliteDataReader reader) =>
        Describe(reader.IsDBNull(0), () => reader.GetValue(0), () => reader.GetString(0), () => reader.GetInt64(0),
            () => reader.GetDouble(0), () => reader.GetBoolean(0), () => reader.GetFieldValue<byte[]>(0), reader.GetString(1));

    private static string Describe(bool isNull, Func<object> value, Func<string> text, Func<long> integer, Func<double> real,
        Func<bool> flag, Func<byte[]> blob, string storage) =>
        string.Join(" | ", storage, isNull.ToString(), Try(() => $"{value().GetType().Name} {Show(value())}"), Try(text),
            Try(() => integer().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Try(() => real().ToString("R", System.Globalization.CultureInfo.InvariantCulture)), Try(() => flag().ToString()),
            Try(() => Convert.ToHexString(blob())));

    private static string Show(object value) => value is byte[] bytes ? Convert.ToHexString(bytes)
        : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static string Try(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }
}
