# NixOS module for LamassuOps' unattended maintenance, in the style of nix-bitcoin's modules (services.<name>.*
# options, the service's own user, hardening). Import it beside nix-bitcoin:
#   imports = [ ./lamassuops/contrib/nixos/lamassuops.nix ];
#   services.lamassuops = {
#     enable = true;
#     package = pkgs.callPackage ./lamassuops-cli.nix {};   # the published CLI, bin/lamassuops
#     instances.atm-1 = {
#       bunkerDatabase = "/var/lib/nsecbunkerd/nsecbunker.db";
#       lnbitsDatabase = "/var/lib/lnbits/database.sqlite3";
#       lamassuDatabaseUrl = "postgresql://lamassu-server@/lamassu?host=/run/postgresql";
#     };
#   };
# The inventory is generated from `instances`; the script and the units are those of contrib/systemd.
{ config, lib, pkgs, ... }:

with lib;
let
  options.services.lamassuops = {
    enable = mkEnableOption "LamassuOps maintenance of the nsecbunkerd/LNbits/lamassu instances of this host";
    package = mkOption {
      type = types.package;
      description = mdDoc "The lamassuops CLI (a package with bin/lamassuops).";
    };
    instances = mkOption {
      default = {};
      description = mdDoc "The instances of this host, by name; they make the inventory (fleet.json).";
      type = types.attrsOf (types.submodule {
        options = {
          bunkerDatabase = mkOption {
            type = types.nullOr types.path;
            default = null;
            description = mdDoc "nsecbunkerd's nsecbunker.db.";
          };
          lnbitsDatabase = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = mdDoc "LNbits' database: a SQLite path or a PostgreSQL URL. Enables the pairing cross-check.";
          };
          lamassuDatabaseUrl = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = mdDoc "lamassu-server's DATABASE_URL; its peer authentication is checked.";
          };
          lamassuPackage = mkOption {
            type = types.nullOr types.path;
            default = null;
            description = mdDoc "The deployed lamassu-server package; its peer-auth readiness is checked.";
          };
          tags = mkOption {
            type = types.listOf types.str;
            default = [];
            description = mdDoc "Tags for Get-LamassuOpsInstance -Tag.";
          };
        };
      });
    };
    schedule = mkOption {
      type = types.str;
      default = "daily";
      description = mdDoc "When to run, as systemd's OnCalendar.";
    };
    user = mkOption {
      type = types.str;
      default = "nsecbunkerd";
      description = mdDoc "The user the maintenance runs as: it must own the bunker databases (backups are made beside them).";
    };
    group = mkOption {
      type = types.str;
      default = cfg.user;
      description = mdDoc "The group the maintenance runs as.";
    };
    signingLogAge = mkOption {
      type = types.str;
      default = "30.00:00:00";
      description = mdDoc "SigningLog rows older than this are pruned (a TimeSpan as PowerShell writes it).";
    };
    requestAge = mkOption {
      type = types.str;
      default = "01:00:00";
      description = mdDoc "Request rows older than this are deleted.";
    };
    backupMaxAge = mkOption {
      type = types.str;
      default = "1.00:00:00";
      description = mdDoc "The health view warns when the newest verified backup is older than this.";
    };
  };

  cfg = config.services.lamassuops;

  inventory = pkgs.writeText "lamassuops-fleet.json" (builtins.toJSON {
    instances = mapAttrsToList (name: instance:
      { inherit name; } // filterAttrs (_: value: value != null && value != []) instance
    ) cfg.instances;
  });

  bunkerDirectories = unique (map dirOf (filter (path: path != null)
    (mapAttrsToList (_: instance: instance.bunkerDatabase) cfg.instances)));
in {
  inherit options;

  config = mkIf cfg.enable {
    systemd.services.lamassuops-maintenance = {
      description = "LamassuOps maintenance: backup, strip stale copies, prune, check health";
      after = [ "postgresql.service" "nsecbunkerd.service" ];
      path = [ cfg.package pkgs.jq ];
      environment = {
        LAMASSUOPS_INVENTORY = "${inventory}";
        LAMASSUOPS_SIGNING_LOG_AGE = cfg.signingLogAge;
        LAMASSUOPS_REQUEST_AGE = cfg.requestAge;
        LAMASSUOPS_BACKUP_MAX_AGE = cfg.backupMaxAge;
      };
      serviceConfig = {
        Type = "oneshot";
        User = cfg.user;
        Group = cfg.group;
        ExecStart = "${pkgs.bash}/bin/bash ${../systemd/lamassuops-maintenance}";
        SyslogIdentifier = "lamassuops";
        ProtectSystem = "strict";
        ReadWritePaths = bunkerDirectories;
        ProtectHome = true;
        PrivateTmp = true;
        NoNewPrivileges = true;
        PrivateDevices = true;
        ProtectKernelTunables = true;
        ProtectControlGroups = true;
        RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];
        UMask = "0077";
      };
    };

    systemd.timers.lamassuops-maintenance = {
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnCalendar = cfg.schedule;
        RandomizedDelaySec = "15min";
        Persistent = true;
      };
    };
  };
}
