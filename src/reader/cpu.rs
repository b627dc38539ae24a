//! Whether the CPU running this binary has the instructions its zxing-cpp build uses
//! (`build/zxing.rs` picks the x86-64 level at build time: x86-64-v3 on a machine that has
//! it). Checked once when the binary starts, so that a binary copied to an older CPU stops
//! with a message naming what is missing and how to build for it, instead of dying of an
//! illegal instruction in its first decode.

/// The `-march` level zxing-cpp was compiled for (empty where none was given).
pub const MARCH: &str = env!("BARCODED_ZXING_MARCH");

/// The CPU features `MARCH` needs that this CPU lacks (none where it has them all, or where
/// the level is not one we know: `native`, another architecture).
pub fn missing() -> Vec<&'static str> {
    needed(MARCH).iter().copied().filter(|f| !has(f)).collect()
}

/// The features an x86-64 level adds up to, by name (`is_x86_feature_detected!`'s names).
fn needed(march: &str) -> &'static [&'static str] {
    const V2: &[&str] = &["cx16", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3"];
    const V3: &[&str] = &[
        "cx16", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3", "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "lzcnt",
        "movbe",
    ];
    const V4: &[&str] = &[
        "cx16", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3", "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "lzcnt",
        "movbe", "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl",
    ];
    match march {
        "x86-64-v2" => V2,
        "x86-64-v3" => V3,
        "x86-64-v4" => V4,
        _ => &[],
    }
}

/// Whether this CPU has the feature (false for a name not listed in `needed`).
#[cfg(target_arch = "x86_64")]
fn has(feature: &str) -> bool {
    match feature {
        "cx16" => is_x86_feature_detected!("cmpxchg16b"),
        "popcnt" => is_x86_feature_detected!("popcnt"),
        "sse3" => is_x86_feature_detected!("sse3"),
        "sse4.1" => is_x86_feature_detected!("sse4.1"),
        "sse4.2" => is_x86_feature_detected!("sse4.2"),
        "ssse3" => is_x86_feature_detected!("ssse3"),
        "avx" => is_x86_feature_detected!("avx"),
        "avx2" => is_x86_feature_detected!("avx2"),
        "bmi1" => is_x86_feature_detected!("bmi1"),
        "bmi2" => is_x86_feature_detected!("bmi2"),
        "f16c" => is_x86_feature_detected!("f16c"),
        "fma" => is_x86_feature_detected!("fma"),
        "lzcnt" => is_x86_feature_detected!("lzcnt"),
        "movbe" => is_x86_feature_detected!("movbe"),
        "avx512f" => is_x86_feature_detected!("avx512f"),
        "avx512bw" => is_x86_feature_detected!("avx512bw"),
        "avx512cd" => is_x86_feature_detected!("avx512cd"),
        "avx512dq" => is_x86_feature_detected!("avx512dq"),
        "avx512vl" => is_x86_feature_detected!("avx512vl"),
        _ => false,
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn has(_feature: &str) -> bool {
    false
}

/// The line to stop with when `missing()` is not empty.
pub fn refusal(missing: &[&str]) -> String {
    format!(
        "this binary's barcode reader was compiled for {MARCH}, and this CPU lacks {}; build it on this \
         machine, or with BARCODED_ZXING_MARCH=x86-64-v2 for any x86-64 CPU since 2009",
        missing.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_adds_to_the_one_below() {
        let (v2, v3, v4) = (needed("x86-64-v2"), needed("x86-64-v3"), needed("x86-64-v4"));
        assert!(v2.iter().all(|f| v3.contains(f)) && v3.iter().all(|f| v4.contains(f)));
        assert!(v3.contains(&"avx2") && !v2.contains(&"avx2"));
        assert!(needed("native").is_empty() && needed("").is_empty());
    }

    #[test]
    fn this_cpu_runs_this_build() {
        // The tests run on the machine that built them, where the level was chosen to fit.
        assert!(missing().is_empty(), "{}", refusal(&missing()));
    }

    #[test]
    fn the_refusal_names_what_is_missing_and_the_way_out() {
        let line = refusal(&["avx2", "fma"]);
        assert!(line.contains("avx2, fma") && line.contains("BARCODED_ZXING_MARCH=x86-64-v2"));
    }
}
