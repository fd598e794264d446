using System.Security.Cryptography;
using System.Text;
using Hybrid.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Trainer;

/// <summary>
/// The trainer's checkpoint: after every epoch, the configuration, the epoch, the metrics so far, the
/// model's state and the optimiser's state, followed by the SHA-256 of everything before it. A reader
/// checks the checksum before it parses a byte, parses exactly to the checksum (nothing after), and
/// refuses weights that are not finite; every refusal is an <see cref="InvalidDataException"/> that
/// names the checkpoint and the problem.
/// </summary>
public static class Checkpoint
{
    /// <summary>The first string of a checkpoint (format 2: with its SHA-256).</summary>
    public const string Magic = "HYBRID-CHECKPOINT-2";

    private const string OldMagic = "HYBRID-CHECKPOINT-1";
    private const int HashBytes = 32;

    /// <summary>Writes a checkpoint to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, string configJson, int epoch, IReadOnlyList<EpochMetrics> rows, nn.Module model,
        optim.Optimizer optimizer)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(configJson);
            w.Write(epoch);
            w.Write(EpochMetrics.Csv(rows));
            model.save(w);
            OptimizerCatalog.Save(optimizer, w);
        }
        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        stream.Write(bytes);
        stream.Write(SHA256.HashData(bytes));
    }

    /// <summary>The header of a checkpoint whose checksum held, and a reader positioned at the model's state.</summary>
    public sealed class Reader : IDisposable
    {
        internal Reader(string location, BinaryReader body, long length, string config, int epoch, List<EpochMetrics> rows)
            => (Location, Body, _length, Config, Epoch, Metrics) = (location, body, length, config, epoch, rows);

        private readonly long _length;

        /// <summary>What the checkpoint is called in messages.</summary>
        public string Location { get; }
        /// <summary>The body, positioned after the header.</summary>
        public BinaryReader Body { get; }
        /// <summary>The configuration the run was made with.</summary>
        public string Config { get; }
        /// <summary>The last completed epoch.</summary>
        public int Epoch { get; }
        /// <summary>The metrics up to <see cref="Epoch"/>.</summary>
        public List<EpochMetrics> Metrics { get; }

        /// <summary>Loads the model's state, checks every weight is finite, and (when given) the optimiser's state; nothing may follow.</summary>
        /// <exception cref="InvalidDataException">The state does not fit the model, a weight is NaN or infinite, or bytes are left over.</exception>
        public void LoadInto(nn.Module model, optim.Optimizer? optimizer)
        {
            Guard(() => model.load(Body));
            RequireFinite(model, Location);
            if (optimizer is null) return;
            Guard(() => OptimizerCatalog.Load(optimizer, Body));
            if (Body.BaseStream.Position != _length)
                throw new InvalidDataException($"{Location}: {_length - Body.BaseStream.Position} bytes after the optimiser's state; the file is not one checkpoint.");
        }

        private void Guard(Action load)
        {
            try { load(); }
            catch (EndOfStreamException) { throw new InvalidDataException($"{Location} is truncated inside the model or optimiser state."); }
            // TorchSharp's state loaders trust their input: a damaged length or shape surfaces as whatever they hit
            // (found by fuzzing: OverflowException, FormatException, IOException, ArgumentException)
            catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
            {
                throw new InvalidDataException($"{Location} does not fit this model and optimiser ({e.Message.Split('\n')[0]}).", e);
            }
        }

        /// <inheritdoc />
        public void Dispose() => Body.Dispose();
    }

    /// <summary>Reads a checkpoint's bytes: checksum, header, then hands back a reader for the states.</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="location">The checkpoint's name in messages (a path).</param>
    /// <exception cref="InvalidDataException">Anything wrong, naming <paramref name="location"/>.</exception>
    public static Reader Open(byte[] bytes, string location)
    {
        if (bytes.Length < HashBytes + 1)
            throw new InvalidDataException($"{location} is {bytes.Length} bytes long, too short to be a checkpoint.");
        int bodyLength = bytes.Length - HashBytes;
        var body = bytes.AsSpan(0, bodyLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
        {
            if (StartsWith(bytes, OldMagic))
                throw new InvalidDataException($"{location} was written by an older Hybrid without a checksum; it cannot be verified, so it is not resumed.");
            throw new InvalidDataException($"{location} fails its SHA-256 check: it was damaged or changed after it was written.");
        }
        var r = new BinaryReader(new MemoryStream(bytes, 0, bodyLength, writable: false), Encoding.UTF8);
        try
        {
            if (r.ReadString() != Magic) throw new InvalidDataException($"{location} is not a Hybrid checkpoint.");
            string config = r.ReadString();
            int epoch = r.ReadInt32();
            if (epoch < 1) throw new InvalidDataException($"{location} records epoch {epoch}; a checkpoint follows a completed epoch.");
            List<EpochMetrics> rows;
            try { rows = EpochMetrics.ParseCsv(r.ReadString()); }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new InvalidDataException($"{location}: its metrics are not numbers ({e.Message}).", e);
            }
            if (rows.Count != epoch)
                throw new InvalidDataException($"{location} records epoch {epoch} but metrics for {rows.Count} epochs.");
            return new Reader(location, r, bodyLength, config, epoch, rows);
        }
        catch (EndOfStreamException)
        {
            r.Dispose();
            throw new InvalidDataException($"{location} is truncated.");
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            // BinaryReader.ReadString on a damaged length prefix (found by fuzzing)
            r.Dispose();
            throw new InvalidDataException($"{location}: a damaged string in its header ({e.Message}).", e);
        }
        catch (InvalidDataException e)
        {
            r.Dispose();
            throw e.Message.StartsWith(location, StringComparison.Ordinal) ? e : new InvalidDataException($"{location}: {e.Message}", e);
        }
        catch
        {
            r.Dispose();
            throw;
        }
    }

    /// <summary>Reads a whole checkpoint stream into memory (bounded by its length) and opens it.</summary>
    public static Reader Open(Stream stream, string location)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return Open(ms.ToArray(), location);
    }

    /// <summary>The number of NaN or infinite elements in the model's floating-point parameters and buffers.</summary>
    public static long NonFinite(nn.Module model)
    {
        long bad = 0;
        using var scope = torch.NewDisposeScope();
        foreach (var t in model.parameters().Cast<Tensor>().Concat(model.buffers()))
            if (t.is_floating_point()) bad += t.isfinite().logical_not().sum().item<long>();
        return bad;
    }

    /// <summary>Throws unless every weight of <paramref name="model"/> is finite.</summary>
    public static void RequireFinite(nn.Module model, string location)
    {
        long bad = NonFinite(model);
        if (bad > 0)
            throw new InvalidDataException($"{location} holds {bad} NaN or infinite weights; it is not a checkpoint to continue from.");
    }

    private static bool StartsWith(byte[] bytes, string magic)
    {
        var m = Encoding.UTF8.GetBytes(magic);
        return bytes.Length > m.Length && bytes[0] == m.Length && bytes.AsSpan(1, m.Length).SequenceEqual(m);
    }
}
