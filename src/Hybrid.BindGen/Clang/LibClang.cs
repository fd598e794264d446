using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hybrid.BindGen.Clang;

// The few parts of libclang's C API (clang-c/Index.h, clang-c/CXString.h) that the generator
// uses, declared by hand because ClangSharp is not available to us. Every signature is
// blittable; strings go in as UTF-8 pointers and come out as CXString.

internal enum CXErrorCode
{
    Success = 0,
    Failure = 1,
    Crashed = 2,
    InvalidArguments = 3,
    ASTReadError = 4,
}

internal enum CXDiagnosticSeverity
{
    Ignored = 0,
    Note = 1,
    Warning = 2,
    Error = 3,
    Fatal = 4,
}

internal enum CXChildVisitResult
{
    Break = 0,
    Continue = 1,
    Recurse = 2,
}

internal enum CXCursorKind
{
    StructDecl = 2,
    UnionDecl = 3,
    EnumDecl = 5,
    FieldDecl = 6,
    EnumConstantDecl = 7,
    FunctionDecl = 8,
    VarDecl = 9,
    ParmDecl = 10,
    TypedefDecl = 20,
    MacroDefinition = 501,
    InclusionDirective = 503,
    StaticAssert = 602,
}

internal enum CXTypeKind
{
    Invalid = 0,
    Void = 2,
    Bool = 3,
    Char_U = 4,
    UChar = 5,
    UShort = 8,
    UInt = 9,
    ULong = 10,
    ULongLong = 11,
    Char_S = 13,
    SChar = 14,
    Short = 16,
    Int = 17,
    Long = 18,
    LongLong = 19,
    Float = 21,
    Double = 22,
    Pointer = 101,
    Record = 105,
    Enum = 106,
    Typedef = 107,
    FunctionNoProto = 110,
    FunctionProto = 111,
    ConstantArray = 112,
    IncompleteArray = 114,
    Elaborated = 119,
}

internal enum CXTokenKind
{
    Punctuation = 0,
    Keyword = 1,
    Identifier = 2,
    Literal = 3,
    Comment = 4,
}

internal enum CXVisibilityKind
{
    Invalid = 0,
    Hidden = 1,
    Protected = 2,
    Default = 3,
}

internal enum CX_StorageClass
{
    Invalid = 0,
    None = 1,
    Extern = 2,
    Static = 3,
}

[Flags]
internal enum CXTranslationUnitFlags : uint
{
    None = 0,
    DetailedPreprocessingRecord = 0x01,
}

