using System.Text;

namespace LamassuOps.Core.Postgres;

/// <summary>Options of ConvertFrom-PostgresUrl.</summary>
public sealed class PostgresUrlOptions
{
    public required string Url { get; init; }

    public bool IncludeSecret { get; init; }

    /// <summary>Where PGHOST, PGPORT, PGUSER and PGDATABASE defaults come from; the process environment when null.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>The user name libpq and Npgsql fall back to; the effective OS user when null.</summary>
    public string? OperatingSystemUser { get; init; }
}

/// <summary>
/// Parses PostgreSQL connection URLs the way libpq does (postgres:// and postgresql://, percent-encoded parts,
/// query parameters overriding URI parts, a rooted host = socket directory) plus node-postgres's socket: form,
/// and refuses the URLs on which libpq and node-postgres (what lamassu uses) would silently do something else.
/// </summary>
public static class PostgresUrl
{
    /// <summary>libpq's connection keywords (PostgreSQL 15) plus node-postgres's ssl.</summary>
    private static readonly HashSet<string> KnownParameters =
    [
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding", "connect_timeout",
        "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
        "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication", "sslmode",
        "sslcompression", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni",
        "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version", "gssencmode", "krbsrvname", "gsslib",
        "service", "target_session_attrs", "ssl",
    ];

    public static PostgresConnectionInfo Convert(PostgresUrlOptions options, IOperationHost host)
    {
        var endpoint = Parse(options.Url, host, options.Environment, options.OperatingSystemUser);
        var unmapped = new List<string>();
        var npgsql = endpoint.ToNpgsqlConnectionString(maskSecrets: !options.IncludeSecret, unmapped);
        foreach (var name in unmapped)
            host.WriteWarning($"The URL parameter '{name}' has no Npgsql equivalent and is not in NpgsqlConnectionString.");
        return new PostgresConnectionInfo
        {
            Url = options.IncludeSecret ? options.Url : MaskUrl(options.Url),
            Host = endpoint.Host,
            Port = endpoint.Port,
            Username = endpoint.Username,
            Password = options.IncludeSecret ? endpoint.Password : Secret.MaskPassword(endpoint.Password),
            Database = endpoint.Database,
            IsUnixSocket = endpoint.IsUnixSocket,
            SocketPath = endpoint.SocketPath,
            Defaulted = endpoint.Defaulted,
            Parameters = endpoint.Parameters.Select(p => new PostgresUrlParameter
            {
                Name = p.Key,
                Value = !options.IncludeSecret && PostgresEndpoint.IsSecretParameter(p.Key) ? Secret.MaskPassword(p.Value)! : p.Value,
            }).ToList(),
            NpgsqlConnectionString = npgsql,
        };
    }

    /// <summary>
    /// The endpoint a URL names, every default resolved (PGHOST/PGPORT/PGUSER/PGDATABASE, then the client
    /// defaults). Failures are <see cref="LamassuOpsException"/>s whose message never contains the URL's password.
    /// </summary>
    public static PostgresEndpoint Parse(string url, IOperationHost host,
        IReadOnlyDictionary<string, string?>? environment = null, string? operatingSystemUser = null)
    {
        var parts = SplitUrl(url);
        RefuseUndefinedParts(parts);
        return Resolve(parts, host, environment ?? ProcessEnvironment(), operatingSystemUser ?? System.Environment.UserName);
    }

    /// <summary>
    /// Whether <paramref name="text"/> is a libpq key=value connection string (<c>host=/run/postgresql dbname=lnbits</c>):
    /// it starts with a keyword and '=' (spaces allowed). A path never does unless it is a bare relative file name such
    /// as <c>host=x</c>; the connection string wins, and such a file is named <c>./host=x</c>.
    /// </summary>
    public static bool IsConnectionString(string text) => KeywordStart.IsMatch(text);

