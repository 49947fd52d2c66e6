using FedLmt.Grpc.Protocol;
using static TorchSharp.torch;

namespace FedLmt.Grpc;

/// <summary>The tensor element types the wire carries, both ways.</summary>
public static class DTypes
{
    /// <summary>The wire name of a libtorch element type; types the protocol does not carry are refused.</summary>
    public static DType ToWire(ScalarType type) => type switch
    {
        ScalarType.Float32 => DType.Float32,
        ScalarType.Float64 => DType.Float64,
        ScalarType.Float16 => DType.Float16,
        ScalarType.BFloat16 => DType.Bfloat16,
        ScalarType.Int64 => DType.Int64,
        ScalarType.Int32 => DType.Int32,
        ScalarType.Int16 => DType.Int16,
        ScalarType.Int8 => DType.Int8,
        ScalarType.Byte => DType.Uint8,
        ScalarType.Bool => DType.Bool,
        _ => throw new NotSupportedException($"tensor element type {type} does not travel on the wire"),
    };

    /// <summary>The libtorch type of a wire dtype, or null for one this side does not know.</summary>
    public static ScalarType? FromWire(DType type) => type switch
    {
        DType.Float32 => ScalarType.Float32,
        DType.Float64 => ScalarType.Float64,
        DType.Float16 => ScalarType.Float16,
        DType.Bfloat16 => ScalarType.BFloat16,
        DType.Int64 => ScalarType.Int64,
        DType.Int32 => ScalarType.Int32,
        DType.Int16 => ScalarType.Int16,
        DType.Int8 => ScalarType.Int8,
        DType.Uint8 => ScalarType.Byte,
        DType.Bool => ScalarType.Bool,
        _ => null,
    };

    /// <summary>Bytes per element of a wire dtype (0 for an unknown one).</summary>
    public static int ElementSize(DType type) => type switch
    {
        DType.Float64 or DType.Int64 => 8,
        DType.Float32 or DType.Int32 => 4,
        DType.Float16 or DType.Bfloat16 or DType.Int16 => 2,
        DType.Int8 or DType.Uint8 or DType.Bool => 1,
        _ => 0,
    };
}
