using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Fixtures.Bunker;

/// <summary>
/// A database as an SQL script in the shape of <c>sqlite3 .dump</c>: each table's CREATE statement and its rows (values
/// with their storage class, so INTEGER and TEXT dates stay what they are), the AUTOINCREMENT counters, then the
/// indexes. Loading the script into an empty file with sqlite3 gives the same database.
/// </summary>
public static class SqlDump
{
    public static string Of(string databasePath, string header)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var script = new StringBuilder();
        foreach (var line in header.Split('\n')) script.AppendLine(line.Length == 0 ? "--" : "-- " + line);
        script.AppendLine("PRAGMA foreign_keys=OFF;").AppendLine("BEGIN TRANSACTION;");
        foreach (var (table, create) in Rows(connection, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY rowid"))
        {
            script.Append(create).AppendLine(";");
            AppendRows(connection, script, (string)table!);
        }
        if (Rows(connection, "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'").Count > 0)
        {
            script.AppendLine("DELETE FROM sqlite_sequence;");
            AppendRows(connection, script, "sqlite_sequence");
        }
        foreach (var (_, create) in Rows(connection, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid"))
            script.Append(create).AppendLine(";");
        script.AppendLine("COMMIT;");
        return script.ToString();
    }

    private static void AppendRows(SqliteConnection connection, StringBuilder script, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            script.Append("INSERT INTO \"").Append(table).Append("\" VALUES(");
            for (var i = 0; i < reader.FieldCount; i++)
                script.Append(i > 0 ? "," : "").Append(Literal(reader.GetValue(i)));
            script.AppendLine(");");
        }
    }

    private static string Literal(object value) => value switch
    {
        DBNull => "NULL",
        long number => number.ToString(CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        byte[] blob => $"X'{Convert.ToHexString(blob)}'",
        _ => "'" + Convert.ToString(value, CultureInfo.InvariantCulture)!.Replace("'", "''") + "'",
    };

    private static List<(object? First, string Second)> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<(object?, string)>();
        while (reader.Read()) rows.Add((reader.GetValue(0), reader.FieldCount > 1 ? reader.GetString(1) : ""));
        return rows;
    }
}
