namespace Hybrid.Training.Data;

/// <summary>
/// The natural-English corpus of the <c>gpt</c> model: fortune-cookie quotations, jokes and definitions from Debian's
/// <c>fortunes</c> and <c>fortunes-min</c> packages (source fortune-mod 1.99.1, BSD licence; installed by
/// <c>scripts/setup.sh</c> into <see cref="Folder"/>). <see cref="Pinned"/> names the 33 files used — 1.86 MB of
/// text, 11 114 entries — with their sizes and SHA-256s: the files whose bytes are the same in Debian 12 (1:1.99.1-7.3)
/// and Debian 13 (1:1.99.1-9), less the two of ASCII pictures (<c>art</c>, <c>ascii-art</c>) and the multilingual
/// <c>translate-me</c>. Every load checks each file's size and SHA-256 before it is used, as MNIST's do.
/// </summary>
public static class Fortunes
{
    /// <summary>Where the packages install the files.</summary>
    public const string Folder = "/usr/share/games/fortunes";

    /// <summary>How to install them, for messages.</summary>
    public const string InstallHint = "scripts/setup.sh, or apt-get install --no-install-recommends fortunes";

    /// <summary>The files, their sizes and SHA-256s (scripts/setup.sh pins the same; a test keeps the two lists equal).</summary>
    public static readonly IReadOnlyList<PinnedFile> Pinned =
    [
        new("fortunes", 24516, "8819e6b83bacd6b7e8a4a2483f41e126b3b4b3ef8cd2aca907a53b163f082fd5"),
        new("riddles", 20294, "bcaaab907b156a18a8943f0768828b4f1a18d382497d0e2ef012fe6aaa27becc"),
        new("computers", 237981, "a86be224d9f733b88eeaf8a46ea0427e05cc69c69edcf5f6db47ddf561ca37fd"),
        new("cookie", 245093, "5dc97eee96dcc5287c373be629482730d45f77b59da1287933c9c5f482a055eb"),
        new("debian", 15615, "491dd04bf909b64152bcb554b9bc88df0ca50c0dc676d74d10742bf38aaa50de"),
        new("definitions", 180268, "57be4744c353d931fa2ca95f50215d4b67539f5a527ae628a6441fb4a1258caa"),
        new("disclaimer", 10749, "c085d66ea68686d5e28852cef77c3eeb3640895c5647b148deeaaada2c07fa7b"),
        new("drugs", 40931, "a5a59ee8b0e1fd3085a38dfa29149fe9a2c8d7f256b74aea71aa2cc08a9990c1"),
        new("education", 39280, "ba13321d6d6beb7a6e65296a47450bfc87b24a319fff2e94762011b59a31aa35"),
        new("ethnic", 34364, "61695cb9b60dbee91755027da1fa4f850f4c6386ff38197a48e4ff1696385e19"),
        new("food", 34377, "78077a65b9288df71e7b2a8e8258cd3b1005d1282f7c7e57ad53927f374df45d"),
        new("goedel", 7391, "9d447862c803f22cdf7bb26cb70cca1a7f8a2a7992f2793ddcb43cfcf3302ab0"),
        new("humorists", 42446, "ffdf67e1f4049133bf904b769c364de45e5ae0abfb3ea7c9afb54b87b89acfc4"),
        new("knghtbrd", 87971, "c25e8373b38a6f159a7b1d336f363d5c962224a6ddcc86279dec47aad3c869b3"),
        new("law", 56657, "f04141f94e788b7899e0adb0490d182ce711f8fdbb8252343a5257e717e9279d"),
        new("linux", 58496, "85b0e5eadf7adeea77da4e1fbd456c962ce3bd1dabbd053098ecf37de9169cf3"),
        new("linuxcookie", 19466, "4f75959924ae5bb1955c30a5c985e641ec17cd5ebb7453d839f94b1988331202"),
        new("love", 20423, "4d4fb7c540e5500e44643524dae41dd7d2b21b80be184253fd9f8541f6029fc5"),
        new("magic", 9816, "b9553a1d84d966db55a24a779206cc4565bf3686c9ecbc31215f654129e3166e"),
        new("medicine", 19193, "18b8c7b098e649024159c9d9f3e37a0832bbd2d5cf3e2317b313134761afd487"),
        new("men-women", 101843, "8fc4eb68a8d16826372d9bfdc910c8ab917b8aa59e2aac533f3ec2b49a1314ba"),
        new("news", 11322, "4b8eebae510353d6f628dfdaf52bf8cbdafb891a122b146421c805b74f389617"),
        new("paradoxum", 6383, "85228975016fe975065eaf0baf55980d32d26f9e2fa99f69da4696d11ac02036"),
        new("people", 153878, "2afb4b9f577be114d2dca279bc5590ee8415e1405295d7d7626c888d82f338e8"),
        new("perl", 40182, "b19145eadf97c31add2e0a199d93ffa0eb92e00275c2724b7ad6b4e412113536"),
        new("pets", 7225, "084472564bc55df566733a224f8a737d78717132ec43628be0c2af466ac41ecc"),
        new("pratchett", 401, "48410754f1b2091f418ac27421d2764628b23c91427b12809031cf2b39be5b0e"),
        new("science", 129991, "7ab350b142ee6c70c1d8517c5a1b3790c09b190a62859427cad98e6e35a19fcc"),
        new("sports", 37317, "b71dd524d7bca888ec1014fb849a8a15cf58017c59127e572d393ef7632c35c8"),
        new("startrek", 30216, "7b2e4c235b99452b2de4c47d67aae0faac2ea508a2d644609e4ef5db7653c39c"),
        new("tao", 37143, "4adddc35a122bb233a16c076abc0be0326ea3a68594146a6baee3b5f6489e12b"),
        new("wisdom", 61623, "9b0bd6b9331a68c9172219784a411c417c055ed69734edc7b4406795b87d4e94"),
        new("zippy", 38978, "b996a112c99a2d61782e1a9a1f3c5445122f18ac312485f2c78279e82ca33932"),
    ];

