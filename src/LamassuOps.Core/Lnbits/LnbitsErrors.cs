namespace LamassuOps.Core.Lnbits;

/// <summary>The failures of reading an LNbits database, each with its error id and fix.</summary>
internal static class LnbitsErrors
{
    public static LamassuOpsException NotFound(string path) => new("LnbitsDatabaseNotFound", FailureKind.ObjectNotFound,
        $"No LNbits database at '{path}'.", path,
        "Give LNbits' SQLite file (database.sqlite3 in LNBITS_DATA_FOLDER) or, for PostgreSQL, the value of LNBITS_DATABASE_URL.");

    public static LamassuOpsException IsDirectory(string path) => new("LnbitsPathIsDirectory", FailureKind.InvalidArgument,
        $"'{path}' is a directory, not a database file.", path,
        $"Give the database file in it: LNbits on SQLite keeps its accounts in {Path.Combine(path, "database.sqlite3")}.");

    public static LamassuOpsException NoAccountsTable(string name) => new("LnbitsAccountsTableNotFound", FailureKind.InvalidData,
        $"'{name}' has no accounts table: it is not LNbits' core database.", name,
        "Give LNbits' core database (database.sqlite3 on SQLite), not an extension's database or another program's.");

    public static LamassuOpsException NoSignerConfig(string name) => new("LnbitsSignerConfigNotFound", FailureKind.InvalidData,
        $"The accounts table of '{name}' has no signer_config column: this LNbits does not pair accounts with a remote bunker.", name,
        "Give the database of the LNbits fork that signs through nsecbunkerd (it adds accounts.signer_config).");

    public static LamassuOpsException UnreadableAccounts(string name, string detail, Exception? inner = null) => new(
        "LnbitsDatabaseUnreadable", FailureKind.ReadError, $"The accounts of '{name}' cannot be read: {detail}.", name,
        "Check that the file is LNbits' SQLite database (not a backup archive) and that it is readable, or that the URL names LNbits' PostgreSQL database.",
        inner);
}
