#!/bin/bash
# Makes the two Secrets the manifests mount: fedlmt-server-certs (ca.crt, server.crt/key for the Service's names, and
# tokens.txt with one range line per client host) and fedlmt-host-tokens (host-0 .. host-N-1, each host's own token).
# usage: deploy/kubernetes/make-secrets.sh HOSTS IDS_PER_HOST [NAMESPACE]   (needs the fedlmt tool and kubectl)
set -euo pipefail
hosts=${1:?hosts}; per=${2:?ids per host}; namespace=${3:-default}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fedlmt() { dotnet run --project "$(dirname "$0")/../../src/FedLmt.Cli" -c Release -- "$@"; }
fedlmt certs --out "$dir" --clients 1 --host fedlmt-server --host "fedlmt-server.$namespace.svc" \
  --host "fedlmt-server.$namespace.svc.cluster.local" > /dev/null
: > "$dir/host-tokens.txt"
mkdir -p "$dir/hosts"
for ((h = 0; h < hosts; h++)); do
  token=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  echo "$((h * per))-$((h * per + per - 1)) $token" >> "$dir/host-tokens.txt"
  printf '%s\n' "$token" > "$dir/hosts/host-$h"
done
kubectl -n "$namespace" create secret generic fedlmt-server-certs --from-file=ca.crt="$dir/ca.crt" \
  --from-file=server.crt="$dir/server.crt" --from-file=server.key="$dir/server.key" --from-file=tokens.txt="$dir/host-tokens.txt"
kubectl -n "$namespace" create secret generic fedlmt-host-tokens --from-file="$dir/hosts"
echo "made fedlmt-server-certs and fedlmt-host-tokens for $hosts hosts of $per ids; ca.key was not kept"
