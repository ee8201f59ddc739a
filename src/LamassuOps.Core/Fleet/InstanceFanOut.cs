using System.Collections.Concurrent;

namespace LamassuOps.Core.Fleet;

/// <summary>An <see cref="IOperationHost"/> that also takes non-terminating errors: a failure of one item, the rest go on.</summary>
public interface IFanOutHost : IOperationHost
{
    void WriteError(LamassuOpsException error);
}

/// <summary>
/// Runs a per-instance piece of work over many instances in parallel, at most <c>throttleLimit</c> at a time, and
/// streams the results on the calling thread as they come (in any order; the same results as a serial run). Everything
/// the work says to its host (errors, warnings, verbose output, progress, ShouldProcess) is passed to the caller's
/// host on the calling thread too, so a PowerShell cmdlet can write it. An instance that fails is one error, the
/// instance's name its target, and the others go on. Progress: a parent record for the whole run and one per instance.
/// Stopping (the host's token, or the caller abandoning the stream) cancels every instance and returns only once no
/// work runs any more, so no change is left half-done and every connection the work opened is closed.
/// </summary>
public static class InstanceFanOut
{
    /// <summary>One instance per core: the checks are local reads, and a remote instance mostly waits.</summary>
    public static int DefaultThrottleLimit => Math.Max(1, Environment.ProcessorCount);

    /// <summary>What the caller's thread can have waiting for it at most before the work waits for the caller.</summary>
    private const int QueueCapacity = 1024;

    /// <summary>The parent progress activity of a run named <paramref name="activity"/>.</summary>
    public static string ParentActivity(string activity, int count) => $"{activity} on {count} instance{(count == 1 ? "" : "s")}";

    public static IEnumerable<object> Run(IReadOnlyList<LamassuOpsInstance> instances, int throttleLimit, string activity,
        Func<LamassuOpsInstance, IFanOutHost, IEnumerable<object>> work, IFanOutHost host)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        if (instances.Count == 0) yield break;
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(host.CancellationToken);
        using var queue = new BlockingCollection<Message>(QueueCapacity);
        var parent = ParentActivity(activity, instances.Count);
        var next = -1;
        var done = 0;
        var running = Math.Min(throttleLimit, instances.Count);

        void Worker()
        {
            try
            {
                for (var index = Interlocked.Increment(ref next); index < instances.Count; index = Interlocked.Increment(ref next))
                {
                    var instance = instances[index];
                    var instanceHost = new InstanceHost(instance, parent, queue, stopping.Token);
                    instanceHost.Progress("Running");
                    RunOne(instance, instanceHost, work);
                    instanceHost.Progress("Done", completed: true);
                    var finished = Interlocked.Increment(ref done);
                    instanceHost.Post(h => h.WriteProgress(new OperationProgress(parent, $"{finished} of {instances.Count} done",
                        finished * 100 / instances.Count)));
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Stopped: the caller's thread reports it.
            }
            finally
            {
                if (Interlocked.Decrement(ref running) == 0) queue.CompleteAdding();
            }
        }

        var workers = Enumerable.Range(0, running)
            .Select(_ => Task.Factory.StartNew(Worker, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        try
        {
            host.WriteProgress(new OperationProgress(parent, $"0 of {instances.Count} done", 0));
            foreach (var message in queue.GetConsumingEnumerable(host.CancellationToken))
            {
                if (message.Output is { } output) yield return output;
                else message.Call!(host);
            }
            host.WriteProgress(new OperationProgress(parent, $"{instances.Count} of {instances.Count} done", 100, Completed: true));
        }
        finally
        {
            stopping.Cancel();
            Task.WaitAll(workers);
        }
    }

    /// <summary>One instance's work: its results streamed, a failure reported as this instance's error.</summary>
    private static void RunOne(LamassuOpsInstance instance, InstanceHost host, Func<LamassuOpsInstance, IFanOutHost, IEnumerable<object>> work)
    {
        try
        {
            foreach (var result in work(instance, host))
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                host.Emit(result);
            }
        }
        catch (OperationCanceledException) when (host.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (LamassuOpsException error)
        {
            host.WriteError(error);
        }
        catch (Exception error)
        {
            host.WriteError(new LamassuOpsException("InstanceFailed", FailureKind.NotSpecified, error.Message, instance.Name,
                "Run the command on this instance alone (with -Verbose) to see where it fails.", error));
        }
    }

    /// <summary>What a worker hands to the caller's thread: an output object, or a call on the caller's host.</summary>
    private sealed record Message(object? Output, Action<IFanOutHost>? Call);

    /// <summary>The host one instance's work sees: every call goes to the caller's thread through the queue.</summary>
    private sealed class InstanceHost(LamassuOpsInstance instance, string parent, BlockingCollection<Message> queue, CancellationToken stopping)
        : IFanOutHost
    {
        public CancellationToken CancellationToken => stopping;

        public void Emit(object output) => queue.Add(new Message(output, null), stopping);

        public void Post(Action<IFanOutHost> call) => queue.Add(new Message(null, call), stopping);

        public void Progress(string status, bool completed = false) =>
            Post(h => h.WriteProgress(new OperationProgress(instance.Name, status, completed ? 100 : -1, completed, parent)));

        public bool ShouldProcess(string target, string action)
        {
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(h =>
            {
                try
                {
                    answer.SetResult(h.ShouldProcess(target, action));
                }
                catch (Exception e)
                {
                    answer.SetException(e);
                }
            });
            return answer.Task.WaitAsync(stopping).GetAwaiter().GetResult();
        }

        public void WriteVerbose(string message) => Post(h => h.WriteVerbose($"{instance.Name}: {message}"));

        public void WriteWarning(string message) => Post(h => h.WriteWarning($"{instance.Name}: {message}"));

        /// <summary>The work's own progress, under this instance's record.</summary>
        public void WriteProgress(OperationProgress progress) =>
            Post(h => h.WriteProgress(progress with { Activity = $"{instance.Name}: {progress.Activity}", ParentActivity = instance.Name }));

        /// <summary>The instance's name is the error's target and starts its message.</summary>
        public void WriteError(LamassuOpsException error)
        {
            var errorId = error.ErrorId; // passed through: the instance's own failure
            Post(h => h.WriteError(new LamassuOpsException(errorId, error.Kind, $"{instance.Name}: {error.Message}", instance.Name,
                error.RecommendedAction, error)));
        }
    }
}