[Flags]
internal enum CXDiagnosticDisplayOptions : uint
{
    SourceLocation = 0x01,
    Column = 0x02,
    Option = 0x08,
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXString
{
    public nint Data;
    public uint PrivateFlags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXCursor
{
    public CXCursorKind Kind;
    public int XData;
    public nint Data0;
    public nint Data1;
    public nint Data2;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXType
{
    public CXTypeKind Kind;
    public nint Data0;
    public nint Data1;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceLocation
{
    public nint PtrData0;
    public nint PtrData1;
    public uint IntData;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceRange
{
    public nint PtrData0;
    public nint PtrData1;
    public uint BeginIntData;
    public uint EndIntData;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXToken
{
    public uint IntData0;
    public uint IntData1;
    public uint IntData2;
    public uint IntData3;
    public nint PtrData;
}

internal static unsafe partial class LibClang
{
    public const string LibraryName = "libclang";

    [LibraryImport(LibraryName)]
    public static partial nint clang_createIndex(int excludeDeclarationsFromPch, int displayDiagnostics);

    [LibraryImport(LibraryName)]
    public static partial void clang_disposeIndex(nint index);

    [LibraryImport(LibraryName)]
    public static partial CXErrorCode clang_parseTranslationUnit2(
        nint index, byte* sourceFilename, byte** commandLineArgs, int numCommandLineArgs,
        void* unsavedFiles, uint numUnsavedFiles, CXTranslationUnitFlags options, nint* translationUnit);

    [LibraryImport(LibraryName)]
    public static partial void clang_disposeTranslationUnit(nint translationUnit);

    [LibraryImport(LibraryName)]
    public static partial uint clang_getNumDiagnostics(nint translationUnit);

    [LibraryImport(LibraryName)]
    public static partial nint clang_getDiagnostic(nint translationUnit, uint index);

    [LibraryImport(LibraryName)]
    public static partial CXDiagnosticSeverity clang_getDiagnosticSeverity(nint diagnostic);

    [LibraryImport(LibraryName)]
    public static partial CXString clang_formatDiagnostic(nint diagnostic, CXDiagnosticDisplayOptions options);

    [LibraryImport(LibraryName)]
    public static partial void clang_disposeDiagnostic(nint diagnostic);

    [LibraryImport(LibraryName)]
    public static partial byte* clang_getCString(CXString text);

    [LibraryImport(LibraryName)]
    public static partial void clang_disposeString(CXString text);

    [LibraryImport(LibraryName)]
    public static partial CXCursor clang_getTranslationUnitCursor(nint translationUnit);

    [LibraryImport(LibraryName)]
    public static partial uint clang_visitChildren(
        CXCursor parent, delegate* unmanaged[Cdecl]<CXCursor, CXCursor, nint, CXChildVisitResult> visitor,
        nint clientData);

    [LibraryImport(LibraryName)]
    public static partial CXCursorKind clang_getCursorKind(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXString clang_getCursorSpelling(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXString clang_getCursorUSR(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial uint clang_isCursorDefinition(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial uint clang_Cursor_isAnonymous(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial uint clang_Cursor_isBitField(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial uint clang_Cursor_isMacroFunctionLike(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial uint clang_Cursor_isVariadic(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CX_StorageClass clang_Cursor_getStorageClass(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXVisibilityKind clang_getCursorVisibility(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXType clang_getCursorType(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXType clang_getCursorResultType(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial int clang_Cursor_getNumArguments(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXCursor clang_Cursor_getArgument(CXCursor cursor, uint index);

    [LibraryImport(LibraryName)]
    public static partial CXType clang_getTypedefDeclUnderlyingType(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial long clang_getEnumConstantDeclValue(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial long clang_Cursor_getOffsetOfField(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXString clang_getTypeSpelling(CXType type);

    [LibraryImport(LibraryName)]
    public static partial CXString clang_getTypedefName(CXType type);

    [LibraryImport(LibraryName)]
    public static partial CXType clang_getPointeeType(CXType type);

    [LibraryImport(LibraryName)]
    public static partial CXType clang_Type_getNamedType(CXType type);

    [LibraryImport(LibraryName)]
    public static partial CXType clang_getArrayElementType(CXType type);

    [LibraryImport(LibraryName)]
    public static partial long clang_getArraySize(CXType type);

    [LibraryImport(LibraryName)]
    public static partial CXCursor clang_getTypeDeclaration(CXType type);

    [LibraryImport(LibraryName)]
    public static partial long clang_Type_getSizeOf(CXType type);

    [LibraryImport(LibraryName)]
    public static partial CXSourceLocation clang_getCursorLocation(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXSourceRange clang_getCursorExtent(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial CXSourceLocation clang_getRangeStart(CXSourceRange range);

    [LibraryImport(LibraryName)]
    public static partial CXSourceLocation clang_getRangeEnd(CXSourceRange range);

    [LibraryImport(LibraryName)]
    public static partial void clang_getExpansionLocation(
        CXSourceLocation location, nint* file, uint* line, uint* column, uint* offset);

    [LibraryImport(LibraryName)]
    public static partial CXString clang_getFileName(nint file);

    [LibraryImport(LibraryName)]
    public static partial nint clang_getIncludedFile(CXCursor cursor);

    [LibraryImport(LibraryName)]
    public static partial void clang_tokenize(nint translationUnit, CXSourceRange range, CXToken** tokens, uint* numTokens);

    [LibraryImport(LibraryName)]
    public static partial void clang_disposeTokens(nint translationUnit, CXToken* tokens, uint numTokens);

    [LibraryImport(LibraryName)]
    public static partial CXTokenKind clang_getTokenKind(CXToken token);

    [LibraryImport(LibraryName)]
    public static partial CXString clang_getTokenSpelling(nint translationUnit, CXToken token);

    /// <summary>Takes ownership of a CXString: returns its text and disposes it.</summary>
    public static string Take(CXString text)
    {
        try
        {
            var p = clang_getCString(text);
            return p == null ? string.Empty : Marshal.PtrToStringUTF8((nint)p) ?? string.Empty;
        }
        finally
        {
            clang_disposeString(text);
        }
    }

    /// <summary>The direct children of a cursor, in libclang's visiting order.</summary>
    public static List<CXCursor> Children(CXCursor parent)
    {
        var children = new List<CXCursor>();
        var handle = GCHandle.Alloc(children);
        try
        {
            clang_visitChildren(parent, &CollectChild, GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        return children;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static CXChildVisitResult CollectChild(CXCursor cursor, CXCursor parent, nint clientData)
    {
        var children = (List<CXCursor>)GCHandle.FromIntPtr(clientData).Target!;
        children.Add(cursor);
        return CXChildVisitResult.Continue;
    }
}
