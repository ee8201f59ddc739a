using System.Globalization;

namespace LamassuOps.Core.Bunker;

/// <summary>How a DATETIME value is stored in nsecbunker.db.</summary>
public enum BunkerDateEncoding
{
    /// <summary>INTEGER milliseconds since 1970 (or all-digit TEXT): what Prisma Client writes.</summary>
    Milliseconds,

    /// <summary>TEXT 'YYYY-MM-DD HH:MM:SS' in UTC: what a column DEFAULT CURRENT_TIMESTAMP writes.</summary>
    Text,
}

/// <summary>
/// nsecbunkerd dates. Prisma Client stores DateTime as INTEGER milliseconds; values that came from a column
/// DEFAULT (CURRENT_TIMESTAMP, e.g. rows that existed when a migration added the column) are TEXT
/// 'YYYY-MM-DD HH:MM:SS' in UTC. A TEXT value of digits only is milliseconds too. Every reading and every
/// comparison goes through here (or <see cref="SqlMilliseconds"/> in SQL) so both encodings compare alike.
/// </summary>
public static class BunkerDate
{
    private static readonly string[] TextFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd",
    ];

    /// <summary>
    /// The value of a DATETIME column as read by Microsoft.Data.Sqlite (long, double, string or DBNull), in UTC.
    /// Null for NULL. False when the value is not a date in either encoding.
    /// </summary>
    public static bool TryParse(object? value, out DateTimeOffset? date)
    {
        date = null;
        switch (value)
        {
            case null or DBNull:
                return true;
            case long milliseconds:
                return TryFromMilliseconds(milliseconds, out date);
            case double milliseconds when double.IsFinite(milliseconds):
                return TryFromMilliseconds((long)milliseconds, out date);
            case string text when IsAllDigits(text):
                return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fromText)
                    && TryFromMilliseconds(fromText, out date);
            case string text when TryParseDefaultText(text, out var fromDefault):
                date = fromDefault;
                return true;
            case string text when DateTimeOffset.TryParseExact(text.Trim(), TextFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed):
                date = parsed.ToUniversalTime();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Like <see cref="TryParse"/>, but a value that is no date is an error naming where it was found
    /// (<paramref name="where"/>, e.g. "Token 7 expiresAt"). Never returns a date in a local offset.
    /// </summary>
    public static DateTimeOffset? Parse(object? value, string path, string where)
    {
        if (TryParse(value, out var date)) return date;
        throw new LamassuOpsException(BunkerErrors.DateUnreadable, FailureKind.InvalidData,
            $"{where} in '{path}' holds '{value}', which is neither milliseconds since 1970 nor a 'YYYY-MM-DD HH:MM:SS' date.",
            path, "Correct the value with sqlite3 (after a backup), or report how it was written.");
    }

    /// <summary>How a raw column value is encoded; null for NULL.</summary>
    public static BunkerDateEncoding? EncodingOf(object? value) => value switch
    {
        null or DBNull => null,
        string text when !IsAllDigits(text) => BunkerDateEncoding.Text,
        _ => BunkerDateEncoding.Milliseconds,
    };

    /// <summary>
    /// True when something that ends at <paramref name="end"/> (an expiry, a revocation, a deletion) has ended at
    /// <paramref name="asOf"/>: an end equal to the moment counts as ended, as in the live-grant daemon.
    /// </summary>
    public static bool HasEnded(DateTimeOffset? end, DateTimeOffset asOf) => end is { } at && at <= asOf;

    public static long ToMilliseconds(DateTimeOffset date) => date.ToUnixTimeMilliseconds();

    /// <summary>The TEXT form CURRENT_TIMESTAMP writes: 'YYYY-MM-DD HH:MM:SS' in UTC (whole seconds).</summary>
    public static string ToText(DateTimeOffset date) =>
        date.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The value to store for <paramref name="date"/> in the given encoding (long or string).</summary>
    public static object ToDatabase(DateTimeOffset date, BunkerDateEncoding encoding) =>
        encoding == BunkerDateEncoding.Text ? ToText(date) : ToMilliseconds(date);

    /// <summary>
    /// An SQL expression giving <paramref name="column"/> as INTEGER milliseconds whatever its encoding (NULL for
    /// NULL or an unreadable value), for comparisons inside SQLite: <c>{SqlMilliseconds("t.expiresAt")} &lt;= $asOf</c>.
    /// <paramref name="column"/> is inserted as written: pass a column reference, never user input.
    /// </summary>
    public static string SqlMilliseconds(string column) =>
        $"(CASE typeof({column}) WHEN 'integer' THEN {column} WHEN 'real' THEN CAST({column} AS INTEGER) " +
        $"WHEN 'text' THEN (CASE WHEN {column} <> '' AND {column} NOT GLOB '*[^0-9]*' THEN CAST({column} AS INTEGER) " +
        $"ELSE CAST(round((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER) END) END)";

    private static bool TryFromMilliseconds(long milliseconds, out DateTimeOffset? date)
    {
        date = null;
        if (milliseconds < DateTimeOffset.MinValue.ToUnixTimeMilliseconds()
            || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()) return false;
        date = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }

    /// <summary>The exact form CURRENT_TIMESTAMP writes, 'YYYY-MM-DD HH:MM:SS', read without the general parser (millions of rows have it).</summary>
    private static bool TryParseDefaultText(string text, out DateTimeOffset date)
    {
        date = default;
        if (text is not [_, _, _, _, '-', _, _, '-', _, _, ' ', _, _, ':', _, _, ':', _, _]) return false;
        static bool Number(string text, int start, int length, out int value) =>
            int.TryParse(text.AsSpan(start, length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!Number(text, 0, 4, out var year) || !Number(text, 5, 2, out var month) || !Number(text, 8, 2, out var day)
            || !Number(text, 11, 2, out var hour) || !Number(text, 14, 2, out var minute) || !Number(text, 17, 2, out var second)
            || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month) || hour > 23 || minute > 59 || second > 59
            || year < 1)
            return false;
        date = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static bool IsAllDigits(string text) => text.Length > 0 && !text.AsSpan().ContainsAnyExceptInRange('0', '9');
}
