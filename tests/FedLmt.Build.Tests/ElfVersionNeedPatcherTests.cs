using FedLmt.Build;
using TorchSharp;

namespace FedLmt.Build.Tests;

/// <summary>The build-output fix that lets TorchSharp-cpu 0.107.0 load on a libstdc++ without GLIBCXX_3.4.32.</summary>
public class ElfVersionNeedPatcherTests : IDisposable
{
    const string Needed = "GLIBCXX_3.4.32";
    readonly string _dir = Directory.CreateTempSubdirectory("fedlmt-elf-").FullName;

    static string OutputLibrary() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories)
            .Single(p => p.Contains(Path.Combine("runtimes", "linux-x64")));

    static bool SystemHasNeededVersion() =>
        ElfVersionNeedPatcher.ReadVersionDefinitions(File.ReadAllBytes(ElfVersionNeedPatcher.FindSystemLibStdCxx()!)).Contains(Needed);

    [Fact]
    public void Libtorch_runs_inside_the_test_host()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var product = a.matmul(a);
        // [[1,2],[3,4]]^2 = [[7,10],[15,22]]
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
    }

    [Fact]
    public void Build_output_needs_the_version_weakly_exactly_when_the_system_lacks_it()
    {
        var needs = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(OutputLibrary()));
        var need = Assert.Single(needs, n => n.Version == Needed);
        bool weak = (need.Flags & ElfVersionNeedPatcher.VerFlagWeak) != 0;
        Assert.Equal(!SystemHasNeededVersion(), weak);
        Assert.Equal("libstdc++.so.6", need.File);
        // Every other need stays strong: the fix is for one version only.
        Assert.All(needs.Where(n => n.Version != Needed), n => Assert.Equal(0, n.Flags & ElfVersionNeedPatcher.VerFlagWeak));
    }

    [Fact]
    public void System_libstdcxx_definitions_are_read()
    {
        var defs = ElfVersionNeedPatcher.ReadVersionDefinitions(File.ReadAllBytes(ElfVersionNeedPatcher.FindSystemLibStdCxx()!));
        // Every libstdc++ since GCC 3.4 defines these.
        Assert.Contains("GLIBCXX_3.4", defs);
        Assert.Contains("CXXABI_1.3", defs);
    }

    [Fact]
    public void Marking_weak_changes_only_that_flag_and_is_idempotent()
    {
        string copy = StrongCopy();
        byte[] before = File.ReadAllBytes(copy);
        var need = ElfVersionNeedPatcher.ReadVersionNeeds(before).Single(n => n.Version == Needed);

        Assert.Equal(PatchOutcome.Patched, ElfVersionNeedPatcher.MarkWeak(copy, Needed));
        byte[] after = File.ReadAllBytes(copy);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal(new[] { (int)need.FlagsOffset }, changed);
        Assert.Equal(need.Flags | 2, after[need.FlagsOffset]);

        Assert.Equal(PatchOutcome.AlreadyWeak, ElfVersionNeedPatcher.MarkWeak(copy, Needed));
        Assert.Equal(after, File.ReadAllBytes(copy));
    }

    [Fact]
    public void A_version_the_library_does_not_need_is_left_alone()
    {
        string copy = StrongCopy();
        byte[] before = File.ReadAllBytes(copy);
        Assert.Equal(PatchOutcome.NotNeeded, ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_9.9.99"));
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Patching_a_hard_link_leaves_the_other_name_untouched()
    {
        string original = StrongCopy();
        string link = Path.Combine(_dir, "linked.so");
        Assert.Equal(0, Link(original, link));
        byte[] before = File.ReadAllBytes(original);

        ElfVersionNeedPatcher.MarkWeak(link, Needed);

        Assert.Equal(before, File.ReadAllBytes(original)); // the NuGet cache's copy is such an "other name"
        Assert.NotEqual(before, File.ReadAllBytes(link));
    }

    [Fact]
    public void Truncated_and_foreign_files_are_refused_with_the_reason()
    {
        string truncated = Path.Combine(_dir, "truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(OutputLibrary()).AsSpan(0, 4096).ToArray());
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(truncated, Needed));
        Assert.Contains("outside the file", ex.Message);

        string text = Path.Combine(_dir, "text.so");
        File.WriteAllText(text, new string('x', 200));
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MarkWeak(text, Needed)).Message);
    }

    /// <summary>A copy of the output library with the need made strong again, as NuGet ships it.</summary>
    string StrongCopy()
    {
        byte[] elf = File.ReadAllBytes(OutputLibrary());
        var need = ElfVersionNeedPatcher.ReadVersionNeeds(elf).Single(n => n.Version == Needed);
        elf[need.FlagsOffset] &= unchecked((byte)~ElfVersionNeedPatcher.VerFlagWeak);
        string path = Path.Combine(_dir, $"lib-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(path, elf);
        return path;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    static extern int Link(string existing, string newPath);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
