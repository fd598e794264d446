using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training;

/// <summary>
/// TorchSharp scalars that outlive the native calls they are passed to (issue 15 item 2).
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <see cref="Scalar"/> is a raw pointer to a native c10::Scalar with a finalizer,
/// and its tensor methods pass <c>scalar.Handle</c> to P/Invoke without <c>GC.KeepAlive</c>. A Scalar
/// made by an implicit conversion (<c>t.mul_(0.5)</c>, <c>t.clamp_(0, 7)</c>, and the alpha = 1 that
/// <c>add_(Tensor)</c>, <c>add(Tensor)</c> and <c>tensor + tensor</c> make for themselves) is
/// unreachable once its handle is read; a collection during the native call (triggered by any other
/// thread that allocates, such as the live progress display) lets the finalizer thread free it while
/// libtorch still reads it. The freed block is soon another Scalar, so the call sees a wrong value or
/// type: "For integral input tensors, argument alpha must not be a floating point number", "Expected
/// false to be true … toDouble", or silently wrong numbers. Tensors are safe inside a dispose scope
/// (it holds them); Scalars are not tracked by scopes. The rule in Hybrid's code: every Scalar passed
/// to TorchSharp is either one of these process-lifetime constants or a <c>using var s =
/// value.ToScalar()</c> that lives to the end of its block; <c>ScalarLifetimeTests</c> steps every
/// optimiser under constant collections to hold the code to it. Upstream: dotnet/TorchSharp pull
/// requests 1434 and 1496 (open) dispose such Scalars inside TorchSharp.
/// </remarks>
public static class TorchScalars
{
    /// <summary>The integer 1, alive for the whole process: the alpha of a tensor-plus-tensor.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>The integer 0, alive for the whole process (<c>t.gt(Zero)</c>, <c>t.clamp_min(Zero)</c>).</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>−∞ (float), alive for the whole process: a causal mask's fill.</summary>
    public static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();

    /// <summary>The integer 2, alive for the whole process.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary><c>t += other</c> in place, with an alpha that is not left to the finalizer.</summary>
    public static Tensor AddInPlace(this Tensor t, Tensor other) => t.add_(other, One);

    /// <summary><c>t + other</c>, with an alpha that is not left to the finalizer.</summary>
    public static Tensor Plus(this Tensor t, Tensor other) => t.add(other, One);

    /// <summary><c>s − t</c>, computed as TorchSharp's own operator does (−t, then + s) with an alpha that is not left to
    /// the finalizer: bit-identical to <c>s - t</c>.</summary>
    public static Tensor Minus(this Scalar s, Tensor t) => t.negative().add_(s, One);
}
