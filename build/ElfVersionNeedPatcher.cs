// Marks one symbol-version need of an ELF shared object as weak (VER_FLG_WEAK in its Vernaux entry), so the
// dynamic loader accepts a libstdc++ that lacks that version. Used by build/TorchSharpNativeFix.targets as an
// inline MSBuild task and compiled into tests/FedLmt.Build.Tests; plain .NET only, no MSBuild types outside
// the #if block, because the test project compiles this file without MSBuild.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace FedLmt.Build
{
    /// <summary>What <see cref="ElfVersionNeedPatcher.MarkWeak"/> did to a file.</summary>
    public enum PatchOutcome { Patched, AlreadyWeak, NotNeeded }

    /// <summary>Reads ELF64 little-endian version sections and marks a version need weak.</summary>
    public static class ElfVersionNeedPatcher
    {
        public const ushort VerFlagWeak = 0x2;
        const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe;

        /// <summary>One Vernaux entry: the library, the version name, its flags and where the flags live.</summary>
        public sealed class VersionNeed
        {
            public VersionNeed(string file, string version, ushort flags, ushort index, long flagsOffset)
            { File = file; Version = version; Flags = flags; Index = index; FlagsOffset = flagsOffset; }
            public string File { get; }
            public string Version { get; }
            public ushort Flags { get; }
            public ushort Index { get; }
            public long FlagsOffset { get; }
        }

        /// <summary>All version needs (.gnu.version_r) of an ELF64 little-endian file.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf)
        {
            var needs = new List<VersionNeed>();
            foreach (var s in Sections(elf))
            {
                if (s.Type != ShtGnuVerneed) continue;
                var strtab = SectionAt(elf, (int)s.Link);
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort count = U16(elf, entry + 2);
                    string file = CString(elf, strtab.Offset + U32(elf, entry + 4));
                    long aux = entry + U32(elf, entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        needs.Add(new VersionNeed(file, CString(elf, strtab.Offset + U32(elf, aux + 8)),
                            U16(elf, aux + 4), U16(elf, aux + 6), aux + 4));
                        uint nextAux = U32(elf, aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(elf, entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return needs;
        }

        /// <summary>All version names an ELF64 file defines (.gnu.version_d), e.g. GLIBCXX_3.4.30 for libstdc++.</summary>
        public static HashSet<string> ReadVersionDefinitions(byte[] elf)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Sections(elf))
            {
                if (s.Type != ShtGnuVerdef) continue;
                var strtab = SectionAt(elf, (int)s.Link);
                long entry = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    long aux = entry + U32(elf, entry + 12);
                    names.Add(CString(elf, strtab.Offset + U32(elf, aux)));
                    uint next = U32(elf, entry + 16);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return names;
        }

        /// <summary>
        /// Marks the need for <paramref name="version"/> weak in <paramref name="path"/>. The file is rewritten by
        /// rename, never in place, so a hard link into the NuGet cache is split rather than modified.
        /// </summary>
        public static PatchOutcome MarkWeak(string path, string version)
        {
            var elf = File.ReadAllBytes(path);
            VersionNeed? need = null;
            foreach (var n in ReadVersionNeeds(elf))
                if (n.Version == version) { need = n; break; }
            if (need is null) return PatchOutcome.NotNeeded;
            if ((need.Flags & VerFlagWeak) != 0) return PatchOutcome.AlreadyWeak;

            ushort flags = (ushort)(need.Flags | VerFlagWeak);
            elf[need.FlagsOffset] = (byte)flags;
            elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
            string temp = path + ".weak-version.tmp";
            File.WriteAllBytes(temp, elf);
            if (File.Exists(path)) File.Delete(path); // unlink: a hard link into the NuGet cache keeps its bytes
            File.Move(temp, path);
            return PatchOutcome.Patched;
        }

        /// <summary>
        /// The libstdc++ the loader uses for this process (read from /proc/self/maps; the .NET host links it),
        /// else the first of the usual Debian/Fedora paths that exists; null if none is found.
        /// </summary>
        public static string? FindSystemLibStdCxx()
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash >= 0 && line.Contains("libstdc++.so")) return line.Substring(slash).Trim();
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            foreach (var p in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                                      "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
                if (File.Exists(p)) return p;
            return null;
        }

        readonly struct Section
        {
            public Section(uint type, long offset, long size, uint link, uint info)
            { Type = type; Offset = offset; Size = size; Link = link; Info = info; }
            public uint Type { get; }
            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public uint Info { get; }
        }

        static IEnumerable<Section> Sections(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file (bad magic)");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"only ELF64 little-endian is supported (class {elf[4]}, data {elf[5]})");
            long shoff = (long)U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException("ELF section header table lies outside the file");
            for (int i = 0; i < shnum; i++) yield return ReadSection(elf, shoff + (long)i * shentsize);
        }

        static Section SectionAt(byte[] elf, int index)
        {
            long shoff = (long)U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
            if (index <= 0 || index >= shnum) throw new InvalidDataException($"ELF section link {index} out of range");
            return ReadSection(elf, shoff + (long)index * shentsize);
        }

        static Section ReadSection(byte[] elf, long at) =>
            new(U32(elf, at + 4), (long)U64(elf, at + 24), (long)U64(elf, at + 32), U32(elf, at + 40), U32(elf, at + 44));

        static void Check(byte[] b, long at, int size)
        {
            if (at < 0 || at + size > b.Length) throw new InvalidDataException($"ELF read at {at} past end of file ({b.Length} bytes)");
        }
        static ushort U16(byte[] b, long at) { Check(b, at, 2); return (ushort)(b[at] | b[at + 1] << 8); }
        static uint U32(byte[] b, long at) { Check(b, at, 4); return (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24); }
        static ulong U64(byte[] b, long at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;
        static string CString(byte[] b, long at)
        {
            long end = at;
            while (true) { Check(b, end, 1); if (b[end] == 0) break; end++; }
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }
    }
}

#if !FEDLMT_NO_MSBUILD
namespace FedLmt.Build
{
    /// <summary>MSBuild task: weakens the GLIBCXX need of libLibTorchSharp.so in the build output when the system lacks it.</summary>
    public class WeakenMissingGlibcxxVersion : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = System.Array.Empty<Microsoft.Build.Framework.ITaskItem>();
        [Microsoft.Build.Framework.Required] public string Version { get; set; } = "";

        public override bool Execute()
        {
            if (Files.Length == 0) return true;
            string? libstdcxx = ElfVersionNeedPatcher.FindSystemLibStdCxx();
            if (libstdcxx is null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "FedLmt: no system libstdc++ found; native libraries left as shipped.");
                return true;
            }
            if (ElfVersionNeedPatcher.ReadVersionDefinitions(System.IO.File.ReadAllBytes(libstdcxx)).Contains(Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"FedLmt: {libstdcxx} defines {Version}; native libraries left as shipped.");
                return true;
            }
            foreach (var item in Files)
            {
                var outcome = ElfVersionNeedPatcher.MarkWeak(item.ItemSpec, Version);
                if (outcome == PatchOutcome.Patched)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"FedLmt: {libstdcxx} lacks {Version}; marked that version need weak in {item.ItemSpec} " +
                        "(only std::ios_base_library_init uses it, and nothing calls it).");
            }
            return true;
        }
    }
}
#endif
