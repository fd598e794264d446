using System.Numerics;
using Hybrid.Synapse;
using Hybrid.Synapse.Arithmetic;
using Hybrid.Synapse.Backends;
using Hybrid.Training.Lns;
using TorchSharp;
using static TorchSharp.torch;

namespace Hybrid.Training.Tests.Lns;

/// <summary>
/// What training's exact path calls when native-cpu is the backend: each operand quantised and encoded in one
/// native call, the three GEMMs of a layer (forward, ∇x, ∇W) on libhybrid's dispatched kernel — the widest SIMD
/// level this CPU runs, never the scalar reference or the managed twin — and nothing else (no separate encode,
/// no managed kernel).
/// </summary>
public class ExactPathTests
{
    private sealed class Recording(ISynapseBackend inner) : ISynapseBackend
    {
        public readonly List<string> Calls = [];
        public readonly List<string?> Kernels = [];
        public string Name => inner.Name;
        public void LnsEncode<TCode>(LnsFormat format, ReadOnlySpan<float> x, Span<TCode> codes)
            where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
        { Calls.Add(nameof(LnsEncode)); inner.LnsEncode(format, x, codes); }
        public void LnsDecode<TCode>(LnsFormat format, ReadOnlySpan<TCode> codes, Span<float> x)
            where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
        { Calls.Add(nameof(LnsDecode)); inner.LnsDecode(format, codes, x); }
        public StepStats LnsMadamStep<TCode>(in LnsMadamSettings settings, Span<TCode> codes, ReadOnlySpan<float> grad, Span<float> v)
            where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
        { Calls.Add(nameof(LnsMadamStep)); return inner.LnsMadamStep(settings, codes, grad, v); }
        public StepStats MadamStep(in MadamSettings settings, Span<float> w, ReadOnlySpan<float> grad, Span<float> v)
        { Calls.Add(nameof(MadamStep)); return inner.MadamStep(settings, w, grad, v); }
        public double Rms(ReadOnlySpan<float> x) { Calls.Add(nameof(Rms)); return inner.Rms(x); }
        public void RandomUniform(in RandomStream stream, long offset, Span<float> output)
        { Calls.Add(nameof(RandomUniform)); inner.RandomUniform(stream, offset, output); }
        public QuantizeStats LnsQuantize(in LnsQuantizeSettings settings, ReadOnlySpan<float> x, Span<float> y)
        { Calls.Add(nameof(LnsQuantize)); return inner.LnsQuantize(settings, x, y); }
        public QuantizeStats LnsQuantizeEncode<TCode>(in LnsQuantizeSettings settings, ReadOnlySpan<float> x, Span<float> y, Span<TCode> codes)
            where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
        { Calls.Add(nameof(LnsQuantizeEncode)); return inner.LnsQuantizeEncode(settings, x, y, codes); }
        public GemmStats LnsGemmExact<TCode>(in LnsGemmSettings settings, ReadOnlySpan<TCode> a, ReadOnlySpan<TCode> b, Span<float> c)
            where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
        {
            Calls.Add(nameof(LnsGemmExact));
            var st = inner.LnsGemmExact(settings, a, b, c);
            Kernels.Add(st.Kernel);
            return st;
        }
        public ProgramStats LnsProgram<TCode>(in LnsProgramSettings settings, ReadOnlySpan<TCode> before, ReadOnlySpan<TCode> after,
            Span<float> offsets) where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
        { Calls.Add(nameof(LnsProgram)); return inner.LnsProgram(settings, before, after, offsets); }
        public void LnsRead<TCode>(in LnsReadSettings settings, ReadOnlySpan<TCode> codes, ReadOnlySpan<float> offsets, Span<float> x)
            where TCode : unmanaged, IBinaryInteger<TCode>, IUnsignedNumber<TCode>
        { Calls.Add(nameof(LnsRead)); inner.LnsRead(settings, codes, offsets, x); }
        public ProgramStats DeviceUpdate(in DeviceUpdateSettings settings, Span<float> hidden, Span<float> apparent, ReadOnlySpan<float> dw)
        { Calls.Add(nameof(DeviceUpdate)); return inner.DeviceUpdate(settings, hidden, apparent, dw); }
        public void DeviceRead(in DeviceReadSettings settings, ReadOnlySpan<float> w, Span<float> output)
        { Calls.Add(nameof(DeviceRead)); inner.DeviceRead(settings, w, output); }
    }

    [TestCase(8), TestCase(12)]
    public void TheExactPathRunsTheDispatchedNativeKernelOnly(int bits)
    {
        var best = SynapseBackends.NativeSimdLevels[^1];
        var saved = SynapseBackends.NativeSimd;
        SynapseBackends.NativeSimd = best;
        try
        {
            var rec = new Recording(NativeCpuBackend.Instance);
            var q = new QuantizerSpec(NumberFormat.Lns(bits, bits == 8 ? 8 : 32));
            var a = new StepArithmetic(q, q, q with { Rounding = Hybrid.Synapse.RoundingMode.Stochastic }, q, GemmMode.Exact);
            torch.manual_seed(2);
            using var lin = nn.Linear(40, 24);
            using var layer = new QuantizedLinear("fc", lin, a, 0, 7, rec);
            layer.train();
            using var x = torch.randn(9, 40).requires_grad_();
            var y = layer.call(x);
            y.sum().backward();
            Assert.That(rec.Calls.Count(c => c == nameof(ISynapseBackend.LnsGemmExact)), Is.EqualTo(3), "forward, ∇x, ∇W");
            Assert.That(rec.Kernels, Is.All.EqualTo($"native-cpu {best}"), "libhybrid's dispatched kernel ran every GEMM");
            Assert.That(rec.Calls.Count(c => c == nameof(ISynapseBackend.LnsQuantizeEncode)), Is.EqualTo(3),
                "x, W and the error: quantised and encoded in one call each");
            Assert.That(rec.Calls.Where(c => c is not (nameof(ISynapseBackend.LnsGemmExact) or nameof(ISynapseBackend.LnsQuantizeEncode)
                or nameof(ISynapseBackend.LnsQuantize))), Is.Empty, "no separate encode, nothing else");
            Assert.That(rec.Calls.Count(c => c == nameof(ISynapseBackend.LnsQuantize)), Is.EqualTo(1), "the weight gradient");
            Assert.That(x.grad, Is.Not.Null);
        }
        finally
        {
            SynapseBackends.NativeSimd = saved;
        }
    }
}
