using System.Text;
using LamassuOps.Core.Postgres;

namespace LamassuOps.Core.Lamassu;

/// <summary>Options of New-LamassuEnvWrapper.</summary>
public sealed record EnvWrapperOptions
{
    /// <summary>The wrapper file to write.</summary>
    public required string Path { get; init; }

    public required string PackagePath { get; init; }

    public LamassuDatabaseMode Mode { get; init; } = LamassuDatabaseMode.Auto;

    /// <summary>The database role; for peer authentication the OS user the service runs as.</summary>
    public required string DatabaseUser { get; init; }

    public string DatabaseName { get; init; } = "lamassu";

    public string SocketDirectory { get; init; } = PostgresEndpoint.DefaultSocketDirectory;

    public int Port { get; init; } = PostgresEndpoint.DefaultPort;

    /// <summary>The server address in PasswordTcp mode.</summary>
    public string TcpHost { get; init; } = "127.0.0.1";

    /// <summary>PasswordTcp: the file the wrapper reads the password from each time it starts.</summary>
    public string? PasswordFile { get; init; }

    public required string Hostname { get; init; }

    public string KeyPath { get; init; } = "/etc/ssl/private/Lamassu_OP.key";

    public string CertPath { get; init; } = "/etc/ssl/certs/Lamassu_OP.pem";

    public string CaPath { get; init; } = "/etc/ssl/certs/Lamassu_OP_Root_CA.pem";

    public string MnemonicPath { get; init; } = "/etc/lamassu/mnemonics/mnemonic.txt";

    public string LogLevel { get; init; } = "info";

    /// <summary>The directory holding the node binary; the one `node` is found in on PATH when null.</summary>
    public string? NodeDirectory { get; init; }

    public bool Force { get; init; }
}

/// <summary>A written (or, under -WhatIf, only composed) wrapper.</summary>
public sealed class LamassuEnvWrapper
{
    public required string Path { get; init; }

    public required LamassuDatabaseMode Mode { get; init; }

    public required LamassuLayout Layout { get; init; }

    public required string PackagePath { get; init; }

    /// <summary>False under -WhatIf: nothing was written.</summary>
    public required bool Written { get; init; }

    /// <summary>The wrapper script. It holds no password: PasswordTcp reads the password file at run time.</summary>
    public required string Text { get; init; }
}

/// <summary>
/// Writes the environment wrapper a lamassu-server systemd service runs its commands through (the design note's
/// lamassu-env): strict bash, PATH with node, NODE_PATH, the database variables of the chosen mode, the other
/// variables lamassu reads, cd to the package, exec "$@". Every value is single-quoted, so no input reaches the
/// shell as code; values a shell word or lamassu's URL template cannot carry are refused.
/// </summary>
public static class EnvWrapperWriter
{
    /// <summary>What URL-decoding leaves alone in lamassu's path and userinfo (decodeURI does not decode these), so they cannot round-trip.</summary>
    private const string UrlReserved = ";/?:@&=+$,#";

    public static LamassuEnvWrapper Write(EnvWrapperOptions options, IOperationHost host)
    {
        var wrapper = Prepare(options, host);
        if (File.Exists(wrapper.Path) && !options.Force)
            throw new LamassuOpsException("WrapperFileExists", FailureKind.ResourceExists,
                $"{wrapper.Path} already exists.", wrapper.Path, "Add -Force to replace it.");

        var written = host.ShouldProcess(wrapper.Path, $"Write the lamassu environment wrapper ({wrapper.Mode})");
        if (written) WriteExecutable(wrapper.Path, wrapper.Text, ExecutableMode, host);
        return wrapper.With(written);
    }

