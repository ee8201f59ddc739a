using LamassuOps.Core;
using LamassuOps.Core.Bunker;
using Microsoft.Data.Sqlite;

namespace LamassuOps.Tests.Bunker;

/// <summary>Both date encodings read, compare and convert alike, in code and inside SQLite.</summary>
public sealed class BunkerDateTests
{
    private static readonly DateTimeOffset Moment = new(2026, 6, 19, 12, 58, 47, TimeSpan.Zero);

    public static TheoryData<object, DateTimeOffset> Encodings => new()
    {
        { 1781873927000L, Moment },
        { 1781873927490L, Moment.AddMilliseconds(490) },
        { 1781873927490.0, Moment.AddMilliseconds(490) },
        { "1781873927000", Moment },
        { "2026-06-19 12:58:47", Moment },
        { "2026-06-19 12:58:47.490", Moment.AddMilliseconds(490) },
        { "2026-06-19T12:58:47Z", Moment },
        { "2026-06-19T12:58:47.490Z", Moment.AddMilliseconds(490) },
        { "2026-06-19T14:58:47+02:00", Moment },
        { "2026-06-19 12:58", Moment.AddSeconds(-47) },
        { "2026-06-19", new DateTimeOffset(2026, 6, 19, 0, 0, 0, TimeSpan.Zero) },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void EveryEncodingReadsAsTheSameUtcMoment(object stored, DateTimeOffset expected)
    {
        Assert.True(BunkerDate.TryParse(stored, out var date));
        Assert.Equal(expected, date);
        Assert.Equal(TimeSpan.Zero, date!.Value.Offset);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void SqliteExpressionGivesTheSameMillisecondsAsTheCode(object stored, DateTimeOffset expected)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE TABLE t (d DATETIME); INSERT INTO t VALUES ($d); " +
                              $"SELECT {BunkerDate.SqlMilliseconds("d")}, {BunkerDate.SqlMilliseconds("d")} <= $asOf, {BunkerDate.SqlMilliseconds("d")} < $asOf FROM t";
        command.Parameters.AddWithValue("$d", stored);
        command.Parameters.AddWithValue("$asOf", BunkerDate.ToMilliseconds(expected));
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());

        Assert.Equal(BunkerDate.ToMilliseconds(expected), reader.GetInt64(0));
        Assert.True(reader.GetBoolean(1)); // an end equal to the moment has ended ...
        Assert.False(reader.GetBoolean(2)); // ... and is not before it
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("19/06/2026")]
    [InlineData("")]
    [InlineData("-5")]
    public void ValuesThatAreNoDateAreRefusedInCodeAndNullInSql(string stored)
    {
        Assert.False(BunkerDate.TryParse(stored, out _));
        var error = Assert.Throws<LamassuOpsException>(() => BunkerDate.Parse(stored, "/db", "Token 7 expiresAt"));
        Assert.Equal("BunkerDateUnreadable", error.ErrorId);
        Assert.Contains("Token 7 expiresAt", error.Message);

        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {BunkerDate.SqlMilliseconds("$d")} IS NULL";
        command.Parameters.AddWithValue("$d", stored);
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public void NullIsNoDateAndNeverEnds()
    {
        Assert.True(BunkerDate.TryParse(DBNull.Value, out var date));
        Assert.Null(date);
        Assert.Null(BunkerDate.EncodingOf(DBNull.Value));
        Assert.False(BunkerDate.HasEnded(null, Moment));
    }

    [Fact]
    public void AnEndEqualToTheMomentHasEnded()
    {
        Assert.True(BunkerDate.HasEnded(Moment, Moment));
        Assert.True(BunkerDate.HasEnded(Moment.AddMilliseconds(-1), Moment));
        Assert.False(BunkerDate.HasEnded(Moment.AddMilliseconds(1), Moment));
    }

    [Fact]
    public void EncodingsAreToldApartAndWrittenAsTheDaemonAndDefaultsWriteThem()
    {
        Assert.Equal(BunkerDateEncoding.Milliseconds, BunkerDate.EncodingOf(1781873927000L));
        Assert.Equal(BunkerDateEncoding.Milliseconds, BunkerDate.EncodingOf("1781873927000"));
        Assert.Equal(BunkerDateEncoding.Text, BunkerDate.EncodingOf("2026-06-19 12:58:47"));
        Assert.Equal("2026-06-19 12:58:47", BunkerDate.ToDatabase(Moment.AddMilliseconds(490).ToOffset(TimeSpan.FromHours(2)), BunkerDateEncoding.Text));
        Assert.Equal(1781873927490L, BunkerDate.ToDatabase(Moment.AddMilliseconds(490), BunkerDateEncoding.Milliseconds));
    }
}