    /// <summary>Whether every pinned file is present with its pinned size (cheap; hashes are checked on load).</summary>
    public static bool Installed(string folder = Folder) => MnistData.Installed(folder, Pinned);

    /// <summary>
    /// Loads the corpus from <paramref name="folder"/> after checking each file's size and SHA-256 against
    /// <paramref name="pinned"/> (tests pass their own): the entries of every file (fortune files separate entries
    /// by a line holding only <c>%</c>), in the pinned order, split into training and validation by
    /// <see cref="TextCorpus.FromDocuments"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it and how to install).</exception>
    /// <exception cref="InvalidDataException">A file's size or SHA-256 differs from its pin, or it is not a regular file.</exception>
    public static TextCorpus Load(string folder = Folder, IReadOnlyList<PinnedFile>? pinned = null, int validationEvery = TextCorpus.DefaultValidationEvery)
    {
        pinned ??= Pinned;
        folder = Path.GetFullPath(folder);
        foreach (var f in pinned)
            if (!File.Exists(Path.Combine(folder, f.Name)))
                throw new FileNotFoundException($"fortune file {Path.Combine(folder, f.Name)} is missing; install it with {InstallHint}.",
                    Path.Combine(folder, f.Name));
        var documents = new List<byte[]>();
        foreach (var f in pinned)
        {
            var path = Path.Combine(folder, f.Name);
            documents.AddRange(TextCorpus.Entries(PinnedFiles.Read(path, f, InstallHint)));
        }
        return TextCorpus.FromDocuments("fortunes", $"Debian fortunes + fortunes-min ({pinned.Count} files of {folder}, SHA-256 verified)",
            documents, validationEvery);
    }
}