    /// <summary>Checks the options and composes the wrapper for its target path; writes nothing.</summary>
    internal static PreparedWrapper Prepare(EnvWrapperOptions options, IOperationHost host)
    {
        if (options.Port is < 1 or > 65535)
            throw new LamassuOpsException("WrapperValueNotRepresentable", FailureKind.InvalidArgument,
                $"-Port {options.Port} is not a TCP port (1 to 65535); node-postgres would refuse the URL.", "Port",
                "Give the port PostgreSQL listens on (5432 unless its configuration says otherwise).");
        var target = System.IO.Path.GetFullPath(options.Path);
        RefuseNonFileTarget(options.Path, target);
        var package = LamassuPackage.Open(options.PackagePath);
        var mode = ChooseMode(options, package, host);
        var text = Compose(options, package, mode, host);

        var directory = System.IO.Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
            throw new LamassuOpsException("WrapperDirectoryNotFound", FailureKind.ObjectNotFound,
                $"The directory {directory} does not exist.", directory);
        return new PreparedWrapper(target, mode, package, text);
    }

    /// <summary>A composed wrapper and where it goes.</summary>
    internal sealed record PreparedWrapper(string Path, LamassuDatabaseMode Mode, LamassuPackage Package, string Text)
    {
        public LamassuEnvWrapper With(bool written) => new()
        {
            Path = Path, Mode = Mode, Layout = Package.Layout, PackagePath = Package.Root, Written = written, Text = Text,
        };
    }

    private static LamassuDatabaseMode ChooseMode(EnvWrapperOptions options, LamassuPackage package, IOperationHost host)
    {
        var readiness = PeerAuthReadinessReader.Read(package.Root, host);
        if (options.Mode == LamassuDatabaseMode.Auto)
        {
            foreach (var reason in readiness.Reasons) host.WriteVerbose(reason);
            return readiness.RecommendedMode;
        }
        var supported = options.Mode switch
        {
            LamassuDatabaseMode.DatabaseUrl => readiness.SupportsDatabaseUrl,
            LamassuDatabaseMode.EncodedSocketHost => readiness.SupportsEncodedSocketHost,
            _ => true,
        };
        if (!supported)
            host.WriteWarning($"The package at {package.Root} does not support {options.Mode}: {string.Join(" ", readiness.Reasons)}");
        return options.Mode;
    }

    private static string Compose(EnvWrapperOptions options, LamassuPackage package, LamassuDatabaseMode mode, IOperationHost host)
    {
        var nodeDirectory = options.NodeDirectory ?? FindNodeDirectory();
        var script = new StringBuilder();
        script.Append("#!/usr/bin/env bash\n");
        script.Append($"# lamassu-server environment, written by New-LamassuEnvWrapper (mode {mode}).\n");
        script.Append("# Runs its arguments as a command in the lamassu package with this environment: lamassu-env COMMAND [ARGS...]\n");
        script.Append("set -euo pipefail\n");
        script.Append($"export PATH={Quote(PathListEntry(nodeDirectory, "NodeDirectory"), "NodeDirectory")}\"${{PATH:+:$PATH}}\"\n");
        script.Append($"export NODE_PATH={Quote(string.Join(':', package.NodePath.Select(p => PathListEntry(p, "PackagePath"))), "PackagePath")}\n");

        switch (mode)
        {
            case LamassuDatabaseMode.DatabaseUrl:
                Export(script, "DATABASE_URL", DatabaseUrl(options), "DatabaseUser");
                break;
            case LamassuDatabaseMode.EncodedSocketHost:
                ExportPostgres(script, options, EncodedSocketHost(options.SocketDirectory));
                Export(script, "POSTGRES_PASSWORD", "", "DatabaseUser");
                break;
            default:
                if (options.PasswordFile is null)
                    throw new LamassuOpsException("WrapperPasswordFileRequired", FailureKind.InvalidArgument,
                        "PasswordTcp mode needs -PasswordFile: the wrapper reads the password from it when the service starts.");
                if (!File.Exists(options.PasswordFile))
                    host.WriteWarning($"The password file {options.PasswordFile} does not exist yet; the wrapper will fail until it does.");
                ExportPostgres(script, options, UrlPart(options.TcpHost, "TcpHost"));
                script.Append($"password_file={Quote(options.PasswordFile, "PasswordFile")}\n");
                script.Append(PercentEncodeFunction);
                script.Append("POSTGRES_PASSWORD=$(<\"$password_file\")\n");
                script.Append("# lamassu puts the password into its URL as it is: encode what a URL cannot carry.\n");
                script.Append("POSTGRES_PASSWORD=$(percent_encode \"$POSTGRES_PASSWORD\")\n");
                script.Append("export POSTGRES_PASSWORD\n");
                break;
        }

        Export(script, "HOSTNAME", options.Hostname, "Hostname");
        Export(script, "KEY_PATH", options.KeyPath, "KeyPath");
        Export(script, "CERT_PATH", options.CertPath, "CertPath");
        Export(script, "CA_PATH", options.CaPath, "CaPath");
        Export(script, "MNEMONIC_PATH", options.MnemonicPath, "MnemonicPath");
        Export(script, "LOG_LEVEL", options.LogLevel, "LogLevel");
        script.Append($"cd -- {Quote(package.Root, "PackagePath")}\n");
        script.Append("exec \"$@\"\n");
        return script.ToString();
    }

