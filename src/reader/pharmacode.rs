//! Pharmacode (Laetus one-track) out of a scan line's runs (`linear.rs`): 2 to 16 bars,
//! narrow (1 module) or wide (3), every space 2 modules, quiet zones either side. The value
//! is read in the line's direction, its last bar the lowest digit: a narrow bar at place
//! `i` (from the end) adds `2^i`, a wide one `2^(i+1)` — the reverse of
//! `symbology::pharma::encode`.
//!
//! Pharmacode has no start, stop or check: a symbol read backwards is another valid
//! number, and any few stripes of two widths read as one. So it is read only when a caller
//! asks for it by name and says which way the symbols run (`reader::Ask`): the widths are
//! checked strictly here (spaces alike, bars at one or three halves of a space), and
//! `linear.rs` keeps the reads of the asked direction only.

use super::runs::{scan_short, Hit};
use crate::symbology::pharma::{MAX, MIN};

/// Bars of the longest symbol (131070: sixteen wide bars).
const MAX_BARS: usize = 16;

/// Every Pharmacode symbol on the line, read in its direction (a symbol of two bars is
/// five runs: a quiet zone, bar, space, bar, quiet zone).
pub fn decode(r: &[u32]) -> Vec<Hit> {
    scan_short(r, at, 3)
}

/// The symbol whose first bar is dark run `i`, and the run after its last bar.
fn at(r: &[u32], i: usize) -> Option<(Hit, usize)> {
    // The bars run while the light runs between them look like spaces: at most twice the
    // first space (a wider light run is the quiet zone after the symbol).
    let first_space = *r.get(i + 1)? as f32;
    let mut last = i;
    while last + 2 < r.len() && (r[last + 1] as f32) < 2.0 * first_space && (last - i) / 2 + 1 < MAX_BARS {
        last += 2;
    }
    if last == i {
        return None; // one bar (or no run after it): no symbol
    }
    let bars: Vec<u32> = r[i..=last].iter().step_by(2).copied().collect();
    let mut spaces: Vec<u32> = r[i + 1..last].iter().step_by(2).copied().collect();
    spaces.sort_unstable();
    let space = spaces[spaces.len() / 2] as f32;
    let alike = |s: u32| (0.7..1.4).contains(&(s as f32 / space));
    let quiet = |q: Option<&u32>| q.is_some_and(|&q| q as f32 >= 2.5 * space);
    if !spaces.iter().all(|&s| alike(s)) || !quiet(r.get(i - 1)) || !quiet(r.get(last + 1)) {
        return None;
    }
    // A bar's width in modules, a space being two: narrow near 1, wide near 3.
    let mut value: u32 = 0;
    for &b in &bars {
        let m = 2.0 * b as f32 / space;
        let wide = match m {
            m if (0.5..1.6).contains(&m) => false,
            m if (2.3..3.8).contains(&m) => true,
            _ => return None,
        };
        value = 2 * value + if wide { 2 } else { 1 };
    }
    (MIN..=MAX).contains(&value).then(|| (Hit { text: value.to_string(), first: i, last }, last + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::runs::runs_of;
    use crate::symbology::pharma::encode;

    fn read(runs: &[u32]) -> Vec<String> {
        decode(runs).into_iter().map(|h| h.text).collect()
    }

    #[test]
    fn reads_what_we_write_forwards_and_another_number_backwards() {
        for (data, backwards) in [("1234", "1835"), ("3", "3"), ("131070", "131070"), ("5", "4")] {
            let mut runs = runs_of(&encode(data.as_bytes()).unwrap(), 2);
            assert_eq!(read(&runs), [data], "{data}");
            // Read the other way it is another valid number: why the caller must say.
            runs.reverse();
            assert_eq!(read(&runs), [backwards], "{data} backwards");
        }
    }

    #[test]
    fn short_lines_read_nothing() {
        for runs in [&[][..], &[24], &[24, 2], &[24, 2, 4], &[24, 2, 4, 2], &[2, 4, 2, 4, 2, 4]] {
            assert!(read(runs).is_empty(), "{runs:?}");
        }
        assert_eq!(read(&[24, 2, 4, 2, 24]), ["3"], "two bars: five runs");
    }

    #[test]
    fn widths_that_fit_no_module_count_are_refused() {
        let mut runs = runs_of(&encode(b"1234").unwrap(), 2);
        runs[3] = 10; // a bar of five modules
        assert!(read(&runs).is_empty());
        let mut runs = runs_of(&encode(b"1234").unwrap(), 2);
        runs[4] = 2; // a space of one module among spaces of two
        assert!(read(&runs).is_empty());
        // No quiet zone before the first bar.
        let mut runs = runs_of(&encode(b"1234").unwrap(), 2);
        runs[0] = 4;
        assert!(read(&runs).is_empty());
    }
}
