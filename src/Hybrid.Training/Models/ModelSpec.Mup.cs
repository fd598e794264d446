namespace Hybrid.Training.Models;

public sealed partial record ModelSpec
{
    /// <summary>
    /// μP's parametrisation (<see cref="MupParametrization"/>): null (the default) builds the standard
    /// parametrisation; settings build the model in μP against the same spec at <see cref="MupSettings.BaseWidth"/>.
    /// Every model kind takes it: the hidden width is what scales (CNN channels stay fixed).
    /// </summary>
    public MupSettings? Mup { get; init; }
}
