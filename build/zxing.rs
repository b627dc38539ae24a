//! Compiles zxing-cpp's reader (C++20) with the `cc` crate, so that a fresh machine needs
//! nothing beyond gcc/g++: no cmake. The sources are those the `zxing-cpp` crate ships on
//! crates.io (a dependency of ours for its Rust bindings, used without its cmake-based
//! `bundled` feature); `cargo metadata` says where cargo unpacked them. Only the reader is
//! built: the crate's package leaves the writers out, and so do we.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate whose sources we build, at the version Cargo.toml pins with `=`.
const CRATE: &str = "zxing-cpp";
const VERSION: &str = "0.5.3";

pub fn build() {
    let root = match std::env::var_os("ZXING_CPP_SRC") {
        Some(dir) => PathBuf::from(dir),
        None => crate_dir(),
    };
    let src = root.join("core/src");
    assert!(src.join("ZXingC.cpp").exists(), "zxing-cpp sources not found under {}", src.display());
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let version = cmake_version(&root.join("core/CMakeLists.txt"));
    let (major, minor, patch) = {
        let mut it = version.split('.');
        let mut n = || it.next().unwrap_or("0").to_string();
        (n(), n(), n())
    };
    // What cmake would make of Version.h.in with the reader only and every format on.
    let header = format!(
        "#pragma once\n#define ZXING_READERS\n#define ZXING_ENABLE_1D 1\n#define ZXING_ENABLE_AZTEC 1\n\
         #define ZXING_ENABLE_DATAMATRIX 1\n#define ZXING_ENABLE_MAXICODE 1\n#define ZXING_ENABLE_PDF417 1\n\
         #define ZXING_ENABLE_QRCODE 1\n#define ZXING_VERSION_MAJOR {major}\n#define ZXING_VERSION_MINOR {minor}\n\
         #define ZXING_VERSION_PATCH {patch}\n#define ZXING_VERSION_SUFFIX \"\"\n#define ZXING_VERSION_STR \"{version}\"\n"
    );
    std::fs::write(out.join("Version.h"), header).expect("write Version.h");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut build = cc::Build::new();
    let march = march();
    if let Some(m) = &march {
        build.flag(format!("-march={m}"));
    }
    // The same arithmetic at every level: where FMA is there, gcc would otherwise fuse
    // a*b+c, whose different rounding lost one image of the reader corpus (Aztec, tiny).
    build.flag("-ffp-contract=off");
    // What `reader/cpu.rs` checks the running CPU against.
    println!("cargo:rustc-env=BARCODED_ZXING_MARCH={}", march.as_deref().unwrap_or(""));
    println!("cargo:rerun-if-env-changed=BARCODED_ZXING_MARCH");
    build
        .cpp(true)
        .std("c++20")
        .include(&out)
        .include(&src)
        .define("ZXING_INTERNAL", None)
        .define("NDEBUG", None)
        .opt_level(3)
        // Position-independent code for an executable (PIE), not for a shared object
        // (PIC, the crate's default): gcc then needs not assume that a global function may
        // be replaced at load time, and inlines across the reader's own functions.
        .pic(false)
        .flag("-fPIE")
        .warnings(false)
        .files(&files);
    // Not under the fuzzers: their sanitizer and `-malloc_limit_mb` see only the
    // allocations that go through malloc (and replace `new` themselves).
    let fuzzing = std::env::var_os("CARGO_CFG_FUZZING").is_some() || std::env::var_os("CARGO_CFG_SANITIZE").is_some();
    if !fuzzing {
        build.file("build/zxing_alloc.cpp");
    }
    build.compile("zxing");
    cc::Build::new().file(src.join("libzueci/zueci.c")).opt_level(3).warnings(false).compile("zueci");
    println!("cargo:rerun-if-changed=build/zxing.rs");
    println!("cargo:rerun-if-changed=build/zxing_alloc.cpp");
    println!("cargo:rerun-if-env-changed=ZXING_CPP_SRC");
}

/// The x86-64 level zxing-cpp is compiled for (none on other targets): the environment's
/// `BARCODED_ZXING_MARCH` (any `-march` value), or else x86-64-v3 (AVX2, FMA, BMI2: every
/// x86-64 server CPU since 2015, the baseline of RHEL 10) where the machine building it has
/// it, or else x86-64-v2 (SSE4.2, POPCNT: every x86-64 CPU since 2009). Measured, luma in
/// (`benches/decode_vs_zxing.py`): v2 3-4 % less CPU per image than the baseline, v3 about
/// 4 % less again. A binary built for v3 and started on a CPU without it says so and stops
/// (`reader/cpu.rs`) instead of dying of an illegal instruction in its first decode.
fn march() -> Option<String> {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("x86_64") {
        return None;
    }
    // Set and not empty (a container build's unset `ARG` may pass an empty one).
    if let Some(m) = std::env::var("BARCODED_ZXING_MARCH").ok().filter(|m| !m.is_empty()) {
        return Some(m);
    }
    let native = std::env::var("HOST").ok() == std::env::var("TARGET").ok();
    Some(if native && host_has_v3() { "x86-64-v3" } else { "x86-64-v2" }.to_string())
}

/// Whether the machine running this build script has x86-64-v3.
#[cfg(target_arch = "x86_64")]
fn host_has_v3() -> bool {
    is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
        && is_x86_feature_detected!("bmi1")
        && is_x86_feature_detected!("bmi2")
        && is_x86_feature_detected!("f16c")
        && is_x86_feature_detected!("lzcnt")
        && is_x86_feature_detected!("movbe")
}

#[cfg(not(target_arch = "x86_64"))]
fn host_has_v3() -> bool {
    false
}

/// The reader's C++ files: every `.cpp` but the writers' (`CreateBarcode`, `WriteBarcode`,
/// the bundled libzint) and librscpp's example program.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if name != "libzint" {
                sources(&p, out);
            }
        } else if name.ends_with(".cpp") && !matches!(name, "CreateBarcode.cpp" | "WriteBarcode.cpp" | "example.cpp") {
            out.push(p);
        }
    }
}

/// Where cargo unpacked the `zxing-cpp` crate: the registry's source folder under
/// `CARGO_HOME` (what the build has just fetched), or else `cargo metadata` (vendored
/// sources, another registry).
fn crate_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let wanted = format!("{CRATE}-{VERSION}");
    if let Some(Ok(registries)) = home.map(|h| std::fs::read_dir(h.join("registry/src"))) {
        for r in registries.flatten() {
            let dir = r.path().join(&wanted);
            if dir.join("core/src").is_dir() {
                return dir;
            }
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let target = std::env::var("TARGET").expect("TARGET");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--filter-platform", &target, "--manifest-path"])
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let pkg = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == CRATE && p["version"] == VERSION))
        .unwrap_or_else(|| panic!("{wanted} is not among the dependencies"));
    let path = PathBuf::from(pkg["manifest_path"].as_str().expect("manifest_path"));
    path.parent().expect("crate directory").to_path_buf()
}

/// `project (ZXing VERSION "3.1.1")` from the CMake file.
fn cmake_version(cmake: &Path) -> String {
    let text = std::fs::read_to_string(cmake).expect("core/CMakeLists.txt");
    text.lines()
        .find_map(|l| l.trim().strip_prefix("project (ZXing VERSION \"").and_then(|r| r.split('"').next()))
        .unwrap_or("0.0.0")
        .to_string()
}
