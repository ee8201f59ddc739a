using LamassuOps.Core.Postgres;

namespace LamassuOps.Core.Lamassu;

/// <summary>Options of Enable-LamassuPeerAuth: the move, the mode, and wrapper values the wrapper in place does not give.</summary>
public sealed record EnablePeerAuthOptions
{
    public required PeerAuthMoveOptions Move { get; init; }

    /// <summary>Auto: the package's peer mode; PasswordTcp is refused (this command moves away from it).</summary>
    public LamassuDatabaseMode Mode { get; init; } = LamassuDatabaseMode.Auto;

    /// <summary>HOSTNAME and the other lamassu variables: from the wrapper in place when null.</summary>
    public string? Hostname { get; init; }

    public string? NodeDirectory { get; init; }
}

/// <summary>Enable-LamassuPeerAuth's result: the new wrapper, its backup, and the probe that proved it. Pipes to Disable-LamassuPasswordLogin.</summary>
public sealed class LamassuPeerAuthChange
{
    public required string WrapperPath { get; init; }

    /// <summary>The old wrapper, kept; null when there was none, or under -WhatIf.</summary>
    public string? BackupPath { get; init; }

    public required LamassuDatabaseMode Mode { get; init; }

    /// <summary>False under -WhatIf: nothing was written and nothing probed.</summary>
    public required bool Written { get; init; }

    public required string PackagePath { get; init; }

    public required string ServiceUser { get; init; }

    public required string DatabaseUser { get; init; }

    public required string DatabaseName { get; init; }

    public required string SocketDirectory { get; init; }

    public required int Port { get; init; }

    /// <summary>The probe's id, for Disable-LamassuPasswordLogin in the same process; null when not probed.</summary>
    public string? ProbeId => Probe?.ProbeId;

    public PeerProbeResult? Probe { get; init; }
}

/// <summary>
/// Writes the peer-authentication wrapper in place of the old one (kept as a dated backup; the new one no wider in
/// permissions and with the same owner), proves it with <see cref="PeerProbe"/> as the service user, and puts the old
/// one back when the probe fails: then the diagnosis is the error.
/// </summary>
public static class PeerAuthEnabler
{
    public static LamassuPeerAuthChange Enable(EnablePeerAuthOptions options, IOperationHost host)
    {
        if (OperatingSystem.IsWindows())
            throw new LamassuOpsException("WrapperNeedsUnix", FailureKind.NotEnabled, "The wrapper is a bash script for Linux hosts.");
        var move = options.Move;
        if (options.Mode == LamassuDatabaseMode.PasswordTcp)
            throw new LamassuOpsException("PeerAuthModeNotPeer", FailureKind.InvalidArgument,
                "-Mode PasswordTcp is not peer authentication: Enable-LamassuPeerAuth moves away from it.", "Mode",
                "Use -Mode Auto (the package's peer mode), DatabaseUrl or EncodedSocketHost; New-LamassuEnvWrapper writes a PasswordTcp wrapper.");
        var package = LamassuPackage.Open(move.PackagePath);
        var mode = PeerAuthReadinessReader.PeerMode(package, options.Mode, host);

        var wrapperPath = Path.GetFullPath(move.WrapperPath);
        var old = WrapperFile.Read(wrapperPath);
        var prepared = EnvWrapperWriter.Prepare(WrapperOptions(options, mode, wrapperPath, package, old), host);
        var backup = old.Exists ? BackupName(wrapperPath) : null;
        var change = new ChangeBuilder(move, package, wrapperPath, prepared.Mode);
        if (!host.ShouldProcess(wrapperPath,
                $"Replace the lamassu wrapper with one for peer authentication ({prepared.Mode}){(backup is null ? "" : $", keeping the old one as {backup}")}, " +
                $"and probe it as OS user '{move.ServiceUser}' (the old one is put back if the probe fails)"))
            return change.Build(written: false, backup: null, probe: null);

        var (fileMode, owner) = old.Exists
            ? (File.GetUnixFileMode(wrapperPath) & EnvWrapperWriter.ExecutableMode, UnixFileAccess.OwnerOf(wrapperPath))
            : (EnvWrapperWriter.ExecutableMode, (UnixOwner?)null);
        // The backup is the old wrapper itself under a second name: putting it back restores it exactly.
        if (backup is not null) KeepBackup(wrapperPath, backup);
        PeerProbeResult probe;
        try
        {
            EnvWrapperWriter.WriteExecutable(wrapperPath, prepared.Text, fileMode, host, owner);
            probe = PeerProbe.Run(wrapperPath, package, move.ServiceUser, move.ServiceEndpoint, host);
        }
        catch
        {
            PutBack(wrapperPath, backup);
            throw;
        }
        if (!probe.Passed)
        {
            PutBack(wrapperPath, backup);
            throw PeerAuthTester.Error(probe.Diagnosis,
                $"The probe as OS user '{move.ServiceUser}' failed: {probe.Message} The old wrapper was put back{(backup is null ? " (there was none: the new one was removed)" : "")}; nothing else changed.",
                probe.Fix, wrapperPath);
        }
        return change.Build(written: true, backup, probe);
    }

