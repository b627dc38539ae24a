#!/usr/bin/env bash
# Validates the deployment files offline: the systemd unit (`systemd-analyze verify`, any
# warning fails), the Kubernetes manifests (`kubernetes-validate --strict` against the
# oldest Kubernetes they support), the Prometheus rules (`promtool check rules` and the
# rules' unit tests), and writes the software bill of materials (CycloneDX 1.5 from
# Cargo.lock, validated against the CycloneDX schema) to target/sbom.cdx.json.
# Needs: systemd-analyze, promtool (apt prometheus), kubernetes-validate and
# cyclonedx-python-lib[json-validation] (pip), cargo; CI installs them (.ci/run).
# Usage: deploy/check.sh [BINARY]   (the binary the unit's ExecStart is pointed at for the
# check; default target/release/barcoded, built if missing)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${1:-$root/target/release/barcoded}"
[ -x "$bin" ] || cargo build --release -q -p barcoded
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# systemd: the template checked as an instance, ExecStart at a binary that exists here.
sed "s#/usr/local/bin/barcoded#$bin#" deploy/systemd/barcoded@.service > "$tmp/barcoded@.service"
ln -s barcoded@.service "$tmp/barcoded@a.service"
out="$(systemd-analyze verify --man=no "$tmp/barcoded@a.service" 2>&1)" || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "systemd-analyze: $out"; exit 1; }
# The unit's --config file is one barcoded reads.
"$bin" --config deploy/systemd/barcoded.toml --print-config > /dev/null
echo "deploy/check.sh: systemd unit verified"

# Kubernetes: 1.30 is the first release with the preStop sleep action the Deployment uses.
kubernetes-validate --strict --quiet -k 1.30.0 deploy/k8s/*.yaml
kubernetes-validate --strict --quiet deploy/k8s/*.yaml
echo "deploy/check.sh: Kubernetes manifests valid (1.30 and the newest schema)"

# Prometheus.
promtool check rules deploy/prometheus/rules.yml
(cd deploy/prometheus && promtool test rules tests.yml)

# The SBOM, kept by CI as an artefact.
mkdir -p target
# The crates of this target's build are on the machine once it has built the tests; on one
# that has not, fetch them (a no-op otherwise: the SBOM itself reads offline).
cargo fetch --locked --target "$(rustc -vV | sed -n 's/^host: //p')"
python3 deploy/sbom.py target/sbom.cdx.json
python3 - <<'PY'
import sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
err = JsonStrictValidator(SchemaVersion.V1_5).validate_str(open("target/sbom.cdx.json").read())
sys.exit(f"target/sbom.cdx.json is not valid CycloneDX 1.5: {err}" if err else 0)
PY
echo "deploy/check.sh: target/sbom.cdx.json is valid CycloneDX 1.5"
