using System.Text;
using LamassuOps.Core.Postgres;

namespace LamassuOps.Core.Lamassu;

/// <summary>Options of New-LamassuNixModuleChange.</summary>
public sealed record NixModuleChangeOptions
{
    public required string PackagePath { get; init; }

    /// <summary>Auto: the package's peer mode.</summary>
    public LamassuDatabaseMode Mode { get; init; } = LamassuDatabaseMode.Auto;

    public required string DatabaseUser { get; init; }

    public string DatabaseName { get; init; } = "lamassu";

    public string SocketDirectory { get; init; } = PostgresEndpoint.DefaultSocketDirectory;

    public int Port { get; init; } = PostgresEndpoint.DefaultPort;
}

/// <summary>The nix-bitcoin lamassu module's change for peer authentication: a Nix snippet and what to delete.</summary>
public sealed class LamassuNixModuleChange
{
    public required LamassuDatabaseMode Mode { get; init; }

    public required string DatabaseUser { get; init; }

    public required string DatabaseName { get; init; }

    /// <summary>A NixOS module (it parses with nix-instantiate --parse): PostgreSQL with ensureUsers/ensureDBOwnership and the peer wrapper.</summary>
    public required string Snippet { get; init; }

    /// <summary>What to delete from the module, one item each.</summary>
    public required IReadOnlyList<string> Delete { get; init; }
}

/// <summary>
/// The design note's module changes for this instance: services.postgresql.ensureUsers with ensureDBOwnership, the
/// lamassu-env wrapper in the package's peer mode, and the list of what goes (the password secret and its generator,
/// the lamassu-postgres-setup service, the POSTGRES_* password variables of the service environments).
/// </summary>
public static class NixModuleChange
{
    public static LamassuNixModuleChange Generate(NixModuleChangeOptions options, IOperationHost host)
    {
        var package = LamassuPackage.Open(options.PackagePath);
        var mode = PeerAuthReadinessReader.PeerMode(package, options.Mode, host);

        var user = options.DatabaseUser;
        var database = options.DatabaseName;
        var sameName = user == database;
        if (!sameName)
            host.WriteWarning($"ensureDBOwnership gives a role the database of its own name: '{database}' is not named like '{user}', so the snippet cannot make it the owner. Name them alike (the NixOS convention).");

        var nodePath = package.Layout == LamassuLayout.V10Root
            ? "${cfg.package}/node_modules"
            : "${cfg.package}/node_modules:${cfg.package}/packages/server/node_modules";
        var databaseLines = mode == LamassuDatabaseMode.DatabaseUrl
            ? [$"export DATABASE_URL={EnvWrapperWriter.Quote(EnvWrapperWriter.DatabaseUrl(user, database, options.SocketDirectory, options.Port), "DatabaseUser")}"]
            : new[]
            {
                $"export POSTGRES_USER={EnvWrapperWriter.Quote(EnvWrapperWriter.UrlPart(user, "DatabaseUser"), "DatabaseUser")}",
                $"export POSTGRES_HOST={EnvWrapperWriter.Quote(EnvWrapperWriter.EncodedSocketHost(options.SocketDirectory), "SocketDirectory")}",
                $"export POSTGRES_PORT={options.Port}",
                $"export POSTGRES_DB={EnvWrapperWriter.Quote(EnvWrapperWriter.UrlPart(database, "DatabaseName"), "DatabaseName")}",
                "export POSTGRES_PASSWORD=''",
            };

        var nix = new StringBuilder();
        nix.Append($"# lamassu-server on PostgreSQL peer authentication ({mode}), from New-LamassuNixModuleChange.\n");
        nix.Append("# Merge into the nix-bitcoin lamassu module; delete what the list beside this snippet names.\n");
        nix.Append("{ config, lib, pkgs, ... }:\n");
        nix.Append("let\n");
        nix.Append("  cfg = config.services.lamassu-server;\n");
        nix.Append("  lamassuEnv = pkgs.writeShellScript \"lamassu-env\" ''\n");
        nix.Append("    set -euo pipefail\n");
        nix.Append("    export PATH=${pkgs.nodejs_22}/bin:$PATH\n");
        nix.Append("    # The Unix socket with peer authentication: no password.\n");
        foreach (var line in databaseLines) nix.Append("    ").Append(IndentedStringText(line)).Append('\n');
        nix.Append($"    export NODE_PATH={nodePath}\n");
        nix.Append("    cd ${cfg.package}\n");
        nix.Append("    exec \"$@\"\n");
        nix.Append("  '';\n");
        nix.Append("in\n");
        nix.Append("{\n");
        nix.Append("  services.postgresql = {\n");
        nix.Append("    enable = true;\n");
        nix.Append($"    ensureDatabases = [ {NixString(database)} ];\n");
        nix.Append("    ensureUsers = [\n");
        nix.Append("      {\n");
        nix.Append($"        name = {NixString(user)};\n");
        if (sameName) nix.Append("        ensureDBOwnership = true;\n");
        else nix.Append($"        # ensureDBOwnership needs the database named like the role; {NixString(database)} is not.\n");
        nix.Append("      }\n");
        nix.Append("    ];\n");
        nix.Append("    # No authentication lines needed: NixOS's default 'local all all peer' lets the service user in.\n");
        nix.Append("  };\n");
        nix.Append("  systemd.services.lamassu-server = {\n");
        nix.Append("    after = [ \"postgresql.target\" ];\n");
        nix.Append("    requires = [ \"postgresql.service\" ];\n");
        nix.Append("  };\n");
        nix.Append("}\n");

        return new LamassuNixModuleChange
        {
            Mode = mode,
            DatabaseUser = user,
            DatabaseName = database,
            Snippet = nix.ToString(),
            Delete =
            [
                "nix-bitcoin.secrets.lamassu-db-password (the password secret)",
                "makePasswordSecret lamassu-db-password in nix-bitcoin.generateSecretsCmds.lamassu",
                "systemd.services.lamassu-postgres-setup (the whole block), and every after/requires/wants entry naming lamassu-postgres-setup.service",
                "POSTGRES_HOST, POSTGRES_PORT and POSTGRES_PASSWORD in the environment of every lamassu service (lamassu-server, lamassu-admin-server, migrations)",
                $"services.postgresql.authentication lines that let '{user}' in over TCP with a password (host ... md5 or scram-sha-256)",
                "the old lamassuEnv definition (replaced by the one in the snippet)",
            ],
        };
    }

    /// <summary>A Nix double-quoted string: backslash, quote and ${ escaped.</summary>
    private static string NixString(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("${", "\\${", StringComparison.Ordinal) + "\"";

    /// <summary>Literal text inside a Nix indented string: '' and ${ escaped.</summary>
    private static string IndentedStringText(string value) =>
        value.Replace("''", "'''", StringComparison.Ordinal).Replace("${", "''${", StringComparison.Ordinal);
}
