using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using LamassuOps.Core.Postgres;
using Npgsql;

namespace LamassuOps.Core.Lamassu;

/// <summary>What the probe saw: lamassu's own URL through the package's node-postgres, run through the wrapper as the service user.</summary>
public sealed class PeerProbeResult
{
    /// <summary>Identifies a passing probe of this process, for Disable-LamassuPasswordLogin; null when it failed.</summary>
    public string? ProbeId { get; init; }

    public required bool Passed { get; init; }

    public required string OperatingSystemUser { get; init; }

    /// <summary>current_user as the server reported it; null when not connected.</summary>
    public string? AuthenticatedUser { get; init; }

    public bool? OverSocket { get; init; }

    /// <summary>Where node-postgres connected (the socket directory, or what it made of the URL's host).</summary>
    public string? Host { get; init; }

    public required PeerAuthDiagnosis Diagnosis { get; init; }

    public string? Message { get; init; }

    public string? Fix { get; init; }
}

/// <summary>
/// Runs `WRAPPER node -e PROBE` as the service's OS user (runuser when this is root): the probe loads lamassu's
/// constants.js for its PSQL_URL, exactly the URL lamassu builds, and connects with the pg that lamassu's server code
/// resolves; it passes when the server reports the role over the Unix socket and the URL carried no password.
/// </summary>
public static class PeerProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The probes of this process that passed: what Disable-LamassuPasswordLogin accepts as evidence.</summary>
    private static readonly ConcurrentDictionary<string, (string Role, string Database, string SocketDirectory, int Port)> Passed = new();

    private const string Script = """
        'use strict'
        const path = require('path')
        const server = process.argv[1]
        const out = (result) => process.stdout.write(JSON.stringify(result))
        let url
        try { url = require(path.join(server, 'lib', 'constants.js')).PSQL_URL } catch (error) { out({ ok: false, stage: 'constants', message: String(error && error.message) }); process.exit(1) }
        let client
        try { client = new (require(require.resolve('pg', { paths: [server] })).Client)({ connectionString: url }) } catch (error) { out({ ok: false, stage: 'pg', message: String(error && error.message) }); process.exit(1) }
        const seen = { host: String(client.host), port: Number(client.port), hasPassword: typeof client.password === 'string' && client.password.length > 0 }
        client.connect()
          .then(() => client.query('SELECT current_user AS "user", inet_client_addr() IS NULL AS "overSocket"'))
          .then((result) => { out({ ok: true, ...seen, ...result.rows[0] }); return client.end() })
          .catch((error) => { out({ ok: false, stage: 'connect', ...seen, code: error.code || null, address: error.address || null, message: String(error && error.message) }); process.exit(1) })
        """;

    public static PeerProbeResult Run(string wrapperPath, LamassuPackage package, string serviceUser, PostgresEndpoint endpoint, IOperationHost host)
    {
        host.WriteVerbose($"Probing {wrapperPath} as OS user '{serviceUser}': lamassu's PSQL_URL through the package's node-postgres.");
        var output = RunAs(serviceUser, [wrapperPath, "node", "-e", Script, package.ServerDirectory], host);
        var result = Read(output, serviceUser, endpoint);
        if (result.Passed) Passed[result.ProbeId!] = (endpoint.Username, endpoint.Database, endpoint.Host, endpoint.Port);
        return result;
    }

    /// <summary>Whether this id is a passing probe of this process for the same role, database and server.</summary>
    public static bool IsPassed(string? probeId, PostgresEndpoint endpoint) =>
        probeId is not null && Passed.TryGetValue(probeId, out var probe)
                            && probe == (endpoint.Username, endpoint.Database, endpoint.Host, endpoint.Port);

    private static (int ExitCode, string Stdout, string Stderr) RunAs(string user, IReadOnlyList<string> command, IOperationHost host)
    {
        var asOther = user != Environment.UserName;
        var start = new ProcessStartInfo
        {
            FileName = asOther ? "runuser" : command[0],
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asOther) foreach (var arg in new[] { "-u", user, "--", command[0] }) start.ArgumentList.Add(arg);
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        // The service's environment, not ours: no PG* variables or a password may help the probe along.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal) || k.StartsWith("POSTGRES_", StringComparison.Ordinal) || k == "DATABASE_URL").ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(host.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(host.CancellationToken);
        try
        {
            if (!process.WaitForExitAsync(host.CancellationToken).Wait(Timeout))
                throw new LamassuOpsException("PeerProbeTimeout", FailureKind.OperationStopped,
                    $"The probe through {command[0]} did not finish in {Timeout.TotalSeconds} s.", command[0],
                    "Check that PostgreSQL answers (Test-PeerAuth) and that the wrapper runs by hand: runuser -u USER -- WRAPPER node --version.");
        }
        catch (AggregateException error) when (error.InnerException is OperationCanceledException cancelled)
        {
            throw cancelled;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static PeerProbeResult Read((int ExitCode, string Stdout, string Stderr) output, string serviceUser, PostgresEndpoint endpoint)
    {
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(output.Stdout).RootElement;
        }
        catch (JsonException)
        {
            // The wrapper itself failed (set -e, a missing node, a permission): its own words say why.
            var stderr = output.Stderr.Trim();
            return Failed(serviceUser, null, new PeerAuthFailure(PeerAuthDiagnosis.ConnectionFailed,
                $"The wrapper did not run the probe (exit {output.ExitCode}): {(stderr.Length > 0 ? stderr : "no output")}",
                $"Run it by hand as the service user to see why: runuser -u {serviceUser} -- WRAPPER node --version."));
        }
        var host = String(json, "host");
        if (json.GetProperty("ok").GetBoolean())
        {
            var user = String(json, "user");
            var overSocket = json.GetProperty("overSocket").GetBoolean();
            var hasPassword = json.GetProperty("hasPassword").GetBoolean();
            var failure = !overSocket
                ? new PeerAuthFailure(PeerAuthDiagnosis.NotOverSocket,
                    $"lamassu's URL connected over TCP ({host}), where peer authentication does not apply.",
                    "Write the wrapper in a peer mode (DatabaseUrl or EncodedSocketHost): the socket directory as the host.")
                : hasPassword
                    ? new PeerAuthFailure(PeerAuthDiagnosis.PasswordRequested,
                        "lamassu's URL still carries a password: without it the service might not log in.",
                        "Write the wrapper in a peer mode: POSTGRES_PASSWORD empty, or DATABASE_URL without a password.")
                    : user != endpoint.Username
                        ? new PeerAuthFailure(PeerAuthDiagnosis.PeerMismatch,
                            $"lamassu logged in as '{user}', not as '{endpoint.Username}'.", "Give the wrapper the role the service should use.")
                        : null;
            return failure is null
                ? new PeerProbeResult
                {
                    ProbeId = Guid.NewGuid().ToString("N"), Passed = true, OperatingSystemUser = serviceUser, AuthenticatedUser = user,
                    OverSocket = true, Host = host, Diagnosis = PeerAuthDiagnosis.None,
                }
                : Failed(serviceUser, host, failure, user, overSocket);
        }
        return Failed(serviceUser, host, Diagnose(json, host, serviceUser, endpoint));
    }

    /// <summary>node-postgres's error as Test-PeerAuth diagnoses it: SQLSTATE from the server, errno from the socket.</summary>
    private static PeerAuthFailure Diagnose(JsonElement json, string? host, string serviceUser, PostgresEndpoint endpoint)
    {
        var message = String(json, "message") ?? "";
        var code = String(json, "code");
        if (String(json, "stage") is "constants" or "pg")
            return new PeerAuthFailure(PeerAuthDiagnosis.ConnectionFailed,
                $"The probe could not load lamassu's {(String(json, "stage") == "pg" ? "node-postgres (pg)" : "lib/constants.js")} as lamassu does: {message}",
                "Check the package path and that the wrapper's NODE_PATH and cd lead to the package.");
        if (host != endpoint.Host || json.TryGetProperty("port", out var port) && port.GetInt32() != endpoint.Port)
            return new PeerAuthFailure(PeerAuthDiagnosis.UrlMisread,
                $"lamassu's node-postgres read the URL as host '{host}' port {(json.TryGetProperty("port", out var p) ? p.ToString() : "?")}, not the socket {endpoint.SocketPath} ({message}): " +
                $"its pg-connection-string is older than {PeerAuthReadinessReader.EncodedSocketHostVersion} and reads '%2F...:PORT' as one directory.",
                "Apply the DATABASE_URL patch to the package (constants.js and typesafe-db) and use -Mode DatabaseUrl, or update pg to 8.11+ (pg-connection-string 2.6.0+).");
        Exception error = code switch
        {
            { Length: 5 } sqlState when sqlState.All(char.IsAsciiLetterOrDigit) =>
                new PostgresException(message, "FATAL", "FATAL", sqlState),
            "EACCES" => new NpgsqlException(message, new SocketException((int)SocketError.AccessDenied)),
            "ECONNREFUSED" => new NpgsqlException(message, new SocketException((int)SocketError.ConnectionRefused)),
            "ENOENT" => new NpgsqlException(message, new SocketException((int)SocketError.AddressNotAvailable)),
            _ when message.Contains("password", StringComparison.OrdinalIgnoreCase) => new NpgsqlException("No password has been provided"),
            _ => new NpgsqlException(message),
        };
        return PeerAuthFailure.FromException(error, endpoint, serviceUser);
    }

    private static PeerProbeResult Failed(string serviceUser, string? host, PeerAuthFailure failure, string? user = null, bool? overSocket = null) => new()
    {
        Passed = false, OperatingSystemUser = serviceUser, AuthenticatedUser = user, OverSocket = overSocket, Host = host,
        Diagnosis = failure.Diagnosis, Message = failure.Message, Fix = failure.Fix,
    };

    private static string? String(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
