using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Postgres;

public sealed class ConvertFromPostgresUrlCliTests
{
    [Fact]
    public void JsonOutputHasThePartsAndTheNpgsqlStringWithThePasswordMasked()
    {
        var result = CliProcess.Run("ConvertFrom-PostgresUrl", "postgres://lamassu:s3cret-password@%2Frun%2Fpostgresql:5433/lamassu", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var info = Assert.Single(result.JsonLines);
        Assert.Equal("/run/postgresql", info.GetProperty("Host").GetString());
        Assert.Equal(5433, info.GetProperty("Port").GetInt32());
        Assert.Equal("lamassu", info.GetProperty("Username").GetString());
        Assert.Equal("lamassu", info.GetProperty("Database").GetString());
        Assert.True(info.GetProperty("IsUnixSocket").GetBoolean());
        Assert.Equal("/run/postgresql/.s.PGSQL.5433", info.GetProperty("SocketPath").GetString());
        Assert.Contains("Host=/run/postgresql;Port=5433;Username=lamassu;Database=lamassu", info.GetProperty("NpgsqlConnectionString").GetString());
        Assert.DoesNotContain("s3cret-password", result.Stdout + result.Stderr);
    }

    [Fact]
    public void IncludeSecretShowsThePassword()
    {
        var result = CliProcess.Run("ConvertFrom-PostgresUrl", "--url", "postgresql://u:s3cret-password@127.0.0.1/db", "--include-secret", "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("s3cret-password", Assert.Single(result.JsonLines).GetProperty("Password").GetString());
    }

    [Fact]
    public void RefusedUrlExitsWithItsErrorIdAndFix()
    {
        var result = CliProcess.Run("ConvertFrom-PostgresUrl", "postgres://lamassu:@/run/postgresql:5432/lamassu", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("PostgresUrlUnencodedSocketPath", result.Stderr);
        Assert.Contains("fix: Percent-encode", result.Stderr);
    }
}
