using System.Text.RegularExpressions;
using FedLmt.Runs;
using YamlDotNet.RepresentationModel;

namespace FedLmt.Grpc.Tests;

/// <summary>
/// What can be checked of deploy/ without a cluster: every manifest parses; names that must meet do (selectors and pod
/// labels, mounts and volumes, Secrets and the script that makes them, the ConfigMap); the run config validates and its
/// client count is what the host StatefulSet serves; and every option the pods pass is one the tool takes.
/// </summary>
public class DeployManifestTests
{
    static string Deploy => Path.Combine(RepoRoot(), "deploy");

    static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FedLmt.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    static List<YamlMappingNode> Documents()
    {
        var docs = new List<YamlMappingNode>();
        foreach (var file in Directory.GetFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml"))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            docs.AddRange(stream.Documents.Select(d => (YamlMappingNode)d.RootNode));
        }
        return docs;
    }

    static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children.TryGetValue(new YamlScalarNode(key), out var child) ? child
            : throw new KeyNotFoundException($"no '{key}' on the way to {string.Join(".", path)}"));

    static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    static YamlMappingNode Named(List<YamlMappingNode> docs, string kind, string name) =>
        docs.Single(d => Text(d, "kind") == kind && Text(d, "metadata", "name") == name);

    [Fact]
    public void Every_name_that_must_meet_does()
    {
        var docs = Documents();
        Assert.Equal(["ConfigMap", "Kustomization", "Service", "StatefulSet", "StatefulSet"], docs.Select(d => Text(d, "kind")).Order());
        // `kubectl apply -k` takes every manifest of the folder.
        var kustomization = docs.Single(d => Text(d, "kind") == "Kustomization");
        Assert.Equal(Directory.GetFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(),
            ((YamlSequenceNode)At(kustomization, "resources")).Select(r => ((YamlScalarNode)r).Value).Order());
        docs.Remove(kustomization);
        string script = File.ReadAllText(Path.Combine(Deploy, "kubernetes", "make-secrets.sh"));
        foreach (var set in docs.Where(d => Text(d, "kind") == "StatefulSet"))
        {
            var labels = (YamlMappingNode)At(set, "spec", "template", "metadata", "labels");
            foreach (var (key, value) in ((YamlMappingNode)At(set, "spec", "selector", "matchLabels")).Children)
                Assert.Equal(value, labels.Children[key]);
            var pod = At(set, "spec", "template", "spec");
            var volumes = ((YamlSequenceNode)At(pod, "volumes")).Select(v => Text(v, "name"))
                .Concat(((YamlSequenceNode)At(set, "spec", "volumeClaimTemplates")).Select(v => Text(v, "metadata", "name"))).ToHashSet();
            foreach (var container in (YamlSequenceNode)At(pod, "containers"))
                foreach (var mount in (YamlSequenceNode)At(container, "volumeMounts"))
                    Assert.Contains(Text(mount, "name"), volumes);
            foreach (var volume in (YamlSequenceNode)At(pod, "volumes"))
            {
                var source = (YamlMappingNode)volume;
                if (source.Children.ContainsKey(new YamlScalarNode("secret"))) Assert.Contains($"secret generic {Text(volume, "secret", "secretName")} ", script);
                if (source.Children.ContainsKey(new YamlScalarNode("configMap"))) Named(docs, "ConfigMap", Text(volume, "configMap", "name"));
            }
        }
        var service = Named(docs, "Service", "fedlmt-server");
        var serverPod = At(Named(docs, "StatefulSet", "fedlmt-server"), "spec", "template");
        foreach (var (key, value) in ((YamlMappingNode)At(service, "spec", "selector")).Children)
            Assert.Equal(value, ((YamlMappingNode)At(serverPod, "metadata", "labels")).Children[key]);
        string target = Text(((YamlSequenceNode)At(service, "spec", "ports"))[0], "targetPort");
        Assert.Contains(((YamlSequenceNode)At(((YamlSequenceNode)At(serverPod, "spec", "containers"))[0], "ports")), p => Text(p, "name") == target);
    }

    [Fact]
    public void The_run_config_validates_and_the_hosts_serve_exactly_its_clients()
    {
        var docs = Documents();
        var config = ConfigLoader.Parse(Text(Named(docs, "ConfigMap", "fedlmt-run"), "data", "run.yaml")).Validate();
        var hosts = Named(docs, "StatefulSet", "fedlmt-hosts");
        int replicas = int.Parse(Text(hosts, "spec", "replicas"));
        var env = (YamlSequenceNode)At(((YamlSequenceNode)At(hosts, "spec", "template", "spec", "containers"))[0], "env");
        int perHost = int.Parse(Text(env.Single(e => Text(e, "name") == "IDS_PER_HOST"), "value"));
        Assert.Equal(config.Federated.NumClients, replicas * perHost);
        var serverArgs = ServerArgs(docs);
        Assert.Equal(config.Federated.NumClients.ToString(), serverArgs[serverArgs.IndexOf("--min-clients") + 1]);
    }

    static List<string> ServerArgs(List<YamlMappingNode> docs) =>
        ((YamlSequenceNode)At(((YamlSequenceNode)At(Named(docs, "StatefulSet", "fedlmt-server"), "spec", "template", "spec", "containers"))[0], "args"))
            .Select(a => ((YamlScalarNode)a).Value!).ToList();

    [Fact]
    public void Every_option_the_pods_pass_is_one_the_tool_takes()
    {
        var docs = Documents();
        var hostScript = ((YamlSequenceNode)At(((YamlSequenceNode)At(Named(docs, "StatefulSet", "fedlmt-hosts"), "spec", "template", "spec", "containers"))[0], "args"))
            .Select(a => ((YamlScalarNode)a).Value!).Single();
        foreach (var (command, options) in new[]
        {
            ("server", ServerArgs(docs).Where(a => a.StartsWith("--")).ToList()),
            ("client", Regex.Matches(hostScript, @"(?<=\s)--[a-z-]+").Select(m => m.Value).ToList()),
        })
        {
            Assert.NotEmpty(options);
            var (code, help) = CommandTests.Run(command, "--help");
            Assert.Equal(0, code);
            foreach (var option in options) Assert.Contains($" {option} ", help.Replace("\n", " "));
        }
    }
}
