using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Data;

/// <summary>Reading a pinned file: refused unless it is a regular file of its pinned size and SHA-256.</summary>
public static class PinnedFiles
{
    /// <summary>The bytes of <paramref name="path"/>, checked against <paramref name="pin"/> (one read: the bytes hashed are the bytes returned).</summary>
    /// <exception cref="FileNotFoundException">It is missing.</exception>
    /// <exception cref="InvalidDataException">It is not a regular file, or its size or SHA-256 differs (the message says how to repair: <paramref name="repair"/>).</exception>
    public static byte[] Read(string path, PinnedFile pin, string repair)
    {
        Hybrid.Synapse.Files.RegularFile.Require(path, "a data file");
        var info = new FileInfo(path);
        if (info.Length != pin.Size)
            throw new InvalidDataException($"{path} holds {info.Length} bytes, expected {pin.Size}: the file is not the pinned one ({repair}).");
        var bytes = File.ReadAllBytes(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(hash, pin.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: its SHA-256 is {hash}, expected {pin.Sha256}: the file is not the pinned one ({repair}).");
        return bytes;
    }
}

/// <summary>
/// A character-level text corpus: documents of bytes, split deterministically into training and validation
/// documents (every <see cref="DefaultValidationEvery"/>-th document, counting from 1, is held out), each side joined
/// into one stream with a separator line (<c>%</c>, as fortune files write it) after every document. The vocabulary is
/// the set of bytes the whole corpus uses, in byte order; a token is one byte (the corpus is ASCII but for a few UTF-8
/// characters, which become two or three tokens), so the loss per token in bits is bits per character.
/// </summary>
public sealed class TextCorpus
{
    /// <summary>One document in this many is held out for validation.</summary>
    public const int DefaultValidationEvery = 10;

    private static readonly byte[] Separator = "%\n"u8.ToArray();

    private TextCorpus(string name, string source, byte[] train, byte[] validation, byte[] vocabulary, int documents)
    {
        Name = name;
        Source = source;
        Train = train;
        Validation = validation;
        Vocabulary = vocabulary;
        Documents = documents;
    }

    /// <summary>A short name.</summary>
    public string Name { get; }
    /// <summary>Where the text came from, in words.</summary>
    public string Source { get; }
    /// <summary>The training stream.</summary>
    public byte[] Train { get; }
    /// <summary>The held-out validation stream.</summary>
    public byte[] Validation { get; }
    /// <summary>Token id → byte, in byte order.</summary>
    public byte[] Vocabulary { get; }
    /// <summary>Documents in the corpus.</summary>
    public int Documents { get; }

    /// <summary>The documents of a fortune file: the text between lines holding only <c>%</c> (empty ones dropped).</summary>
    public static IEnumerable<byte[]> Entries(byte[] file)
    {
        int start = 0;
        for (int i = 0; i < file.Length;)
        {
            int end = Array.IndexOf(file, (byte)'\n', i);
            int next = end < 0 ? file.Length : end + 1;
            int length = (end < 0 ? file.Length : end) - i;
            if (length == 1 && file[i] == (byte)'%')
            {
                if (i > start) yield return file[start..i];
                start = next;
            }
            i = next;
        }
        if (file.Length > start) yield return file[start..];
    }

    /// <summary>
    /// The corpus of <paramref name="documents"/>: document i (from 0) is held out when (i + 1) is a multiple of
    /// <paramref name="validationEvery"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two documents, no validation document, or a bad split.</exception>
    public static TextCorpus FromDocuments(string name, string source, IReadOnlyList<byte[]> documents, int validationEvery = DefaultValidationEvery)
    {
        if (validationEvery < 2) throw new ArgumentException($"validation every {validationEvery} documents: must be ≥ 2.", nameof(validationEvery));
        if (documents.Count < validationEvery)
            throw new ArgumentException($"{name}: {documents.Count} documents leave none for validation (one in {validationEvery}).", nameof(documents));
        using var train = new MemoryStream();
        using var validation = new MemoryStream();
        var used = new bool[256];
        for (int i = 0; i < documents.Count; ++i)
        {
            var target = (i + 1) % validationEvery == 0 ? validation : train;
            target.Write(documents[i]);
            target.Write(Separator);
            foreach (byte b in documents[i]) used[b] = true;
        }
        foreach (byte b in Separator) used[b] = true;
        var vocabulary = Enumerable.Range(0, 256).Where(b => used[b]).Select(b => (byte)b).ToArray();
        return new TextCorpus(name, source, train.ToArray(), validation.ToArray(), vocabulary, documents.Count);
    }

    /// <summary>
    /// The corpus as a data set of character windows: input [N, context] token ids and targets [N, context] (the next
    /// token at every position), windows starting every <paramref name="context"/> tokens of each stream (so every
    /// token but the last of a stream is predicted once); the validation windows are the data set's test split. The
    /// trainer's loss on it is the mean cross-entropy per token (nats); <see cref="BitsPerCharacter"/> converts it.
    /// </summary>
    /// <exception cref="ArgumentException">A context below 1, or a stream too short for one window.</exception>
    public DataSet Windows(int context)
    {
        if (context < 1) throw new ArgumentException($"context {context} must be ≥ 1.", nameof(context));
        var ids = new long[256];
        for (int i = 0; i < Vocabulary.Length; ++i) ids[Vocabulary[i]] = i;
        var (trainX, trainY) = Split(Train, context, ids, "training");
        var (testX, testY) = Split(Validation, context, ids, "validation");
        return new DataSet(Name, trainX, trainY, testX, testY, Vocabulary.Length, [context],
            $"{Source}: {Documents} documents, {Train.Length} training and {Validation.Length} validation characters " +
            $"(every {DefaultValidationEvery}th document held out), vocabulary {Vocabulary.Length}, windows of {context}");
    }

    private (Tensor X, Tensor Y) Split(byte[] stream, int context, long[] ids, string what)
    {
        long windows = (stream.Length - 1) / context;
        if (windows < 1) throw new ArgumentException($"the {what} text ({stream.Length} characters) is shorter than one window of {context} + 1.");
        var x = new long[windows * context];
        var y = new long[windows * context];
        for (long w = 0; w < windows; ++w)
            for (int t = 0; t < context; ++t)
            {
                long i = w * context + t;
                x[i] = ids[stream[i]];
                y[i] = ids[stream[i + 1]];
            }
        return (torch.tensor(x, [windows, context]), torch.tensor(y, [windows, context]));
    }

    /// <summary>A mean cross-entropy per token in nats, in bits per character (one token is one character).</summary>
    public static double BitsPerCharacter(double natsPerToken) => natsPerToken / Math.Log(2);
}