    private static EnvWrapperOptions WrapperOptions(EnablePeerAuthOptions options, LamassuDatabaseMode mode, string wrapperPath,
        LamassuPackage package, WrapperFile old)
    {
        var move = options.Move;
        var hostname = options.Hostname ?? old.Export("HOSTNAME")
            ?? throw new LamassuOpsException("PeerAuthHostnameUnknown", FailureKind.InvalidArgument,
                $"The wrapper {wrapperPath} does not export HOSTNAME, which the new wrapper needs (lamassu's admin server exits without it). Nothing was changed.",
                wrapperPath, "Give -Hostname, the name the ATMs reach lamassu-server by.");
        // The lamassu variables the old wrapper sets carry over; what it does not set keeps New-LamassuEnvWrapper's default.
        var defaults = new EnvWrapperOptions { Path = wrapperPath, PackagePath = package.Root, DatabaseUser = move.Role, Hostname = hostname };
        return defaults with
        {
            Mode = mode,
            DatabaseName = move.DatabaseName,
            SocketDirectory = move.SocketDirectory,
            Port = move.Port,
            KeyPath = old.Export("KEY_PATH") ?? defaults.KeyPath,
            CertPath = old.Export("CERT_PATH") ?? defaults.CertPath,
            CaPath = old.Export("CA_PATH") ?? defaults.CaPath,
            MnemonicPath = old.Export("MNEMONIC_PATH") ?? defaults.MnemonicPath,
            LogLevel = old.Export("LOG_LEVEL") ?? defaults.LogLevel,
            NodeDirectory = options.NodeDirectory,
            Force = true,
        };
    }

    /// <summary>lamassu-env.20261201T162000Z.bak beside the wrapper; a second one in the same second gets a counter.</summary>
    private static string BackupName(string wrapperPath)
    {
        var stem = $"{wrapperPath}.{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        var name = stem + ".bak";
        for (var i = 2; FileStat.Of(name).Kind != FileKind.Missing; i++) name = $"{stem}-{i}.bak";
        return name;
    }

    private static void KeepBackup(string wrapperPath, string backup)
    {
        try
        {
            UnixFileAccess.HardLink(wrapperPath, backup);
        }
        catch (IOException error)
        {
            throw new LamassuOpsException("PeerAuthBackupFailed", FailureKind.WriteError,
                $"Cannot keep the old wrapper as {backup} ({error.Message}); nothing was changed.", backup,
                "Run this as a user who may write to the wrapper's directory (root, or the directory's owner).");
        }
    }

    /// <summary>The old wrapper back in place by rename (its own inode, owner and mode); the new one removed when there was none.</summary>
    private static void PutBack(string wrapperPath, string? backup)
    {
        if (backup is null) File.Delete(wrapperPath);
        else File.Move(backup, wrapperPath, overwrite: true);
    }

    private sealed class ChangeBuilder(PeerAuthMoveOptions move, LamassuPackage package, string wrapperPath, LamassuDatabaseMode mode)
    {
        public LamassuPeerAuthChange Build(bool written, string? backup, PeerProbeResult? probe) => new()
        {
            WrapperPath = wrapperPath, BackupPath = backup, Mode = mode, Written = written, PackagePath = package.Root,
            ServiceUser = move.ServiceUser, DatabaseUser = move.Role, DatabaseName = move.DatabaseName,
            SocketDirectory = move.SocketDirectory, Port = move.Port, Probe = probe,
        };
    }
}
