#!/usr/bin/env bash
# Builds the container image offline (deploy/Containerfile.scratch: FROM scratch, nothing
# pulled) from the binary this machine built, then runs it and requests from it: health, a
# PNG, and a decode of that PNG (the decode worker is the binary itself, started again
# inside the image). Uses buildah (apt buildah; vfs storage, chroot isolation: no daemon,
# no privileges beyond root's); CI runs it (.ci/run installs buildah).
# Usage: deploy/image.sh [BINARY]   (default target/release/barcoded, built if missing)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${1:-$root/target/release/barcoded}"
[ -x "$bin" ] || cargo build --release -q -p barcoded
command -v buildah >/dev/null || { echo "deploy/image.sh: buildah is not installed (apt-get install buildah)" >&2; exit 1; }
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
tag="localhost/barcoded:check-$$"
ctx="$(mktemp -d)"
ctr=""
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$ctr" ]; then buildah rm "$ctr" >/dev/null 2>&1 || true; fi
  buildah rmi "$tag" >/dev/null 2>&1 || true
  rm -rf "$ctx"
}
trap cleanup EXIT

# The image's files: the stripped binary, the libraries it links (as ldd resolves them, and
# the loader), a passwd entry for uid 65532, a /tmp, and the state directory it owns.
fs="$ctx/rootfs"
mkdir -p "$fs/usr/local/bin" "$fs/etc" "$fs/tmp" "$ctx/state"
strip -o "$fs/usr/local/bin/barcoded" "$bin"
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
  mkdir -p "$fs$(dirname "$lib")"
  cp -L "$lib" "$fs$lib"
done
echo "barcoded:x:65532:65532:barcoded:/var/lib/barcoded:/sbin/nologin" > "$fs/etc/passwd"
echo "barcoded:x:65532:" > "$fs/etc/group"
chmod 1777 "$fs/tmp"
cp deploy/Containerfile.scratch "$ctx/Containerfile"
buildah bud --quiet -f "$ctx/Containerfile" -t "$tag" "$ctx" >/dev/null
size=$(buildah images --format '{{.Size}}' "$tag")
echo "deploy/image.sh: built $tag FROM scratch ($size), offline"

# Run it (host network under chroot isolation) as its own user, and ask it for work.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ctr=$(buildah from "$tag")
buildah run "$ctr" -- /usr/local/bin/barcoded --listen "127.0.0.1:$port" --admin-listen off --threads 1 \
  2> "$ctx/run.log" &
pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the image did not serve: $(cat "$ctx/run.log")" >&2; exit 1; }
curl -sf -o "$ctx/code.png" "http://127.0.0.1:$port/v1/code128/IMAGE-CHECK.png"
head -c 8 "$ctx/code.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || { echo "not a PNG" >&2; exit 1; }
decoded=$(curl -sf -H 'Content-Type: image/png' --data-binary "@$ctx/code.png" "http://127.0.0.1:$port/v1/decode")
echo "$decoded" | grep -q '"text":"IMAGE-CHECK"' || { echo "the image's decode answered: $decoded" >&2; exit 1; }
user=$(awk '/^Uid:/ { print $2 }' "/proc/$(pgrep -n -f "^/usr/local/bin/barcoded --listen 127.0.0.1:$port")/status")
[ "$user" = 65532 ] || { echo "the image runs as uid $user, not 65532" >&2; exit 1; }
echo "deploy/image.sh: the image serves as uid 65532: /healthz, a PNG, and /v1/decode read it back"
