# Real "hosts" for the remoting tests: sshd (Debian's openssh-server, bash tests/prepare.sh installs it) on 127.0.0.1,
# each on a free port of its own, with a config, host key and authorized key of its own in a temporary directory.
# Dot-source it after Common.ps1. Every host lets the test's key log in as the user running the tests (root in CI).

# The key pair the tests log in with and the known_hosts file every host's key goes into, in $Directory.
function New-TestSshClient {
    param([string] $Directory)
    $null = New-Item -ItemType Directory -Path $Directory -Force
    $key = Join-Path $Directory 'id_ed25519'
    ssh-keygen -q -t ed25519 -N '' -C lamassuops-test -f $key
    if ($LASTEXITCODE -ne 0) { throw 'ssh-keygen could not make the test key' }
    $knownHosts = Join-Path $Directory 'known_hosts'
    $null = New-Item -ItemType File -Path $knownHosts
    [pscustomobject]@{
        Directory   = $Directory
        KeyFilePath = $key
        KnownHosts  = $knownHosts
        # What Invoke-Command -Options, -SshOption and ssh -o take: this known_hosts only, never a prompt.
        Options     = @{ UserKnownHostsFile = $knownHosts; StrictHostKeyChecking = 'yes'; BatchMode = 'yes' }
    }
}

# Starts one sshd. -ModulePath is the PSModulePath its sessions see (the packaged module's parent folder, or an empty
# one for a host without the module); -BinPath goes first on their PATH; -NoPowerShell leaves the powershell
# subsystem out (a host where remoting cannot start). Returns the host: Port, Directory, ProcessId.
function Start-TestSshHost {
    param($Client, [string] $Name, [string] $ModulePath, [string] $BinPath, [switch] $NoPowerShell)
    $directory = Join-Path $Client.Directory $Name
    $null = New-Item -ItemType Directory -Path $directory
    $hostKey = Join-Path $directory 'host_ed25519'
    ssh-keygen -q -t ed25519 -N '' -f $hostKey
    Copy-Item "$($Client.KeyFilePath).pub" (Join-Path $directory 'authorized_keys')
    $port = Get-FreeTcpPort
    $pwsh = Join-Path ($env:LAMASSUOPS_TOOLS ?? '/opt/lamassuops-tools') 'pwsh' 'pwsh'
    $path = (@($BinPath) + '/usr/local/bin', '/usr/bin', '/bin' | Where-Object { $_ }) -join ':'
    $config = Join-Path $directory 'sshd_config'
    @(
        "Port $port"
        'ListenAddress 127.0.0.1'
        "HostKey $hostKey"
        "PidFile $directory/sshd.pid"
        "AuthorizedKeysFile $directory/authorized_keys"
        'PasswordAuthentication no'
        'KbdInteractiveAuthentication no'
        'PermitRootLogin prohibit-password'
        'UsePAM no'
        # The temporary directory is under /tmp, which is world-writable: sshd's owner checks would refuse the key.
        'StrictModes no'
        "SetEnv PSModulePath=$ModulePath PATH=$path"
        if (-not $NoPowerShell) { "Subsystem powershell $pwsh -sshs -NoLogo" }
    ) | Set-Content -LiteralPath $config
    $null = New-Item -ItemType Directory -Path /run/sshd -Force
    /usr/sbin/sshd -f $config -E (Join-Path $directory 'sshd.log')
    if ($LASTEXITCODE -ne 0) { throw "sshd did not start: $(Get-Content -Raw (Join-Path $directory 'sshd.log'))" }
    $pidFile = Join-Path $directory 'sshd.pid'
    $deadline = [datetime]::UtcNow.AddSeconds(20)
    while (-not (Test-Path $pidFile) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
    if (-not (Test-Path $pidFile)) { throw "sshd wrote no pid file: $(Get-Content -Raw (Join-Path $directory 'sshd.log'))" }
    "[127.0.0.1]:$port $((Get-Content -Raw "$hostKey.pub").Split(' ')[0..1] -join ' ')" | Add-Content -LiteralPath $Client.KnownHosts
    [pscustomobject]@{ Name = $Name; Port = $port; Directory = $directory; ProcessId = [int](Get-Content $pidFile) }
}

# Stops the sshd hosts Start-TestSshHost started (each by its own process id) and their sessions.
function Stop-TestSshHost {
    param($SshHost)
    foreach ($one in $SshHost) {
        if ($one.ProcessId) { Stop-Process -Id $one.ProcessId -ErrorAction Ignore }
    }
}
