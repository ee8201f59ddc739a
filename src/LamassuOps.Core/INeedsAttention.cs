namespace LamassuOps.Core;

/// <summary>
/// A result that can say it needs an operator's attention (a pairing that is not healthy). lamassuops exits 1 when
/// any result it printed says so, like a False answer, so that a timer or a script can act on it.
/// </summary>
public interface INeedsAttention
{
    bool NeedsAttention { get; }
}