    /// <summary>
    /// The socket URL of the design note, postgresql://USER@/DB?host=DIR. pg-connection-string before 2.6.0 ignores a
    /// ?port= parameter, so another port goes into the authority, whose host the ?host= parameter overrides in every
    /// client (libpq, old and new node-postgres).
    /// </summary>
    private static string DatabaseUrl(EnvWrapperOptions options) =>
        DatabaseUrl(options.DatabaseUser, options.DatabaseName, options.SocketDirectory, options.Port);

    internal static string DatabaseUrl(string user, string database, string socketDirectory, int port)
    {
        var authority = port == PostgresEndpoint.DefaultPort ? "" : $"localhost:{port}";
        return $"postgresql://{UrlPart(user, "DatabaseUser")}@{authority}/{UrlPart(database, "DatabaseName")}" +
               // A query may hold '/' as it is: ?host=/run/postgresql reads better than %2Frun%2Fpostgresql.
               $"?host={EncodedSocketHost(socketDirectory).Replace("%2F", "/", StringComparison.Ordinal)}";
    }

    /// <summary>The socket directory as lamassu's POSTGRES_HOST for pg-connection-string 2.6.0+: percent-encoded.</summary>
    internal static string EncodedSocketHost(string socketDirectory) =>
        Uri.EscapeDataString(Representable(socketDirectory, "SocketDirectory"));

    /// <summary>Percent-encodes every byte outside RFC 3986's unreserved set, as encodeURIComponent does.</summary>
    private const string PercentEncodeFunction = """
        percent_encode() {
          local LC_ALL=C text=$1 encoded='' character i
          for ((i = 0; i < ${#text}; i++)); do
            character=${text:i:1}
            case $character in
              [a-zA-Z0-9._~-]) encoded+=$character ;;
              *) printf -v character '%%%02X' "'$character"; encoded+=$character ;;
            esac
          done
          printf '%s' "$encoded"
        }

        """;

    private static void ExportPostgres(StringBuilder script, EnvWrapperOptions options, string host)
    {
        Export(script, "POSTGRES_USER", UrlPart(options.DatabaseUser, "DatabaseUser"), "DatabaseUser");
        Export(script, "POSTGRES_HOST", host, "SocketDirectory");
        Export(script, "POSTGRES_PORT", options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "Port");
        Export(script, "POSTGRES_DB", UrlPart(options.DatabaseName, "DatabaseName"), "DatabaseName");
    }

    private static void Export(StringBuilder script, string name, string value, string parameter) =>
        script.Append($"export {name}={Quote(value, parameter)}\n");

    /// <summary>
    /// A value for lamassu's URL template (postgres://USER:PASSWORD@HOST:PORT/DB): percent-encoded, since lamassu
    /// inserts it as it is. node-postgres decodes the database with decodeURI, which leaves reserved characters
    /// encoded, so names with those are refused rather than silently changed.
    /// </summary>
    internal static string UrlPart(string value, string parameter)
    {
        Representable(value, parameter);
        if (value.IndexOfAny(UrlReserved.ToCharArray()) is var at and >= 0)
            throw new LamassuOpsException("WrapperValueNotRepresentable", FailureKind.InvalidArgument,
                $"-{parameter} contains '{value[at]}', which lamassu's database URL cannot carry (node-postgres would not decode it back).",
                parameter, $"Use a {parameter} without any of {UrlReserved}.");
        return Uri.EscapeDataString(value);
    }

