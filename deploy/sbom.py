#!/usr/bin/env python3
"""A CycloneDX 1.5 software bill of materials of barcoded, generated offline from
Cargo.lock through `cargo metadata --locked --offline --filter-platform HOST` (names,
versions, licences, the registry checksums of Cargo.lock as SHA-256 hashes, and the
dependency graph of the build for this machine's target).

Usage: python3 deploy/sbom.py OUT.json   (run from anywhere inside the repository)
"""

import json
import pathlib
import subprocess
import sys
import tomllib
import uuid

root = pathlib.Path(__file__).resolve().parent.parent


def host() -> str:
    """The target this machine builds for (`rustc -vV`'s host line)."""
    out = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("host: "))


def main(out: str) -> int:
    # The build for this machine's target: a fresh machine has fetched only its crates, and
    # the other platforms' (Windows, Android, ...) are not part of what ships here.
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", host()],
            cwd=root, check=True, capture_output=True, text=True,
        ).stdout
    )
    lock_text = (root / "Cargo.lock").read_text()
    lock = tomllib.loads(lock_text)
    checksums = {(p["name"], p["version"]): p.get("checksum") for p in lock["package"]}
    members = set(meta["workspace_members"])
    by_id = {p["id"]: p for p in meta["packages"]}

    def ref(p):
        return f"pkg:cargo/{p['name']}@{p['version']}"

    def component(p):
        c = {"type": "library", "bom-ref": ref(p), "name": p["name"], "version": p["version"], "purl": ref(p)}
        if p.get("license"):
            c["licenses"] = [{"expression": p["license"]}]
        if p.get("description"):
            c["description"] = " ".join(p["description"].split())
        if checksums.get((p["name"], p["version"])):
            c["hashes"] = [{"alg": "SHA-256", "content": checksums[(p["name"], p["version"])]}]
        if p.get("repository"):
            c["externalReferences"] = [{"type": "vcs", "url": p["repository"]}]
        return c

    main_pkg = next(by_id[m] for m in members if by_id[m]["name"] == "barcoded")
    resolved = [n for n in meta["resolve"]["nodes"] if n["id"] in by_id]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        # The same lock file gives the same serial number: the document is reproducible.
        "serialNumber": uuid.uuid5(uuid.NAMESPACE_URL, "barcoded:" + lock_text).urn,
        "version": 1,
        "metadata": {
            "tools": [{"name": "deploy/sbom.py (cargo metadata, " + host() + ")"}],
            "component": {**component(main_pkg), "type": "application"},
        },
        "components": sorted(
            (component(p) for p in meta["packages"] if p["id"] not in members),
            key=lambda c: (c["name"], c["version"]),
        ),
        "dependencies": sorted(
            (
                {"ref": ref(by_id[n["id"]]), "dependsOn": sorted({ref(by_id[d["pkg"]]) for d in n["deps"]})}
                for n in resolved
            ),
            key=lambda d: d["ref"],
        ),
    }
    pathlib.Path(out).write_text(json.dumps(bom, indent=1) + "\n")
    third_party = [p for p in lock["package"] if "source" in p]
    print(f"sbom.py: {len(bom['components'])} components ({len(third_party)} from registries in Cargo.lock) -> {out}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
