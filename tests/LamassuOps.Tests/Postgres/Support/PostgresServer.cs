using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LamassuOps.Tests.Fixtures;
using Npgsql;

namespace LamassuOps.Tests.Postgres.Support;

/// <summary>
/// A real PostgreSQL 15 for the test run, set up like a NixOS host plus the cases the tests reproduce: peer rules,
/// an ident map, a socket directory the test users can reach and one they cannot, a password rule over TCP on a
/// free loopback port. Started once (xunit collection fixture), stopped and removed at the end; a server a killed
/// run left behind in the same place is stopped first.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    /// <summary>OS user with a same-named login role owning a same-named database: the service user.</summary>
    public const string ServiceUser = "lamassuops-svc";

    /// <summary>OS user without a role of its own; the ident map lets it log in as <see cref="MappedRole"/>.</summary>
    public const string OtherUser = "lamassuops-other";

    public const string MappedRole = "lamassuops-mapped";

    /// <summary>OS user for whom no role exists.</summary>
    public const string NoRoleUser = "lamassuops-norole";

    /// <summary>OS user whose same-named role is NOLOGIN.</summary>
    public const string NoLoginUser = "lamassuops-nologin";

    /// <summary>Role with a password, allowed over TCP only (to database <see cref="TcpDatabase"/>).</summary>
    public const string PasswordRole = "lamassuops-pw";

    public const string Password = "tcp-only P@ss:w/rd%?#é!";

    public const string TcpDatabase = "lamassuops-tcp";

    /// <summary>A database owned by postgres, where the service role may connect but owns nothing.</summary>
    public const string ForeignDatabase = "lamassuops-foreign";

    /// <summary>A database whose local connections need a password (scram), so peer is not used.</summary>
    public const string PasswordDatabase = "lamassuops-pwdb";

    public const string IdentMapName = "lamassu";

    /// <summary>
    /// The lamassu-server OS user of the move to peer authentication; the tests give its same-named role a password and
    /// a same-named database, as the nix-bitcoin module does today.
    /// </summary>
    public const string LamassuUser = "lamassuops-lamassu";

    /// <summary>Group role whose members may log in over TCP with a password to their own database (scram-sha-256).</summary>
    public const string PasswordLoginGroup = "lamassuops-tcp-login";

    public static readonly string[] TestOsUsers = [ServiceUser, OtherUser, NoRoleUser, NoLoginUser, LamassuUser];

    private readonly List<string> _clusters = [];

    public PostgresServer()
    {
        BaseDirectory = Path.Combine(Path.GetTempPath(), "lamassuops-pg-" + CheckoutTag());
        StopAndRemoveLeftovers(BaseDirectory);
        foreach (var user in TestOsUsers) EnsureOsUser(user);

        Directory.CreateDirectory(BaseDirectory);
        ExternalProcess.RunChecked("chmod", "0755", BaseDirectory);
        SocketDirectory = MakePostgresDirectory("socket", "0755");
        PrivateSocketDirectory = MakePostgresDirectory("private-socket", "0700");
        Port = FreeLoopbackPort();
        DataDirectory = MakePostgresDirectory("data", "0700");
        InitializeCluster(DataDirectory, $"""
            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = '{SocketDirectory},{PrivateSocketDirectory}'
            """);
        File.WriteAllText(Path.Combine(DataDirectory, "pg_hba.conf"), $"""
            local all postgres peer map=admin
            local all {MappedRole} peer map={IdentMapName}
            local {PasswordDatabase} all scram-sha-256
            local all all peer
            host {TcpDatabase} {PasswordRole} 127.0.0.1/32 scram-sha-256
            host sameuser +{PasswordLoginGroup} 127.0.0.1/32 scram-sha-256

            """);
        File.WriteAllText(Path.Combine(DataDirectory, "pg_ident.conf"), $"""
            admin root postgres
            admin postgres postgres
            {IdentMapName} {OtherUser} {MappedRole}

            """);
        StartCluster(DataDirectory);
        CopyCliForTestUsers();
        CreateRolesAndDatabases();
    }

    public string BaseDirectory { get; }

    public string DataDirectory { get; }

    /// <summary>Socket directory every test user can search (0755).</summary>
    public string SocketDirectory { get; }

    /// <summary>A second socket directory of the same server that only postgres can search (0700).</summary>
    public string PrivateSocketDirectory { get; }

    public int Port { get; }

    public string ServerLog => Path.Combine(BaseDirectory, "server.log");

    /// <summary>The built lamassuops copied where the test OS users can read it.</summary>
    public string CliDll => Path.Combine(BaseDirectory, "cli", "LamassuOps.Cli.dll");

    /// <summary>A connection string for the postgres superuser (root is mapped to it), for setting up test data.</summary>
    public string AdminConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = SocketDirectory, Port = Port, Username = "postgres", Database = database, Pooling = false }
            .ConnectionString;

    public void Execute(string sql, string database = "postgres")
    {
        using var connection = new NpgsqlConnection(AdminConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row as text (null for SQL NULL or no row), as the postgres superuser.</summary>
    public string? Query(string sql, string database = "postgres")
    {
        using var connection = new NpgsqlConnection(AdminConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar() is { } value and not DBNull ? value.ToString() : null;
    }

    /// <summary>A copy of a node_modules tree under the server's directory, where the test OS users can read it (made once).</summary>
    public string NodeModulesForTestUsers(string nodeModules, string name)
    {
        var target = Path.Combine(BaseDirectory, name);
        lock (_clusters)
        {
            if (!Directory.Exists(target))
            {
                Directory.CreateDirectory(target);
                ExternalProcess.RunChecked("cp", "-R", nodeModules, target);
            }
        }
        return Path.Combine(target, "node_modules");
    }

    /// <summary>lamassuops run as <paramref name="osUser"/>; the arguments are passed through unchanged.</summary>
    public CliResult RunCliAs(string osUser, params string[] args)
    {
        var result = ExternalProcess.Run("dotnet", [CliDll, .. args], runAsUser: osUser,
            environment: new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["HOME"] = BaseDirectory });
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>
    /// A second cluster in standby with hot_standby off: it runs, but answers every connection with SQLSTATE 57P03
    /// (the database system is not accepting connections), the state of a server still starting up or recovering.
    /// </summary>
    public (string SocketDirectory, int Port) ClusterStillStartingUp() =>
        ExtraCluster("standby", Port + 1, "hot_standby = off", data =>
        {
            File.WriteAllText(Path.Combine(data, "standby.signal"), "");
            Chown(Path.Combine(data, "standby.signal"));
        }, afterStart: _ => { });

    /// <summary>
    /// A cluster whose postmaster was killed with SIGKILL: it could not clean up, so its socket file is still there
    /// and connecting to it is refused (ECONNREFUSED), as after a crash or an unclean stop.
    /// </summary>
    public (string SocketDirectory, int Port) CrashedClusterWithStaleSocket() =>
        ExtraCluster("crashed", Port + 2, "", _ => { }, data =>
        {
            var postmaster = File.ReadLines(Path.Combine(data, "postmaster.pid")).First();
            ExternalProcess.RunChecked("kill", "-KILL", postmaster);
            // Its children notice the postmaster is gone and exit by themselves.
            WaitUntilGone(postmaster);
        });

    /// <summary>Waits (bounded) until a process has exited; a zombie counts as exited, since no init may reap it here.</summary>
    private static void WaitUntilGone(string pid)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine("/proc", pid, "stat"));
            }
            catch (IOException)
            {
                return;
            }
            if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z')) return;
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"Process {pid} did not exit after SIGKILL.");
    }

    private (string SocketDirectory, int Port) ExtraCluster(string name, int port, string settings, Action<string> beforeStart,
        Action<string> afterStart)
    {
        lock (_clusters)
        {
            var socketDirectory = Path.Combine(BaseDirectory, name + "-socket");
            if (Directory.Exists(socketDirectory)) return (socketDirectory, port);
            var data = MakePostgresDirectory(name + "-data", "0700");
            InitializeCluster(data, $"""
                listen_addresses = ''
                port = {port}
                unix_socket_directories = '{socketDirectory}'
                {settings}
                """);
            beforeStart(data);
            MakePostgresDirectory(name + "-socket", "0755");
            StartCluster(data);
            afterStart(data);
            return (socketDirectory, port);
        }
    }

    public void Dispose()
    {
        foreach (var data in _clusters) StopCluster(data);
        Directory.Delete(BaseDirectory, recursive: true);
    }

    /// <summary>One place per checkout, so a later run finds what a killed run left, and two checkouts do not collide.</summary>
    private static string CheckoutTag() =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(RepositoryPaths.Root)))[..12].ToLowerInvariant();

    private static void StopAndRemoveLeftovers(string baseDirectory)
    {
        if (!Directory.Exists(baseDirectory)) return;
        foreach (var data in Directory.EnumerateDirectories(baseDirectory, "*data"))
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
                ExternalProcess.Run("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, "pg_ctl"), "-D", data, "stop", "-m", "immediate", "-w"]);
        Directory.Delete(baseDirectory, recursive: true);
    }

    private static void EnsureOsUser(string name)
    {
        if (ExternalProcess.Run("id", ["-u", name]).ExitCode == 0) return;
        var created = ExternalProcess.Run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name]);
        // Another test run may have created it in the meantime (exit 9: already exists).
        if (created.ExitCode is not (0 or 9)) throw new InvalidOperationException($"useradd {name}: {created.Describe()}");
    }

    private string MakePostgresDirectory(string name, string mode)
    {
        var path = Path.Combine(BaseDirectory, name);
        Directory.CreateDirectory(path);
        Chown(path);
        ExternalProcess.RunChecked("chmod", mode, path);
        return path;
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void InitializeCluster(string data, string settings)
    {
        var initdb = ExternalProcess.Run("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, "initdb"),
            "-D", data, "-U", "postgres", "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
        if (initdb.ExitCode != 0) throw new InvalidOperationException("initdb failed: " + initdb.Describe());
        File.AppendAllText(Path.Combine(data, "postgresql.conf"), $"""

            {settings}
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 30
            shared_buffers = 16MB
            log_connections = on
            """ + "\n");
    }

    private void StartCluster(string data)
    {
        var log = Path.Combine(BaseDirectory, Path.GetFileName(data) + ".log");
        File.WriteAllText(log, "");
        Chown(log);
        _clusters.Add(data);
        var start = ExternalProcess.Run("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, "pg_ctl"), "-D", data, "-l", log, "-w", "-t", "60", "start"]);
        if (start.ExitCode != 0) throw new InvalidOperationException($"pg_ctl start failed: {start.Describe()}\n{File.ReadAllText(log)}");
    }

    private static void StopCluster(string data) =>
        ExternalProcess.Run("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, "pg_ctl"), "-D", data, "stop", "-m", "fast", "-w"]);

    private static void Chown(string path) => ExternalProcess.RunChecked("chown", "postgres:postgres", path);

    private void CopyCliForTestUsers()
    {
        var target = Path.GetDirectoryName(CliDll)!;
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(AppContext.BaseDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    private void CreateRolesAndDatabases()
    {
        Execute($"""
            CREATE ROLE "{ServiceUser}" LOGIN;
            CREATE ROLE "{MappedRole}" LOGIN;
            CREATE ROLE "{NoLoginUser}" NOLOGIN;
            CREATE ROLE "{PasswordRole}" LOGIN PASSWORD '{Password}';
            CREATE ROLE "{PasswordLoginGroup}" NOLOGIN;
            """);
        foreach (var (database, owner) in new[]
                 {
                     (ServiceUser, ServiceUser), (MappedRole, MappedRole), (NoLoginUser, NoLoginUser),
                     (TcpDatabase, PasswordRole), (ForeignDatabase, "postgres"), (PasswordDatabase, ServiceUser),
                 })
            Execute($"""CREATE DATABASE "{database}" OWNER "{owner}" """);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}