    private static string PathListEntry(string value, string parameter)
    {
        if (value.Contains(':'))
            throw new LamassuOpsException("WrapperValueNotRepresentable", FailureKind.InvalidArgument,
                $"-{parameter} contains ':', which separates entries of PATH and NODE_PATH.", parameter);
        return value;
    }

    /// <summary>A bash single-quoted word: everything literal, a quote written as '\''.</summary>
    internal static string Quote(string value, string parameter) =>
        "'" + Representable(value, parameter).Replace("'", @"'\''", StringComparison.Ordinal) + "'";

    /// <summary>Refuses what no shell word or environment variable can hold: NUL, and text that is not valid Unicode.</summary>
    private static string Representable(string value, string parameter)
    {
        if (value.Contains('\0'))
            throw new LamassuOpsException("WrapperValueNotRepresentable", FailureKind.InvalidArgument,
                $"-{parameter} contains a NUL character, which no environment variable can hold.", parameter);
        if (HasLoneSurrogate(value))
            throw new LamassuOpsException("WrapperValueNotRepresentable", FailureKind.InvalidArgument,
                $"-{parameter} is not valid Unicode (a lone surrogate), so it cannot be written as UTF-8.", parameter);
        return value;
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return true;
        }
        return false;
    }

    private static string FindNodeDirectory()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(System.IO.Path.Combine(directory, "node"))) return directory;
        throw new LamassuOpsException("WrapperNodeNotFound", FailureKind.ObjectNotFound,
            "No node binary on PATH to put into the wrapper's PATH.", null,
            "Give -NodeDirectory, e.g. the bin directory of pkgs.nodejs_22.");
    }

    /// <summary>The wrapper is a file: a directory, a path ending in '/', a FIFO or device is refused before anything is written.</summary>
    private static void RefuseNonFileTarget(string given, string target)
    {
        var kind = FileStat.Of(target).Kind;
        if (kind == FileKind.Directory || System.IO.Path.EndsInDirectorySeparator(given))
            throw new LamassuOpsException("WrapperPathIsDirectory", FailureKind.InvalidArgument,
                $"-Path '{given}' names a directory; the wrapper is a file.", target,
                $"Give the wrapper's file name inside it, e.g. '{System.IO.Path.Combine(target, "lamassu-env")}'.");
        if (kind == FileKind.ParentAccessDenied) throw PathErrors.ParentAccessDenied(target);
        if (kind is not (FileKind.Missing or FileKind.Regular or FileKind.ParentNotDirectory)) throw PathErrors.NotRegularFile(target, kind);
    }

    /// <summary>
    /// Writes beside the target and renames over it, so the wrapper is never seen half-written, with this mode (0755 for
    /// a new wrapper) and, when given, this owner (the wrapper it replaces).
    /// </summary>
    internal static void WriteExecutable(string target, string text, UnixFileMode mode, IOperationHost host, UnixOwner? owner = null)
    {
        if (OperatingSystem.IsWindows())
            throw new LamassuOpsException("WrapperNeedsUnix", FailureKind.NotEnabled, "The wrapper is a bash script for Linux hosts.");
        var directory = System.IO.Path.GetDirectoryName(target)!;
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temporary, mode);
            if (owner is { } same) UnixFileAccess.SetOwner(temporary, same);
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LamassuOpsException("WrapperNotWritable", FailureKind.WriteError,
                $"Cannot write the wrapper '{target}': {e.Message.TrimEnd('.')}; nothing was written.", target,
                "Write it into a directory this user may write to (the service's state directory), or run as its owner.", e);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        var directoryMode = File.GetUnixFileMode(directory);
        if ((directoryMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0 && (directoryMode & UnixFileMode.StickyBit) == 0)
            host.WriteWarning($"{directory} is writable by group or others, who could replace the wrapper.");
    }

    internal const UnixFileMode ExecutableMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
}