    /// <summary>
    /// The endpoint a libpq key=value connection string names, resolved as a URL's is (<see cref="Parse"/>): the same
    /// defaults, the same checks. Only libpq reads this form (node-postgres does not), so the lamassu cmdlets take URLs.
    /// Failures are <see cref="LamassuOpsException"/>s whose message never contains the password.
    /// </summary>
    public static PostgresEndpoint ParseConnectionString(string connectionString, IOperationHost host,
        IReadOnlyDictionary<string, string?>? environment = null, string? operatingSystemUser = null)
    {
        var parts = SplitConnectionString(connectionString);
        RefuseUndefinedParts(parts);
        return Resolve(parts, host, environment ?? ProcessEnvironment(), operatingSystemUser ?? System.Environment.UserName);
    }

    /// <summary>The URL with its password (userinfo or ?password=) masked, for display.</summary>
    public static string MaskUrl(string url) => Mask(url, SplitUrl) ?? "(unparsable URL)";

    /// <summary>The key=value connection string with its password (and sslpassword) masked, for display.</summary>
    public static string MaskConnectionString(string connectionString) =>
        Mask(connectionString, SplitConnectionString) ?? "(unparsable connection string)";

    private static string? Mask(string text, Func<string, UrlParts> split)
    {
        try
        {
            var parts = split(text);
            var masked = new StringBuilder(text);
            foreach (var (start, length) in parts.SecretRanges.OrderByDescending(r => r.Start))
                masked.Remove(start, length).Insert(start, Secret.MaskPassword(text.Substring(start, length))!);
            return masked.ToString();
        }
        catch (LamassuOpsException)
        {
            return null;
        }
    }

