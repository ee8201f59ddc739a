using System.Text.Json;
using LamassuOps.Core;
using LamassuOps.Core.Lamassu;
using LamassuOps.Core.Postgres;
using LamassuOps.Tests.Fixtures;
using LamassuOps.Tests.Fixtures.Bunker;
using LamassuOps.Tests.Postgres.Support;
using Npgsql;

namespace LamassuOps.Tests.Lamassu;

/// <summary>
/// The move to peer authentication against the real server, as nix-bitcoin sets lamassu up today: the role
/// <see cref="PostgresServer.LamassuUser"/> with a password over TCP (scram-sha-256 in pg_hba.conf), its OS user, a
/// password wrapper; then plan, enable (the probe through real node-postgres as that OS user), disable the password.
/// Each failure is reproduced and shown to leave the wrapper and the role as they were.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PeerAuthMoveTests
{
    private const string Role = PostgresServer.LamassuUser;
    private const string RolePassword = "move-me P@ss/w:rd%?#";

    private readonly PostgresServer _server;
    private readonly string _root;
    private readonly string _newNodeModules;
    private readonly string _oldNodeModules;

    public PeerAuthMoveTests(PostgresServer server)
    {
        _server = server;
        _root = Path.Combine(server.BaseDirectory, "moves", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _newNodeModules = server.NodeModulesForTestUsers(Path.Combine(TestPaths.NodeModulesNew, "node_modules"), "node-new");
        _oldNodeModules = server.NodeModulesForTestUsers(Path.Combine(TestPaths.NodeModulesOld, "node_modules"), "node-old");
        // The tests of this class run one after another (one collection): each starts from today's nix-bitcoin setup.
        server.Execute($"""DROP DATABASE IF EXISTS "{Role}" WITH (FORCE)""");
        server.Execute($"""DROP ROLE IF EXISTS "{Role}" """);
        server.Execute($"""CREATE ROLE "{Role}" LOGIN PASSWORD '{RolePassword}' IN ROLE "{PostgresServer.PasswordLoginGroup}" """);
        server.Execute($"""CREATE DATABASE "{Role}" OWNER "{Role}" """);
    }

    /// <summary>A deployed package and today's wrapper: the password over TCP, read from a file only the service user reads.</summary>
    private sealed record Deployment(LamassuPackageTree Package, string WrapperPath, string WrapperDirectory);

    private Deployment Deploy(string nodeModules, string wrapperMode = "0750")
    {
        var package = LamassuPackageTree.V10(Path.Combine(_root, "package"), databaseUrlPatch: false).WithRealNodePostgres(nodeModules);
        var directory = Path.Combine(_root, "state");
        Directory.CreateDirectory(directory);
        var passwordFile = Path.Combine(_root, "db-password");
        File.WriteAllText(passwordFile, RolePassword + "\n");
        ExternalProcess.RunChecked("chown", Role, passwordFile);
        ExternalProcess.RunChecked("chmod", "0400", passwordFile);
        var wrapper = EnvWrapperWriter.Write(new EnvWrapperOptions
        {
            Path = Path.Combine(directory, "lamassu-env"), PackagePath = package.Root, Mode = LamassuDatabaseMode.PasswordTcp,
            DatabaseUser = Role, DatabaseName = Role, Port = _server.Port, PasswordFile = passwordFile,
            Hostname = "atm.example.org", KeyPath = "/var/lib/lamassu/lamassu.key", NodeDirectory = "/usr/bin",
        }, new RecordingHost());
        ExternalProcess.RunChecked("chown", $"root:{Group(Role)}", wrapper.Path);
        ExternalProcess.RunChecked("chmod", wrapperMode, wrapper.Path);
        return new Deployment(package, wrapper.Path, directory);
    }

    private static string Group(string user) => ExternalProcess.RunChecked("id", "-gn", user).Stdout.Trim();

    private PeerAuthMoveOptions Move(Deployment deployment, string serviceUser = Role, string? socketDirectory = null) => new()
    {
        PackagePath = deployment.Package.Root, WrapperPath = deployment.WrapperPath, ServiceUser = serviceUser,
        DatabaseUser = Role, DatabaseName = Role, SocketDirectory = socketDirectory ?? _server.SocketDirectory, Port = _server.Port,
    };

    private static EnablePeerAuthOptions Enable(PeerAuthMoveOptions move, LamassuDatabaseMode mode = LamassuDatabaseMode.Auto) =>
        new() { Move = move, Mode = mode, NodeDirectory = "/usr/bin" };

    private DisablePasswordLoginOptions Disable(string? probeId, Deployment? probeThrough = null) => new()
    {
        DatabaseUser = Role, DatabaseName = Role, SocketDirectory = _server.SocketDirectory, Port = _server.Port, ProbeId = probeId,
        PackagePath = probeThrough?.Package.Root, WrapperPath = probeThrough?.WrapperPath, ServiceUser = probeThrough is null ? null : Role,
    };

    /// <summary>The wrapper file and its directory (bytes, mtime, entries) and its inode, owner and mode.</summary>
    private static (FileSnapshot File, string Stat) Snapshot(string path) =>
        (FileSnapshot.Take(path), ExternalProcess.RunChecked("stat", "-c", "%i %u:%g %a", path).Stdout);

    private string? PasswordHash() =>
        _server.Query($"SELECT rolpassword FROM pg_authid WHERE rolname = '{Role}'");

    /// <summary>Logs in over TCP with the password, as lamassu does today; the server's SQLSTATE when refused.</summary>
    private string? PasswordLoginOverTcp()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = _server.Port, Username = Role, Password = RolePassword, Database = Role, Pooling = false,
        }.ConnectionString);
        try
        {
            connection.Open();
            return null;
        }
        catch (PostgresException error)
        {
            return error.SqlState;
        }
        finally
        {
            connection.Dispose();
        }
    }

    /// <summary>lamassu's own URL through the wrapper, as the service user (tests/.../LamassuPackageTree's lamassu-check.js).</summary>
    private static JsonElement ConnectAsLamassu(Deployment deployment)
    {
        var result = ExternalProcess.Run("bash", [deployment.WrapperPath, "node", "lamassu-check.js"], runAsUser: Role);
        Assert.True(result.ExitCode == 0, result.Describe());
        return Assert.Single(JsonSerializer.Deserialize<JsonElement[]>(result.Stdout)!);
    }

    private static PeerAuthStep Step(LamassuPeerAuthPlan plan, int order) => plan.Steps.Single(s => s.Order == order);

    [Fact]
    public void TheWholeMovePlanEnableDisableLeavesPeerOverTheSocketAndNoPasswordLoginOverTcp()
    {
        var deployment = Deploy(_newNodeModules);
        Assert.Null(PasswordLoginOverTcp());
        Assert.False(ConnectAsLamassu(deployment).GetProperty("overSocket").GetBoolean());
        var oldWrapper = Snapshot(deployment.WrapperPath);
        var host = new RecordingHost();

        var plan = PeerAuthPlanner.Plan(Move(deployment), host);

        Assert.Equal(LamassuDatabaseMode.EncodedSocketHost, plan.Mode);
        Assert.Equal(LamassuDatabaseMode.PasswordTcp, plan.WrapperMode);
        Assert.True(plan.ServiceUserExists);
        Assert.True(plan.RoleExists);
        Assert.Equal(RolePasswordState.Set, plan.RolePassword);
        Assert.Equal(Role, plan.DatabaseOwner);
        Assert.Matches(@"^pg_hba\.conf line \d+: local all all peer$", plan.LocalRule);
        var rule = Assert.Single(plan.PasswordRules);
        Assert.Equal($"host sameuser +{PostgresServer.PasswordLoginGroup} 127.0.0.1 255.255.255.255 scram-sha-256", rule.Rule);
        Assert.Contains($"Insert 'host {Role} {Role} 127.0.0.1 255.255.255.255 reject' above pg_hba.conf line {rule.LineNumber}", rule.Fix);
        Assert.Equal(
            [PeerAuthStepStatus.Done, PeerAuthStepStatus.Done, PeerAuthStepStatus.Done, PeerAuthStepStatus.Done,
             PeerAuthStepStatus.Ready, PeerAuthStepStatus.Ready, PeerAuthStepStatus.Ready],
            plan.Steps.Select(s => s.Status));
        Assert.StartsWith("Enable-LamassuPeerAuth ", Step(plan, 5).Command);
        Assert.True(plan.CanProceed);

        var change = PeerAuthEnabler.Enable(Enable(Move(deployment)), host);

        Assert.True(change.Written);
        Assert.Equal(LamassuDatabaseMode.EncodedSocketHost, change.Mode);
        Assert.True(change.Probe!.Passed);
        Assert.Equal(Role, change.Probe.AuthenticatedUser);
        Assert.Equal(Role, change.Probe.OperatingSystemUser);
        // The backup is the old wrapper itself: same bytes, inode, owner and mode; the new one has the old owner and mode.
        Assert.Matches(@"\.\d{8}T\d{6}Z\.bak$", change.BackupPath);
        Assert.Equal(oldWrapper.File with { Path = change.BackupPath!, Entries = "" }, FileSnapshot.Take(change.BackupPath!) with { Entries = "" });
        Assert.Equal(oldWrapper.Stat, Snapshot(change.BackupPath!).Stat);
        Assert.Equal(oldWrapper.Stat.Split(' ')[1..], Snapshot(deployment.WrapperPath).Stat.Split(' ')[1..]);
        Assert.Contains("export POSTGRES_HOST='%2F", File.ReadAllText(deployment.WrapperPath));
        Assert.Contains("export KEY_PATH='/var/lib/lamassu/lamassu.key'", File.ReadAllText(deployment.WrapperPath));
        Assert.NotNull(PasswordHash());

        var removal = PasswordLoginRemover.Disable(Disable(change.ProbeId), host);

        Assert.True(removal.PasswordRemoved);
        Assert.Equal(RolePasswordState.Set, removal.PasswordBefore);
        Assert.Equal(change.ProbeId, removal.ProbeId);
        Assert.Equal(rule.Rule, Assert.Single(removal.RemainingPasswordRules).Rule);
        Assert.Contains($"\\password \"{Role}\"", removal.WayBack);
        Assert.Null(PasswordHash());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, PasswordLoginOverTcp());
        var session = ConnectAsLamassu(deployment);
        Assert.Equal(Role, session.GetProperty("user").GetString());
        Assert.True(session.GetProperty("overSocket").GetBoolean());
        Assert.DoesNotContain(RolePassword, host.AllMessages);

        var after = PeerAuthPlanner.Plan(Move(deployment), new RecordingHost());
        Assert.Equal(LamassuDatabaseMode.EncodedSocketHost, after.WrapperMode);
        Assert.Equal(RolePasswordState.None, after.RolePassword);
        Assert.Equal([PeerAuthStepStatus.Done, PeerAuthStepStatus.Done, PeerAuthStepStatus.Ready], after.Steps.Skip(4).Select(s => s.Status));
    }

    [Fact]
    public void WhatIfChangesNoFileAndNoRole()
    {
        var deployment = Deploy(_newNodeModules);
        var before = Snapshot(deployment.WrapperPath);
        var hash = PasswordHash();
        var declining = new RecordingHost(allowChanges: false);

        var change = PeerAuthEnabler.Enable(Enable(Move(deployment)), declining);

        Assert.False(change.Written);
        Assert.Null(change.Probe);
        Assert.Null(change.BackupPath);
        Assert.Single(declining.ShouldProcessCalls);
        Assert.Equal(before, Snapshot(deployment.WrapperPath));

        var enabled = PeerAuthEnabler.Enable(Enable(Move(deployment)), new RecordingHost());
        var removal = PasswordLoginRemover.Disable(Disable(enabled.ProbeId), declining);

        Assert.False(removal.PasswordRemoved);
        Assert.Equal(hash, PasswordHash());
        Assert.Null(PasswordLoginOverTcp());
    }

    [Fact]
    public void ARoleNotNamedLikeTheServiceUserWithoutAnIdentMapIsBlockedAndEnableRollsBack()
    {
        // World-executable, so the other OS user runs the wrapper and meets the server's refusal itself.
        var deployment = Deploy(_newNodeModules, wrapperMode: "0755");
        var before = Snapshot(deployment.WrapperPath);
        var move = Move(deployment, serviceUser: PostgresServer.OtherUser);

        var plan = PeerAuthPlanner.Plan(move, new RecordingHost());

        var peer = Step(plan, 3);
        Assert.Equal(PeerAuthStepStatus.Blocked, peer.Status);
        Assert.Contains($"the OS user '{PostgresServer.OtherUser}' is not named like the role '{Role}'", peer.Reason);
        Assert.Contains($"'lamassu {PostgresServer.OtherUser} {Role}'", peer.Command);
        Assert.Equal(PeerAuthStepStatus.Blocked, Step(plan, 5).Status);
        Assert.False(plan.CanProceed);

        var error = Assert.Throws<LamassuOpsException>(() => PeerAuthEnabler.Enable(Enable(move), new RecordingHost()));

        Assert.Equal("PeerAuthPeerMismatch", error.ErrorId);
        Assert.Contains("The old wrapper was put back", error.Message);
        Assert.Contains($"lamassu {PostgresServer.OtherUser} {Role}", error.RecommendedAction);
        Assert.Equal(before, Snapshot(deployment.WrapperPath));
        Assert.NotNull(PasswordHash());
    }

    [Fact]
    public void AnUnpatchedPackageWithAnOldPgConnectionStringIsRefusedAndAForcedModeRollsBack()
    {
        var deployment = Deploy(_oldNodeModules);
        var before = Snapshot(deployment.WrapperPath);

        var plan = PeerAuthPlanner.Plan(Move(deployment), new RecordingHost());
        Assert.Equal(LamassuDatabaseMode.PasswordTcp, plan.Mode);
        Assert.Equal(PeerAuthStepStatus.Blocked, Step(plan, 1).Status);
        Assert.Contains("2.5.0", Step(plan, 1).Reason);

        var refused = Assert.Throws<LamassuOpsException>(() => PeerAuthEnabler.Enable(Enable(Move(deployment)), new RecordingHost()));
        Assert.Equal("PeerAuthNotSupported", refused.ErrorId);
        Assert.Equal(before, Snapshot(deployment.WrapperPath));

        var forced = Assert.Throws<LamassuOpsException>(() =>
            PeerAuthEnabler.Enable(Enable(Move(deployment), LamassuDatabaseMode.EncodedSocketHost), new RecordingHost()));

        Assert.Equal("PeerAuthUrlMisread", forced.ErrorId);
        Assert.Contains($"host '{_server.SocketDirectory}:{_server.Port}'", forced.Message);
        Assert.Contains("DATABASE_URL patch", forced.RecommendedAction);
        Assert.Equal(before, Snapshot(deployment.WrapperPath));
        Assert.NotNull(PasswordHash());
    }

    [Fact]
    public void ASocketDirectoryTheServiceUserCannotSearchRollsBack()
    {
        var deployment = Deploy(_newNodeModules);
        var before = Snapshot(deployment.WrapperPath);

        var error = Assert.Throws<LamassuOpsException>(() =>
            PeerAuthEnabler.Enable(Enable(Move(deployment, socketDirectory: _server.PrivateSocketDirectory)), new RecordingHost()));

        Assert.Equal("PeerAuthSocketPermissionDenied", error.ErrorId);
        Assert.Contains($"The OS user '{Role}' may not pass through {_server.PrivateSocketDirectory} (mode 0700)", error.Message);
        Assert.Equal(before, Snapshot(deployment.WrapperPath));
    }

    [Fact]
    public void ThePasswordStaysWithoutAPassingProbe()
    {
        var deployment = Deploy(_newNodeModules);
        var hash = PasswordHash();

        var none = Assert.Throws<LamassuOpsException>(() => PasswordLoginRemover.Disable(Disable(probeId: "0123456789abcdef"), new RecordingHost()));
        Assert.Equal("PasswordLoginProbeRequired", none.ErrorId);

        // The wrapper in place still sends the password over TCP: the probe sees it and refuses.
        var failing = Assert.Throws<LamassuOpsException>(() => PasswordLoginRemover.Disable(Disable(null, deployment), new RecordingHost()));
        Assert.Equal("PeerAuthNotOverSocket", failing.ErrorId);
        Assert.Contains("the password stays", failing.Message);
        Assert.Equal(hash, PasswordHash());
    }

    [Fact]
    public void DisableProbesTheWrapperItselfWhenNoProbeIsPiped()
    {
        var deployment = Deploy(_newNodeModules);
        PeerAuthEnabler.Enable(Enable(Move(deployment)), new RecordingHost());

        var removal = PasswordLoginRemover.Disable(Disable(null, deployment), new RecordingHost());

        Assert.True(removal.PasswordRemoved);
        Assert.Null(PasswordHash());
    }

    private string[] CliMove(Deployment deployment) =>
    [
        "--package-path", deployment.Package.Root, "--wrapper-path", deployment.WrapperPath, "--service-user", Role,
        "--database-user", Role, "--database-name", Role, "--socket-directory", _server.SocketDirectory, "--port", _server.Port.ToString(),
    ];

    [Fact]
    public void LamassuopsRunsTheMoveWithJsonOutput()
    {
        var deployment = Deploy(_newNodeModules);
        var before = Snapshot(deployment.WrapperPath);

        var plan = Assert.Single(CliProcess.Run(["Get-LamassuPeerAuthPlan", .. CliMove(deployment), "--json"], null).JsonLines);
        Assert.Equal("EncodedSocketHost", plan.GetProperty("Mode").GetString());
        Assert.Equal("Set", plan.GetProperty("RolePassword").GetString());
        Assert.Equal(["Done", "Done", "Done", "Done", "Ready", "Ready", "Ready"],
            plan.GetProperty("Steps").EnumerateArray().Select(s => s.GetProperty("Status").GetString()));

        var whatIf = CliProcess.Run(["Enable-LamassuPeerAuth", .. CliMove(deployment), "--node-directory", "/usr/bin", "--what-if", "--json"], null);
        Assert.True(whatIf.ExitCode == 0, whatIf.Stderr);
        Assert.False(Assert.Single(whatIf.JsonLines).GetProperty("Written").GetBoolean());
        Assert.Contains("What if:", whatIf.Stderr);
        Assert.Equal(before, Snapshot(deployment.WrapperPath));

        var noTerminal = CliProcess.Run(["Enable-LamassuPeerAuth", .. CliMove(deployment), "--node-directory", "/usr/bin"], null);
        Assert.Equal(1, noTerminal.ExitCode);
        Assert.Contains("ConfirmationNotPossible", noTerminal.Stderr);
        Assert.Equal(before, Snapshot(deployment.WrapperPath));

        var enabled = CliProcess.Run(["Enable-LamassuPeerAuth", .. CliMove(deployment), "--node-directory", "/usr/bin", "--force", "--json"], null);
        Assert.True(enabled.ExitCode == 0, enabled.Stderr);
        var change = Assert.Single(enabled.JsonLines);
        Assert.True(change.GetProperty("Probe").GetProperty("Passed").GetBoolean());

        // Another process: its probe id is no evidence here, so Disable-LamassuPasswordLogin probes the wrapper itself.
        var disabled = CliProcess.Run(["Disable-LamassuPasswordLogin", Role, "--database-name", Role, "--socket-directory", _server.SocketDirectory,
            "--port", _server.Port.ToString(), "--probe-id", change.GetProperty("ProbeId").GetString()!, "--package-path", deployment.Package.Root,
            "--wrapper-path", deployment.WrapperPath, "--service-user", Role, "--force", "--json"], null);
        Assert.True(disabled.ExitCode == 0, disabled.Stderr);
        var removal = Assert.Single(disabled.JsonLines);
        Assert.True(removal.GetProperty("PasswordRemoved").GetBoolean());
        Assert.NotEqual(change.GetProperty("ProbeId").GetString(), removal.GetProperty("ProbeId").GetString());
        Assert.Contains("The only way back is a new password", disabled.Stderr);
        Assert.Null(PasswordHash());
        Assert.DoesNotContain(RolePassword, enabled.Stdout + enabled.Stderr + disabled.Stdout + disabled.Stderr);

        var nix = CliProcess.Run(["New-LamassuNixModuleChange", deployment.Package.Root, "--database-user", Role, "--database-name", Role, "--json"], null);
        Assert.True(nix.ExitCode == 0, nix.Stderr);
        Assert.Contains("ensureDBOwnership = true;", Assert.Single(nix.JsonLines).GetProperty("Snippet").GetString());
    }
}
