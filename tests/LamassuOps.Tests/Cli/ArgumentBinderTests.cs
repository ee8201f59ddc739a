using System.Management.Automation;
using LamassuOps.Cli;
using LamassuOps.Core;
using LamassuOps.Tests.Fixtures;

namespace LamassuOps.Tests.Cli;

/// <summary>lamassuops argument binding over the sample cmdlets, described from their attributes.</summary>
public sealed class ArgumentBinderTests
{
    private static readonly CommandDefinition GetSample = CommandCatalog.Describe(typeof(GetSampleItemCommand));
    private static readonly CommandDefinition RemoveSample = CommandCatalog.Describe(typeof(RemoveSampleItemCommand));
    private static readonly CommandDefinition SetSample = CommandCatalog.Describe(typeof(SetSampleModeCommand));

    private static (BoundCommand Bound, T Cmdlet) Bind<T>(CommandDefinition definition, params string[] args) where T : LamassuCmdlet
    {
        var bound = ArgumentBinder.Bind(definition, args);
        return (bound, Assert.IsType<T>(bound.Cmdlet));
    }

    private static LamassuOpsException UsageError(CommandDefinition definition, params string[] args) =>
        Assert.Throws<LamassuOpsException>(() => ArgumentBinder.Bind(definition, args));

    [Fact]
    public void NamedParametersBindInKebabCaseAndByTheirOwnName()
    {
        var (bound, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "--path", "a.db", "--Limit", "7", "--as-of=2026-06-19T12:00:00Z");

        Assert.Equal(["a.db"], cmdlet.Path);
        Assert.Equal(7, cmdlet.Limit);
        Assert.Equal(new DateTimeOffset(2026, 6, 19, 12, 0, 0, TimeSpan.Zero), cmdlet.AsOf);
        Assert.Equal("Path", bound.ParameterSetName);
        Assert.True(bound.IsBound("Path") && bound.IsBound("Limit") && bound.IsBound("AsOf"));
        Assert.False(bound.IsBound("Name"));
    }

    [Fact]
    public void AliasesBindInKebabCase()
    {
        var (bound, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "--ps-path", "a.db");

        Assert.Equal(["a.db"], cmdlet.LiteralPath);
        Assert.Equal("LiteralPath", bound.ParameterSetName);
    }

