using System.Text.Json;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Lamassu;

/// <summary>
/// Lays out a small lamassu-server package as it is deployed: the v10 root layout or the v12 packages layout, the
/// database URL built exactly as lamassu's constants.js (and v12's typesafe-db) builds it, with or without the
/// DATABASE_URL patch, and node_modules with the pg / pg-connection-string versions a test asks for.
/// </summary>
public sealed class LamassuPackageTree
{
    private const string UrlTemplate = "`postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DB}`";

    private const string ReadVariables = """
        const POSTGRES_USER = process.env.POSTGRES_USER
        const POSTGRES_PASSWORD = process.env.POSTGRES_PASSWORD
        const POSTGRES_HOST = process.env.POSTGRES_HOST
        const POSTGRES_PORT = process.env.POSTGRES_PORT
        const POSTGRES_DB = process.env.POSTGRES_DB
        """;

    private LamassuPackageTree(string root, bool v12)
    {
        Root = root;
        IsV12 = v12;
    }

    public string Root { get; }

    public bool IsV12 { get; }

    public string ServerDirectory => IsV12 ? Path.Combine(Root, "packages", "server") : Root;

    public string TypesafeDbDirectory => Path.Combine(Root, "packages", "typesafe-db");

    public static LamassuPackageTree V10(string root, bool databaseUrlPatch)
    {
        var tree = new LamassuPackageTree(root, v12: false);
        tree.Write("package.json", """{ "name": "lamassu-server", "version": "10.1.0" }""");
        tree.Write("lib/constants.js", Constants(databaseUrlPatch));
        return tree;
    }

    /// <param name="typesafeDbOutput">Where typesafe-db's compiled output is (dist or lib); null for none.</param>
    /// <param name="typesafeSourcePatch">Whether src/db.ts reads DATABASE_URL (it may differ from the compiled output).</param>
    public static LamassuPackageTree V12(string root, bool constantsPatch, bool typesafeDbPatch, string? typesafeDbOutput = "dist",
        bool? typesafeSourcePatch = null)
    {
        var tree = new LamassuPackageTree(root, v12: true);
        tree.Write("package.json", """{ "name": "lamassu-server", "version": "12.0.0", "workspaces": ["packages/*"] }""");
        tree.Write("packages/server/package.json", """{ "name": "lamassu-server-core", "version": "12.0.0" }""");
        tree.Write("packages/server/lib/constants.js", Constants(constantsPatch));
        tree.Write("packages/typesafe-db/package.json", """{ "name": "typesafe-db", "version": "12.0.0", "main": "dist/db.js" }""");
        tree.Write("packages/typesafe-db/src/db.ts", $$"""
            import { Pool } from 'pg'
            {{ReadVariables}}
            const connectionString = {{(typesafeSourcePatch ?? typesafeDbPatch ? "process.env.DATABASE_URL || " : "")}}{{UrlTemplate}}
            export const pool = new Pool({ connectionString })
            """);
        if (typesafeDbOutput is not null)
            tree.Write($"packages/typesafe-db/{typesafeDbOutput}/db.js", $$"""
                "use strict";
                Object.defineProperty(exports, "__esModule", { value: true });
                const pg_1 = require("pg");
                {{ReadVariables}}
                const connectionString = {{(typesafeDbPatch ? "process.env.DATABASE_URL || " : "")}}{{UrlTemplate}};
                exports.connectionString = connectionString;
                exports.pool = new pg_1.Pool({ connectionString });
                """);
        return tree;
    }

    /// <summary>lamassu's constants.js as far as the database goes; the patch is the one from the design note.</summary>
    private static string Constants(bool databaseUrlPatch) => $$"""
        'use strict'
        {{ReadVariables}}

        const PSQL_URL = {{(databaseUrlPatch ? "process.env.DATABASE_URL ||\n  " : "")}}{{UrlTemplate}}

        module.exports = { PSQL_URL }
        """;

    /// <summary>
    /// A pg package under <paramref name="nodeModules"/> (relative to the package) and the pg-connection-string it
    /// loads: nested in pg's own node_modules, or hoisted beside it.
    /// </summary>
    public LamassuPackageTree WithPg(string nodeModules, string pgVersion, string? pgConnectionStringVersion, bool nested = false)
    {
        WritePackage(Path.Combine(nodeModules, "pg"), "pg", pgVersion);
        if (pgConnectionStringVersion is not null)
            WritePackage(nested ? Path.Combine(nodeModules, "pg", "node_modules", "pg-connection-string") : Path.Combine(nodeModules, "pg-connection-string"),
                "pg-connection-string", pgConnectionStringVersion);
        return this;
    }

    public void WritePackage(string relativeDirectory, string name, string version) =>
        Write(Path.Combine(relativeDirectory, "package.json"), JsonSerializer.Serialize(new { name, version }));

    /// <summary>
    /// Makes the package's node_modules the real node-postgres install in <paramref name="realNodeModules"/> (a symlink, as
    /// workspaces and nix builds have them) and adds lamassu-check.js: it loads the URL(s) exactly as lamassu does and
    /// connects with pg, printing who it is and whether it came over the socket as JSON.
    /// </summary>
    public LamassuPackageTree WithRealNodePostgres(string realNodeModules)
    {
        File.CreateSymbolicLink(Path.Combine(Root, "node_modules"), realNodeModules);
        var sources = IsV12
            ? """[['constants', require('./packages/server/lib/constants').PSQL_URL], ['typesafe-db', require('./packages/typesafe-db/dist/db.js').connectionString]]"""
            : """[['constants', require('./lib/constants').PSQL_URL]]""";
        Write("lamassu-check.js", $$"""
            'use strict'
            const { Client } = require('pg')
            const sources = {{sources}}
            async function main() {
              const results = []
              for (const [source, connectionString] of sources) {
                const client = new Client({ connectionString })
                await client.connect()
                const { rows } = await client.query('SELECT current_user AS "user", inet_client_addr() IS NULL AS "overSocket", current_database() AS "database"')
                await client.end()
                results.push({ source, ...rows[0] })
              }
              process.stdout.write(JSON.stringify(results))
            }
            main().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1) })
            """);
        return this;
    }

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>What node itself resolves pg-connection-string to from a pg directory (the check on the reader's resolution).</summary>
    public static string NodeResolves(string pgDirectory)
    {
        var result = ExternalProcess.Run("node", ["-e",
            "process.stdout.write(require('fs').realpathSync(require('path').dirname(require.resolve('pg-connection-string/package.json', { paths: [require('fs').realpathSync(process.argv[1])] }))))",
            pgDirectory]);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result.Stdout;
    }
}