    private static readonly System.Text.RegularExpressions.Regex KeywordStart =
        new(@"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Splits <c>keyword = value</c> pairs as libpq's conninfo_parse does: whitespace between pairs and around '=';
    /// a value in single quotes may hold spaces; a backslash escapes the next character (\' and \\). Unlike a URL
    /// query, an unknown keyword is an error, as psql would report it; a keyword given twice, the last one counts.
    /// </summary>
    private static UrlParts SplitConnectionString(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid("PostgresUrlEmpty", "The connection string is empty.");
        var parts = new UrlParts { IsKeywordForm = true };
        var position = 0;
        while (true)
        {
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
            if (position == text.Length) return parts;
            var keywordStart = position;
            while (position < text.Length && text[position] != '=' && !char.IsWhiteSpace(text[position])) position++;
            var keyword = text[keywordStart..position];
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
            if (position == text.Length || text[position] != '=')
                throw InvalidConnectionString($"'{keyword}' has no '=value' after it");
            position++;
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
            var valueStart = position;
            var value = ConnectionStringValue(text, ref position, keyword);
            if (!KnownParameters.Contains(keyword) || keyword == "ssl")
                throw new LamassuOpsException("PostgresConnectionStringUnknownKeyword", FailureKind.InvalidArgument,
                    $"'{keyword}' is not a libpq connection keyword, so this is not a connection string libpq (or psql) would accept.", keyword,
                    "Use libpq's keywords (host, port, dbname, user, sslmode, ...: https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-PARAMKEYWORDS). " +
                    "A file whose name starts with a word and '=' is named with its directory: ./" + keyword + "=...");
            if (PostgresEndpoint.IsSecretParameter(keyword) && position > valueStart) parts.SecretRanges.Add((valueStart, position - valueStart));
            switch (keyword)
            {
                case "host": parts.Host = value; break;
                case "port": parts.Port = value; break;
                case "user": parts.User = value; break;
                case "password": parts.Password = value.Length > 0 ? value : null; break;
                case "dbname": parts.Database = value; break;
                default: parts.Query.Add(new(keyword, value)); break;
            }
        }
    }

    /// <summary>A value from <paramref name="position"/>, quoted or not, unescaped; <paramref name="position"/> ends past it.</summary>
    private static string ConnectionStringValue(string text, ref int position, string keyword)
    {
        var quoted = position < text.Length && text[position] == '\'';
        if (quoted) position++;
        var value = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position];
            if (quoted ? c == '\'' : char.IsWhiteSpace(c)) break;
            if (c == '\\' && position + 1 < text.Length) c = text[++position];
            value.Append(c);
            position++;
        }
        if (quoted)
        {
            // The value is not shown: it may be a password.
            if (position == text.Length) throw InvalidConnectionString($"the quoted value of '{keyword}' has no closing quote");
            position++;
        }
        return value.ToString();
    }

    private static LamassuOpsException InvalidConnectionString(string what) => new("PostgresConnectionStringInvalid", FailureKind.InvalidArgument,
        $"The connection string cannot be read: {what}.", null,
        "Write it as libpq does: keyword=value pairs separated by spaces, a value with spaces in single quotes (host=/run/postgresql dbname=lnbits user=lnbits), " +
        "or give a postgresql:// URL.");

    /// <summary>The raw parts of a URL: decoded values, null where the URL has none.</summary>
    private sealed class UrlParts
    {
        public bool IsSocketForm { get; init; }
        public bool IsKeywordForm { get; init; }
        public string? User { get; set; }
        public string? Password { get; set; }
        public string? Host { get; set; }
        public string? Port { get; set; }
        public string? Database { get; set; }
        public string? RawPath { get; set; }
        public List<KeyValuePair<string, string>> Query { get; } = [];
        public List<(int Start, int Length)> SecretRanges { get; } = [];
    }

    private static UrlParts SplitUrl(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
            throw Invalid("PostgresUrlEmpty", "The connection URL is empty.");
        if (url.Contains('#'))
            throw Invalid("PostgresUrlInvalid",
                "The URL contains '#': node-postgres reads it as the start of a fragment and drops the rest. Percent-encode it as %23.");
        if (url.StartsWith("socket:", StringComparison.OrdinalIgnoreCase))
            return SplitSocketForm(url);

        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd < 0 ? "" : url[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("postgres" or "postgresql"))
            throw Invalid("PostgresUrlInvalidScheme",
                url.StartsWith('/')
                    ? "A bare path is not a connection URL. For a socket directory use postgresql:///DATABASE?host=/run/postgresql or socket:/run/postgresql?db=DATABASE."
                    : "A PostgreSQL URL starts with postgresql:// or postgres:// (or socket: for node-postgres's socket form).");

        var parts = new UrlParts();
        var position = schemeEnd + 3;

        // userinfo: up to '@', like libpq (which scans to '@' or '/').
        var authorityEnd = IndexOfAny(url, position, '/', '?');
        RefuseSplitUserinfo(url, authorityEnd);
        var at = url.LastIndexOf('@', authorityEnd - 1, authorityEnd - position);
        if (at >= position && url.IndexOf('@', position, at - position) >= 0)
            throw Invalid("PostgresUrlAmbiguousUserinfo",
                "The URL's user name or password holds an unencoded '@': libpq ends the userinfo at the first '@' and node-postgres at the last, " +
                "so they would connect as different users or to different hosts. Percent-encode each '@' inside the user name or password as %40.");
        if (at >= position)
        {
            var colon = url.IndexOf(':', position, at - position);
            var userEnd = colon < 0 ? at : colon;
            parts.User = DecodeOrNull(url, position, userEnd);
            if (colon >= 0)
            {
                // An empty password ("user:@host", lamassu's template with POSTGRES_PASSWORD empty) is none, as for libpq and node-postgres.
                parts.Password = at > colon + 1 ? Decode(url, colon + 1, at, "password") : null;
                if (at > colon + 1) parts.SecretRanges.Add((colon + 1, at - colon - 1));
            }
            position = at + 1;
        }

        // host[:port]
        int hostEnd;
        if (position < url.Length && url[position] == '[')
        {
            var close = url.IndexOf(']', position);
            if (close < 0 || close > authorityEnd)
                throw Invalid("PostgresUrlInvalid", "The URL has an IPv6 host without its closing ']'.");
            parts.Host = url[(position + 1)..close];
            hostEnd = close + 1;
        }
        else
        {
            hostEnd = IndexOfAny(url, position, ':', '/', '?', ',');
            parts.Host = DecodeOrNull(url, position, hostEnd);
        }
        if (hostEnd < url.Length && url[hostEnd] == ',' && hostEnd < authorityEnd)
            throw Invalid("PostgresUrlMultipleHosts",
                "The URL lists several hosts. libpq would try them in turn; node-postgres (lamassu's client) does not support host lists. Give one host.");
        position = hostEnd;
        if (position < url.Length && url[position] == ':')
        {
            var portEnd = IndexOfAny(url, position + 1, '/', '?', ',');
            parts.Port = DecodeOrNull(url, position + 1, portEnd);
            position = portEnd;
        }
        if (position < url.Length && url[position] == ',')
            throw Invalid("PostgresUrlMultipleHosts",
                "The URL lists several hosts. libpq would try them in turn; node-postgres (lamassu's client) does not support host lists. Give one host.");

        // /database
        if (position < url.Length && url[position] == '/')
        {
            var pathEnd = IndexOfAny(url, position + 1, '?');
            parts.RawPath = url[(position + 1)..pathEnd];
            parts.Database = DecodeOrNull(url, position + 1, pathEnd);
            position = pathEnd;
        }

        if (position < url.Length && url[position] == '?')
            SplitQuery(url, position + 1, parts);
        return parts;
    }

    /// <summary>
    /// An '@' after the host part, outside any query value, means a user name or password with an unencoded '/', '?'
    /// or '#' cut the URL in the wrong place. Refused without echoing anything: the pieces would be the password's.
    /// </summary>
    private static void RefuseSplitUserinfo(string url, int authorityEnd)
    {
        var at = url.IndexOf('@', authorityEnd);
        if (at < 0 || url.AsSpan(authorityEnd, at - authorityEnd).IndexOfAny('=', '&') >= 0) return;
        throw Invalid("PostgresUrlInvalid",
            "The URL has an '@' after its host part: a user name or password with an unencoded '/', '?' or '#'. " +
            "Percent-encode them (%2F, %3F, %23).");
    }

    /// <summary>node-postgres's socket:/directory?db=NAME&amp;user=NAME form.</summary>
    private static UrlParts SplitSocketForm(string url)
    {
        var queryStart = IndexOfAny(url, "socket:".Length, '?');
        var pathStart = "socket:".Length;
        if (url.AsSpan(pathStart).StartsWith("//")) pathStart += 2;
        var parts = new UrlParts { IsSocketForm = true, Host = DecodeOrNull(url, pathStart, queryStart) };
        if (parts.Host is null || !parts.Host.StartsWith('/'))
            throw Invalid("PostgresUrlInvalid", "The socket: form needs a rooted socket directory: socket:/run/postgresql?db=DATABASE.");
        if (queryStart < url.Length) SplitQuery(url, queryStart + 1, parts);
        return parts;
    }

    private static void SplitQuery(string url, int start, UrlParts parts)
    {
        var position = start;
        while (position <= url.Length)
        {
            var end = IndexOfAny(url, position, '&');
            if (end > position)
            {
                var equals = url.IndexOf('=', position, end - position);
                if (equals < 0)
                    throw Invalid("PostgresUrlInvalid", "A URL query parameter has no '=value'.");
                var name = Decode(url, position, equals, "query");
                var value = Decode(url, equals + 1, end, "query");
                if (PostgresEndpoint.IsSecretParameter(name) && end > equals + 1) parts.SecretRanges.Add((equals + 1, end - equals - 1));
                parts.Query.Add(new(name, value));
            }
            position = end + 1;
        }
    }

    private const string UnparsableEffect = "fail to parse the URL at all (a non-numeric port: 'Invalid URL' or a TypeError, by version)";

    private static void RefuseUndefinedParts(UrlParts parts)
    {
        var undefined = new List<(string Part, string Variable, string Effect)>();
        void Check(string? value, string part, string variable, string effect)
        {
            if (value == "undefined") undefined.Add((part, variable, effect));
        }
        Check(parts.User, "user", "POSTGRES_USER", "log in as a role named 'undefined'");
        Check(parts.Password, "password", "POSTGRES_PASSWORD", "send the password 'undefined' when the server asks for one");
        Check(parts.Host, "host", "POSTGRES_HOST", "look up a host named 'undefined' over TCP and fail (ENOTFOUND)");
        Check(parts.Port, "port", "POSTGRES_PORT", UnparsableEffect);
        Check(parts.Database, "database", "POSTGRES_DB", "ask for a database named 'undefined'");
        if (undefined.Count == 0) return;

        var effect = undefined.Any(u => u.Part == "port")
            ? UnparsableEffect
            : string.Join("; ", undefined.Select(u => u.Effect));
        throw new LamassuOpsException("PostgresUrlUndefinedPart", FailureKind.InvalidArgument,
            $"The URL's {string.Join(", ", undefined.Select(u => u.Part))} {(undefined.Count == 1 ? "is" : "are")} the text 'undefined': " +
            $"lamassu built it from {string.Join(", ", undefined.Select(u => u.Variable))}, which {(undefined.Count == 1 ? "is" : "are")} not set. " +
            $"node-postgres would {effect}.",
            string.Join(",", undefined.Select(u => u.Variable)),
            $"Set {string.Join(", ", undefined.Select(u => u.Variable))} in the service environment (New-LamassuEnvWrapper writes every variable lamassu reads).");
    }

    private static PostgresEndpoint Resolve(UrlParts parts, IOperationHost host,
        IReadOnlyDictionary<string, string?> environment, string operatingSystemUser)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        string? hostValue = parts.Host, port = parts.Port, user = parts.User, password = parts.Password, database = parts.Database;
        var hostFromQuery = false;
        foreach (var (name, value) in parts.Query)
        {
            switch (parts.IsSocketForm ? SocketFormName(name) : name)
            {
                case "host":
                    if (!string.IsNullOrEmpty(parts.Host) && parts.Host != value)
                        host.WriteWarning($"?host={value} overrides the URL's host '{parts.Host}' (libpq and node-postgres both use the query parameter).");
                    hostValue = value;
                    hostFromQuery = true;
                    break;
                case "port":
                    host.WriteWarning($"pg-connection-string before 2.6.0 (pg before 8.11) ignores ?port= and uses 5432; to be read alike everywhere, put the port in the authority: postgresql://USER@localhost:{value}/DATABASE?host=DIRECTORY.");
                    port = value;
                    break;
                case "user": user = value; break;
                case "password": password = value.Length > 0 ? value : null; break;
                case "dbname":
                    if (!parts.IsSocketForm)
                        host.WriteWarning("?dbname= is honoured by libpq but ignored by node-postgres (lamassu's client); put the database in the URL path.");
                    database = value;
                    break;
                case "ssl":
                    // libpq treats ssl=true as sslmode=require, as node-postgres turns on TLS.
                    if (value is "true" or "1") parameters.Add(new("sslmode", "require"));
                    break;
                default:
                    if (!KnownParameters.Contains(name))
                        host.WriteWarning($"'{name}' is not a libpq connection parameter: psql would refuse this URL, node-postgres passes it through.");
                    parameters.Add(new(name, value));
                    break;
            }
        }

        if (!hostFromQuery && parts.RawPath is { } path && path.Contains('/'))
            throw new LamassuOpsException("PostgresUrlUnencodedSocketPath", FailureKind.InvalidArgument,
                $"The URL path '/{path}' looks like an unencoded socket directory: a slash cannot stand in the host part of a URL. " +
                $"node-postgres would connect to {(string.IsNullOrEmpty(parts.Host) ? "localhost" : parts.Host)} over TCP and ask for the database '{parts.Database}'; " +
                "libpq would use its default socket with that database name.",
                path,
                "Percent-encode the directory as the host (postgres://USER@%2Frun%2Fpostgresql:5432/DATABASE) or pass it as a parameter (postgresql://USER@/DATABASE?host=/run/postgresql).");

        var defaulted = new List<string>();
        if (string.IsNullOrEmpty(hostValue))
        {
            hostValue = NonEmpty(environment, "PGHOST");
            if (hostValue is null)
            {
                hostValue = PostgresEndpoint.DefaultSocketDirectory;
                if (!parts.IsSocketForm && !parts.IsKeywordForm)
                    host.WriteWarning($"The URL names no host: libpq uses its default socket directory ({hostValue}), but node-postgres (lamassu's client) connects to localhost over TCP. Add ?host={hostValue} to mean the socket for both.");
            }
            defaulted.Add("Host");
        }

        int portNumber;
        if (string.IsNullOrEmpty(port))
        {
            port = NonEmpty(environment, "PGPORT") ?? PostgresEndpoint.DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            defaulted.Add("Port");
        }
        if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out portNumber)
            || portNumber is < 1 or > 65535)
            // The value is shown only when it is digits: anything else may be a piece of a mistyped password.
            throw Invalid("PostgresUrlInvalidPort",
                $"The port {(port.All(char.IsAsciiDigit) ? $"'{port}' " : "")}is not a number from 1 to 65535.");

        if (string.IsNullOrEmpty(user))
        {
            user = NonEmpty(environment, "PGUSER") ?? operatingSystemUser;
            defaulted.Add("Username");
        }
        if (string.IsNullOrEmpty(database))
        {
            database = NonEmpty(environment, "PGDATABASE") ?? user;
            defaulted.Add("Database");
        }
        return new PostgresEndpoint(hostValue, portNumber, user, password, database, parameters, defaulted);
    }

    /// <summary>The socket: form names the database db= and the encoding encoding=.</summary>
    private static string SocketFormName(string name) => name switch
    {
        "db" => "dbname",
        "encoding" => "client_encoding",
        _ => name,
    };

    private static string? NonEmpty(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);

    private static int IndexOfAny(string text, int start, params char[] stops)
    {
        if (start >= text.Length) return text.Length;
        var index = text.IndexOfAny(stops, start);
        return index < 0 ? text.Length : index;
    }

    private static string? DecodeOrNull(string text, int start, int end) =>
        end > start ? Decode(text, start, end, "URL") : null;

    /// <summary>Percent-decodes like libpq: %XX to a byte (the bytes are UTF-8), '+' stays '+', %00 and bad escapes refused.</summary>
    private static string Decode(string text, int start, int end, string part)
    {
        var bytes = new List<byte>(end - start);
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, char.IsHighSurrogate(c) && i + 1 < end ? 2 : 1)));
                if (char.IsHighSurrogate(c)) i++;
                continue;
            }
            if (!IsHex(text, i + 1, end) || !IsHex(text, i + 2, end))
                throw Invalid("PostgresUrlInvalid", $"The {part} part has an invalid percent-encoding at '{Excerpt(text, i, end, part)}'.");
            var value = System.Convert.ToByte(text.Substring(i + 1, 2), 16);
            if (value == 0)
                throw Invalid("PostgresUrlInvalid", $"The {part} part contains %00, which no PostgreSQL client accepts.");
            bytes.Add(value);
            i += 2;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(string text, int index, int end) => index < end && Uri.IsHexDigit(text[index]);

    /// <summary>A few characters around a bad escape, never from a password.</summary>
    private static string Excerpt(string text, int index, int end, string part) =>
        part == "password" ? "%…" : text.Substring(index, Math.Min(3, end - index));

    private static LamassuOpsException Invalid(string errorId, string message) =>
        new(errorId, FailureKind.InvalidArgument, message, null,
            "Write it as postgresql://ROLE@/DATABASE?host=/run/postgresql (peer authentication over the socket) or " +
            "postgresql://ROLE:PASSWORD@HOST:PORT/DATABASE, with reserved characters in the password percent-encoded.");
}
