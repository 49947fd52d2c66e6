namespace FedLmt;

/// <summary>Assembly marker.</summary>
internal static class AssemblyMarker;