    [Fact]
    public void AnArrayParameterTakesValuesUntilTheNextOption()
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "--path", "a.db", "b.db", "c.db", "--name", "x*", "y");

        Assert.Equal(["a.db", "b.db", "c.db"], cmdlet.Path);
        Assert.Equal(["x*", "y"], cmdlet.Name!);
    }

    [Fact]
    public void PositionalValuesFillPositionsInOrderLikePowerShell()
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "a.db", "key*");

        Assert.Equal(["a.db"], cmdlet.Path);
        Assert.Equal(["key*"], cmdlet.Name!);
    }

    [Fact]
    public void TheLastPositionalArrayTakesEveryRemainingValue()
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "--path", "a.db", "--", "k1", "k2");

        Assert.Equal(["a.db"], cmdlet.Path);
        Assert.Equal(["k1", "k2"], cmdlet.Name!);
    }

    [Fact]
    public void DoubleDashEndsOptionsSoAFileMayStartWithADash()
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "--limit", "1", "--", "--odd-name.db");

        Assert.Equal(["--odd-name.db"], cmdlet.Path);
        Assert.Equal(1, cmdlet.Limit);
    }

    [Fact]
    public void SingleDashParameterNamesAreRefusedNotTakenAsValues()
    {
        // `Remove-SampleItem x.db -WhatIf` must never delete x.db because -WhatIf became a second path.
        var error = UsageError(RemoveSample, "x.db", "-WhatIf");

        Assert.Equal("SingleDashParameter", error.ErrorId);
        Assert.Contains("--what-if", error.Message);
        Assert.Equal("SingleDashParameter", UsageError(GetSample, "-Path", "a.db").ErrorId);
        Assert.Contains("--path", UsageError(GetSample, "-Path", "a.db").Message);
    }

    [Fact]
    public void NegativeNumbersAreValuesNotOptions()
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "a.db", "--limit", "-1", "--older-than", "-5m");

        Assert.Equal(-1, cmdlet.Limit);
        Assert.Equal(TimeSpan.FromMinutes(-5), cmdlet.OlderThan);
    }

    [Fact]
    public void SwitchesAreOnWhenGivenAndOffWithFalse()
    {
        var (on, onCmdlet) = Bind<GetSampleItemCommand>(GetSample, "a.db", "--include-secret");
        var (off, offCmdlet) = Bind<GetSampleItemCommand>(GetSample, "a.db", "--include-secret:false");
        var (_, absent) = Bind<GetSampleItemCommand>(GetSample, "a.db");

        Assert.True(onCmdlet.IsPresent(onCmdlet.IncludeSecret, "IncludeSecret"));
        Assert.False(offCmdlet.IsPresent(offCmdlet.IncludeSecret, "IncludeSecret"));
        Assert.True(off.IsBound("IncludeSecret"));
        Assert.False(absent.IsPresent(absent.IncludeSecret, "IncludeSecret"));
        Assert.True(on.IsBound("IncludeSecret"));
        Assert.Equal("InvalidSwitchValue", UsageError(GetSample, "a.db", "--include-secret:maybe").ErrorId);
    }

    [Fact]
    public void EnumsBindByNameCaseInsensitivelyAndRefuseUndefinedValues()
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "a.db", "--state", "live", "REVOKED");

        Assert.Equal([SampleState.Live, SampleState.Revoked], cmdlet.State);
        var error = UsageError(GetSample, "a.db", "--state", "Gone");
        Assert.Equal("InvalidArgumentValue", error.ErrorId);
        Assert.Contains("Live, Expired, Revoked", error.Message);
        Assert.Equal("InvalidArgumentValue", UsageError(GetSample, "a.db", "--state", "7").ErrorId);
    }

    [Theory]
    [InlineData("90s", 0, 0, 1, 30)]
    [InlineData("15m", 0, 0, 15, 0)]
    [InlineData("12h", 0, 12, 0, 0)]
    [InlineData("30d", 30, 0, 0, 0)]
    [InlineData("2w", 14, 0, 0, 0)]
    [InlineData("1.5h", 0, 1, 30, 0)]
    [InlineData("30.00:00:00", 30, 0, 0, 0)]
    [InlineData("01:30:00", 0, 1, 30, 0)]
    public void TimeSpansTakeShortFormsAndPowerShellsForm(string text, int days, int hours, int minutes, int seconds)
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "a.db", "--older-than", text);

        Assert.Equal(new TimeSpan(days, hours, minutes, seconds), cmdlet.OlderThan);
    }

    [Theory]
    [InlineData("2026-06-19", "2026-06-19T00:00:00+00:00")]
    [InlineData("2026-06-19T12:30:00Z", "2026-06-19T12:30:00+00:00")]
    [InlineData("2026-06-19T12:30:00+02:00", "2026-06-19T12:30:00+02:00")]
    [InlineData("2026-06-19 12:30", "2026-06-19T12:30:00+00:00")]
    public void DatesWithoutAnOffsetAreUtc(string text, string expected)
    {
        var (_, cmdlet) = Bind<GetSampleItemCommand>(GetSample, "a.db", "--as-of", text);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cmdlet.AsOf);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, cmdlet.AsOf!.Value.Offset);
    }

    [Theory]
    [InlineData("--older-than", "soon", "time span")]
    [InlineData("--as-of", "yesterday", "date")]
    [InlineData("--limit", "many", "Int32")]
    [InlineData("--limit", "99999999999", "Int32")]
    public void BadValuesAreUsageErrorsThatSayWhatIsExpected(string option, string value, string expected)
    {
        var error = UsageError(GetSample, "a.db", option, value);

        Assert.Equal("InvalidArgumentValue", error.ErrorId);
        Assert.Contains(expected, error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public void TheParameterSetIsChosenByWhatWasGiven()
    {
        var (byName, byNameCmdlet) = Bind<SetSampleModeCommand>(SetSample, "alice", "Expired");
        var (byId, byIdCmdlet) = Bind<SetSampleModeCommand>(SetSample, "--id", "42", "--mode", "Revoked");
        var (positionalMode, positionalModeCmdlet) = Bind<SetSampleModeCommand>(SetSample, "--id", "42", "Live");

        Assert.Equal("ByName", byName.ParameterSetName);
        Assert.Equal(("alice", SampleState.Expired), (byNameCmdlet.Name, byNameCmdlet.Mode));
        Assert.Equal("ById", byId.ParameterSetName);
        Assert.Equal((42, SampleState.Revoked), (byIdCmdlet.Id, byIdCmdlet.Mode));
        Assert.Equal("ById", positionalMode.ParameterSetName);
        Assert.Equal(SampleState.Live, positionalModeCmdlet.Mode);
    }

    [Fact]
    public void ParametersOfDifferentSetsCannotBeMixed()
    {
        var error = UsageError(GetSample, "--path", "a.db", "--literal-path", "b.db");

        Assert.Equal("AmbiguousParameterSet", error.ErrorId);
        Assert.Contains("--path", error.Message);
        Assert.Contains("--literal-path", error.Message);
    }

    [Fact]
    public void AMissingMandatoryParameterIsNamedForTheDefaultSet()
    {
        var missingPath = UsageError(GetSample, "--limit", "3");
        var missingMode = UsageError(SetSample, "--id", "1");

        Assert.Equal("MissingMandatoryParameter", missingPath.ErrorId);
        Assert.Equal("Get-SampleItem needs --path.", missingPath.Message);
        Assert.Equal("MissingMandatoryParameter", missingMode.ErrorId);
        Assert.Equal("Set-SampleMode needs --mode.", missingMode.Message);
    }

    [Fact]
    public void ValidateSetAndValidateNotNullOrEmptyAreEnforced()
    {
        var (_, cmdlet) = Bind<RemoveSampleItemCommand>(RemoveSample, "a.db", "--kind", "log");

        Assert.Equal("log", cmdlet.Kind);
        var error = UsageError(RemoveSample, "a.db", "--kind", "Everything");
        Assert.Equal("InvalidArgumentValue", error.ErrorId);
        Assert.Contains("Request, Log", error.Message);
        Assert.Equal("EmptyArgument", UsageError(GetSample, "a.db", "--name", "").ErrorId);
    }

    [Fact]
    public void UnknownDuplicateAndValuelessParametersAreUsageErrors()
    {
        Assert.Equal("UnknownParameter", UsageError(GetSample, "a.db", "--colour", "red").ErrorId);
        Assert.Equal("DuplicateParameter", UsageError(GetSample, "--limit", "1", "--limit", "2", "a.db").ErrorId);
        Assert.Equal("MissingArgument", UsageError(GetSample, "a.db", "--limit").ErrorId);
        Assert.Equal("UnexpectedArgument", UsageError(SetSample, "a", "Live", "extra").ErrorId);
    }

    [Fact]
    public void WhatIfAndConfirmExistOnlyForShouldProcessCommands()
    {
        var (bound, _) = Bind<RemoveSampleItemCommand>(RemoveSample, "a.db", "--what-if", "--confirm:false", "--json", "--verbose");

        Assert.Equal(new CommonOptions(Json: true, Verbose: true, WhatIf: true, Confirm: false, Help: false), bound.Options);
        Assert.Equal("UnknownParameter", UsageError(GetSample, "a.db", "--what-if").ErrorId);
    }

    [Fact]
    public void HelpNeedsNoMandatoryParameters()
    {
        var bound = ArgumentBinder.Bind(RemoveSample, ["--help"]);

        Assert.True(bound.Options.Help);
    }

    [Fact]
    public void SwitchParameterIsTheReferenceAssemblysEmptyStub()
    {
        // Why lamassuops records switches itself (LamassuCmdlet.IsPresent): the stub reports every switch as off.
        Assert.False(new SwitchParameter(true).IsPresent);
    }
}
