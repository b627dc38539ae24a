//! GS1 DataBar (ISO/IEC 24724) for a GTIN: Omnidirectional, Truncated (the same bars, 13
//! modules high), Stacked, Stacked Omnidirectional and Limited. The GTIN's first 13 digits
//! as one number are split into data characters; each character's value picks its bar and
//! space widths through the standard's combinatorial "widths" algorithm; a checksum picks
//! the finder patterns (Omnidirectional) or the check character (Limited). The stacked
//! forms are the two halves over each other with the standard's separator rows, drawn as
//! a matrix whose rows repeat for their height.

use super::{linear, DataError, Encoded, HumanText, Linear, Matrix, MatrixKind, Symbol};

pub const RULE: &str = "a GTIN: 13 digits (check digit computed) or 14 (check digit verified), optionally after (01)";
pub const LIMITED_RULE: &str =
    "a GTIN beginning 0 or 1: 13 digits (check digit computed) or 14 (check digit verified), optionally after (01)";

/// The number of ways to choose `r` of `n`.
fn combins(n: i32, r: i32) -> i32 {
    if r < 0 || n < r {
        return 0;
    }
    if (n as usize) < PASCAL_ROWS {
        return PASCAL[n as usize][r as usize] as i32;
    }
    let (max, min) = if n - r > r { (n - r, r) } else { (r, n - r) };
    let (mut val, mut j) = (1i64, 1i64);
    for i in (max + 1..=n).rev() {
        val *= i64::from(i);
        if j <= i64::from(min) {
            val /= j;
            j += 1;
        }
    }
    while j <= i64::from(min) {
        val /= j;
        j += 1;
    }
    val as i32
}

/// Rows of Pascal's triangle looked up by `combins` (DataBar's groups are at most 26 modules
/// wide); computing each coefficient was most of a stacked symbol's encoding.
const PASCAL_ROWS: usize = 33;
static PASCAL: [[i64; PASCAL_ROWS]; PASCAL_ROWS] = {
    let mut t = [[0i64; PASCAL_ROWS]; PASCAL_ROWS];
    let mut n = 0;
    while n < PASCAL_ROWS {
        t[n][0] = 1;
        let mut r = 1;
        while r <= n {
            t[n][r] = t[n - 1][r - 1] + t[n - 1][r];
            r += 1;
        }
        n += 1;
    }
    t
};

/// The widths of `elements` (at most 8) bars (or spaces) of `n` modules in all, none wider
/// than `max_width`, for the value `val` (ISO/IEC 24724 Annex B), in the first `elements`
/// entries; `no_narrow`: at least one element may be one module wide.
pub(crate) fn widths(mut val: i32, mut n: i32, elements: usize, max_width: i32, no_narrow: bool) -> [u8; 8] {
    let mut out = [0u8; 8];
    let mut narrow_mask = 0u32;
    let el = elements as i32;
    for (bar, slot) in out.iter_mut().enumerate().take(elements - 1) {
        let b = bar as i32;
        let mut elm_width = 1;
        narrow_mask |= 1 << bar;
        let mut sub_val;
        loop {
            sub_val = combins(n - elm_width - 1, el - b - 2);
            if !no_narrow && narrow_mask == 0 && n - elm_width - (el - b - 1) >= el - b - 1 {
                sub_val -= combins(n - elm_width - (el - b), el - b - 2);
            }
            if el - b - 1 > 1 {
                let mut less = 0;
                let mut mxw = n - elm_width - (el - b - 2);
                while mxw > max_width {
                    less += combins(n - elm_width - mxw - 1, el - b - 3);
                    mxw -= 1;
                }
                sub_val -= less * (el - 1 - b);
            } else if n - elm_width > max_width {
                sub_val -= 1;
            }
            val -= sub_val;
            if val < 0 {
                break;
            }
            elm_width += 1;
            narrow_mask &= !(1 << bar);
        }
        val += sub_val;
        n -= elm_width;
        *slot = elm_width as u8;
    }
    out[elements - 1] = n as u8;
    out
}

/// Modules of alternating elements, the first light unless `dark_first`.
pub(crate) fn to_modules(elements: &[u8], dark_first: bool) -> Vec<bool> {
    let mut m = Vec::with_capacity(elements.iter().map(|&w| usize::from(w)).sum());
    for (i, &w) in elements.iter().enumerate() {
        m.extend(std::iter::repeat_n((i % 2 == 0) == dark_first, usize::from(w)));
    }
    m
}

/// A matrix of `rows`, each repeated for its height in modules.
pub(crate) fn stack(rows: &[(Vec<bool>, usize)]) -> Matrix {
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let height = rows.iter().map(|r| r.1).sum();
    let mut dark = Vec::with_capacity(width * height);
    for (row, h) in rows {
        for _ in 0..*h {
            dark.extend(row);
            dark.extend(std::iter::repeat_n(false, width - row.len()));
        }
    }
    Matrix { width, height, dark, kind: MatrixKind::Square }
}

/// The 14 GTIN digits (check digit computed or verified), from 13 or 14 digits with an
/// optional `(01)` in front.
fn gtin14(sym: &'static str, data: &[u8]) -> Result<Vec<u8>, DataError> {
    let data = data.strip_prefix(b"(01)").unwrap_or(data);
    linear::gtin_digits(sym, data, 13, "13 digits (check digit computed) or 14 (check digit verified)")
}

fn value(d: &[u8]) -> u64 {
    d[..13].iter().fold(0u64, |v, &x| v * 10 + u64::from(x))
}

fn hri(d: &[u8]) -> String {
    let mut s = String::from("(01)");
    s.extend(d.iter().map(|x| (b'0' + x) as char));
    s
}

fn linear_symbol(modules: Vec<bool>, d: &[u8]) -> Encoded {
    let canonical: String = d.iter().map(|x| (b'0' + x) as char).collect();
    let text = HumanText::Centered(hri(d));
    Encoded {
        symbol: Symbol::Linear(Linear { modules, guards: Vec::new(), text, bearer: 0, addon: None, above: None }),
        canonical,
    }
}

/// Omnidirectional's tables by group: 0-4 the outside characters, 5-8 the inside ones.
const G_SUM: [i32; 9] = [0, 161, 961, 2015, 2715, 0, 336, 1036, 1516];
const T_TABLE: [i32; 9] = [1, 10, 34, 70, 126, 4, 20, 48, 81];
const MODULES_ODD: [i32; 9] = [12, 10, 8, 6, 4, 5, 7, 9, 11];
const MODULES_EVEN: [i32; 9] = [4, 6, 8, 10, 12, 10, 8, 6, 4];
const WIDEST_ODD: [i32; 9] = [8, 6, 4, 3, 1, 2, 4, 6, 8];
const WIDEST_EVEN: [i32; 9] = [1, 3, 5, 6, 8, 7, 5, 3, 1];
/// The nine finder patterns, five elements each.
const FINDER: [[u8; 5]; 9] = [
    [3, 8, 2, 1, 1],
    [3, 5, 5, 1, 1],
    [3, 3, 7, 1, 1],
    [3, 1, 9, 1, 1],
    [2, 7, 4, 1, 1],
    [2, 5, 6, 1, 1],
    [2, 3, 8, 1, 1],
    [1, 5, 7, 1, 1],
    [1, 3, 9, 1, 1],
];

/// 3^k mod `m`: the checksum weights of every DataBar form, looked up for the three moduli
/// the forms use (a product per call was most of a stacked symbol's encoding).
pub(crate) fn weight(k: usize, m: u32) -> u32 {
    let table: &[u32] = match m {
        79 => &POW3_79,
        89 => &POW3_89,
        211 => &POW3_211,
        _ => &[],
    };
    table.get(k).copied().unwrap_or_else(|| (0..k).fold(1, |w, _| w * 3 % m))
}

/// Powers of 3 modulo `m`, `N` of them.
const fn powers_of_3<const N: usize>(m: u32) -> [u32; N] {
    let mut t = [1u32; N];
    let mut k = 1;
    while k < N {
        t[k] = t[k - 1] * 3 % m;
        k += 1;
    }
    t
}

static POW3_79: [u32; 32] = powers_of_3(79);
static POW3_89: [u32; 28] = powers_of_3(89);
static POW3_211: [u32; 192] = powers_of_3(211);

/// Omnidirectional's 46 elements (light first): guard, outside left, finder, inside left,
/// inside right, finder, outside right, guard; and the right finder's value.
fn omni_elements(v: u64) -> ([u8; 46], usize) {
    let (left, right) = (v / 4_537_077, v % 4_537_077);
    let chars = [(left / 1597) as i32, (left % 1597) as i32, (right / 1597) as i32, (right % 1597) as i32];
    let mut w = [[0u8; 8]; 4];
    for (i, &c) in chars.iter().enumerate() {
        let outside = i % 2 == 0;
        let group = if outside {
            [160, 960, 2014, 2714].iter().take_while(|&&t| c > t).count()
        } else {
            5 + [335, 1035, 1515].iter().take_while(|&&t| c > t).count()
        };
        let (q, r) = ((c - G_SUM[group]) / T_TABLE[group], (c - G_SUM[group]) % T_TABLE[group]);
        let (v_odd, v_even) = if outside { (q, r) } else { (r, q) };
        let odd = widths(v_odd, MODULES_ODD[group], 4, WIDEST_ODD[group], outside);
        let even = widths(v_even, MODULES_EVEN[group], 4, WIDEST_EVEN[group], !outside);
        for k in 0..4 {
            w[i][2 * k] = odd[k];
            w[i][2 * k + 1] = even[k];
        }
    }
    let mut checksum: u32 = (0..4)
        .flat_map(|c| (0..8).map(move |e| (c, e)))
        .map(|(c, e)| weight(8 * c + e, 79) * u32::from(w[c][e]))
        .sum::<u32>()
        % 79;
    if checksum >= 8 {
        checksum += 1;
    }
    if checksum >= 72 {
        checksum += 1;
    }
    let (c_left, c_right) = ((checksum / 9) as usize, (checksum % 9) as usize);
    let mut t = [0u8; 46];
    t[0] = 1;
    t[1] = 1;
    t[44] = 1;
    t[45] = 1;
    for i in 0..8 {
        t[i + 2] = w[0][i];
        t[i + 15] = w[1][7 - i];
        t[i + 23] = w[3][i];
        t[i + 36] = w[2][7 - i];
    }
    for i in 0..5 {
        t[i + 10] = FINDER[c_left][i];
        t[i + 31] = FINDER[c_right][4 - i];
    }
    (t, c_right)
}

/// Which Omnidirectional form to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Omni,
    Truncated,
    Stacked,
    StackedOmni,
}

pub fn encode(data: &[u8], form: Form) -> Result<Encoded, DataError> {
    let sym = match form {
        Form::Omni => "databar",
        Form::Truncated => "databar-truncated",
        Form::Stacked => "databar-stacked",
        Form::StackedOmni => "databar-stacked-omni",
    };
    let d = gtin14(sym, data)?;
    let (t, c_right) = omni_elements(value(&d));
    if matches!(form, Form::Omni | Form::Truncated) {
        return Ok(linear_symbol(to_modules(&t, false), &d));
    }
    // The halves: the top ends with a bar and a space, the bottom begins with them.
    let mut top = to_modules(&t[..23], false);
    top.extend([true, false]);
    let mut bottom = vec![true, false];
    bottom.extend(to_modules(&t[23..], true));
    let rows = if form == Form::Stacked {
        // Light over light is dark; elsewhere dark and light alternate (ISO/IEC 24724:2011
        // 5.3.2.1, read as Zint reads it); the first four modules light.
        let mut sep = vec![false; 50];
        for i in 1..46 {
            sep[i] = if top[i] == bottom[i] { !top[i] } else { !sep[i - 1] };
        }
        sep[1..4].fill(false);
        vec![(top, 5), (sep, 1), (bottom, 7)]
    } else {
        let mut middle = vec![false; 50];
        for i in (5..46).step_by(2) {
            middle[i] = true;
        }
        let sep_top = omni_separator(&top, 18, false);
        // Finder value 3 (3, 1, 9, 1, 1) under the bottom row's finder: its single dark
        // separator module sits over the start of the 3-module bar (5.3.2.2).
        let sep_bottom = omni_separator(&bottom, 19, c_right == 3);
        vec![(top, 33), (sep_top, 1), (middle, 1), (sep_bottom, 1), (bottom, 33)]
    };
    let canonical = d.iter().map(|x| (b'0' + x) as char).collect();
    Ok(Encoded { symbol: Symbol::Matrix(stack(&rows)), canonical })
}

/// Stacked Omnidirectional's separator next to `row`: its complement, but over the 13
/// modules of the finder pattern from `finder` light modules alternate with dark ones, left
/// to right (or, for finder value 3 below, one dark module over its 3-module bar).
fn omni_separator(row: &[bool], finder: usize, value_3: bool) -> Vec<bool> {
    let mut sep = vec![false; row.len()];
    for i in 4..46 {
        sep[i] = !row[i];
    }
    let mut latch = true;
    for i in finder..finder + 13 {
        if value_3 {
            sep[i] = i == finder + 10;
        } else if !row[i] {
            sep[i] = latch;
            latch = !latch;
        } else {
            sep[i] = false;
            latch = true;
        }
    }
    sep
}

/// Limited's tables by group.
const G_SUM_LTD: [u32; 7] = [0, 183_064, 820_064, 1_000_776, 1_491_021, 1_979_845, 1_996_939];
const T_EVEN_LTD: [u32; 7] = [28, 728, 6454, 203, 2408, 1, 16632];
const MODULES_ODD_LTD: [i32; 7] = [17, 13, 9, 15, 11, 19, 7];
const MODULES_EVEN_LTD: [i32; 7] = [9, 13, 17, 11, 15, 7, 19];
const WIDEST_ODD_LTD: [i32; 7] = [6, 5, 3, 5, 4, 8, 1];
const WIDEST_EVEN_LTD: [i32; 7] = [3, 4, 6, 4, 5, 1, 8];
/// Limited's 89 check characters (ISO/IEC 24724 Table 7), 14 element widths each.
const CHECK_LTD: [&[u8; 14]; 89] = [
    b"11111111113311",
    b"11111111123211",
    b"11111111133111",
    b"11111112113211",
    b"11111112123111",
    b"11111113113111",
    b"11111211113211",
    b"11111211123111",
    b"11111212113111",
    b"11111311113111",
    b"11121111113211",
    b"11121111123111",
    b"11121112113111",
    b"11121211113111",
    b"11131111113111",
    b"12111111113211",
    b"12111111123111",
    b"12111112113111",
    b"12111211113111",
    b"12121111113111",
    b"13111111113111",
    b"11111111212311",
    b"11111111222211",
    b"11111111232111",
    b"11111112212211",
    b"11111112222111",
    b"11111113212111",
    b"11111211212211",
    b"11111211222111",
    b"11111212212111",
    b"11111311212111",
    b"11121111212211",
    b"11121111222111",
    b"11121112212111",
    b"11121211212111",
    b"11131111212111",
    b"12111111212211",
    b"12111111222111",
    b"12111112212111",
    b"12111211212111",
    b"12121111212111",
    b"13111111212111",
    b"11111111311311",
    b"11111111321211",
    b"11111112311211",
    b"11121111311211",
    b"12111111311211",
    b"11111121112311",
    b"11111121122211",
    b"11111121132111",
    b"11111122112211",
    b"11121121112211",
    b"11121121122111",
    b"11121122112111",
    b"11121221112111",
    b"11131121112111",
    b"12111121112211",
    b"12111121122111",
    b"12121121112111",
    b"11112111112311",
    b"11112111122211",
    b"11112111132111",
    b"11112112112211",
    b"11112112122111",
    b"11112211112211",
    b"12112111112211",
    b"12112111122111",
    b"12112112112111",
    b"12112211112111",
    b"12122111112111",
    b"13112111112111",
    b"11211111112311",
    b"11211111122211",
    b"11211111132111",
    b"11211112112211",
    b"11211112122111",
    b"11211113112111",
    b"11211211112211",
    b"11211211122111",
    b"11221111112211",
    b"21111111122211",
    b"21111111132111",
    b"21111112112211",
    b"21111112122111",
    b"21111113112111",
    b"21111211122111",
    b"21111212112111",
    b"21121111122111",
    b"21111111221211",
];

pub fn limited(data: &[u8]) -> Result<Encoded, DataError> {
    let d = gtin14("databar-limited", data)?;
    if d[0] > 1 {
        return Err(DataError::OutOfRange {
            symbology: "databar-limited",
            rule: "the GTIN-14 begins 0 or 1 (indicator digit 0 or 1)",
            got: hri(&d),
        });
    }
    let v = value(&d);
    let half = |reg: u32| {
        let group = G_SUM_LTD.iter().rposition(|&g| reg >= g).unwrap_or(0);
        let reg = reg - G_SUM_LTD[group];
        let odd = widths((reg / T_EVEN_LTD[group]) as i32, MODULES_ODD_LTD[group], 7, WIDEST_ODD_LTD[group], true);
        let even = widths((reg % T_EVEN_LTD[group]) as i32, MODULES_EVEN_LTD[group], 7, WIDEST_EVEN_LTD[group], false);
        let mut w = [0u8; 14];
        for k in 0..7 {
            w[2 * k] = odd[k];
            w[2 * k + 1] = even[k];
        }
        w
    };
    let (left, right) = (half((v / 2_013_571) as u32), half((v % 2_013_571) as u32));
    let checksum =
        (0..14).map(|i| weight(i, 89) * u32::from(left[i]) + weight(i + 14, 89) * u32::from(right[i])).sum::<u32>()
            % 89;
    let mut t = vec![1u8, 1];
    t.extend(left);
    t.extend(CHECK_LTD[checksum as usize].iter().map(|c| c - b'0'));
    t.extend(right);
    t.extend([1, 1, 5]);
    Ok(linear_symbol(to_modules(&t, false), &d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_equals_the_product_formula() {
        for n in 0..PASCAL_ROWS as i32 {
            for r in -1..=n + 1 {
                let (max, min) = if n - r > r { (n - r, r) } else { (r, n - r) };
                let mut v = 1i64;
                for k in 1..=i64::from(min.max(0)) {
                    v = v * (i64::from(max) + k) / k;
                }
                let expected = if r < 0 || r > n { 0 } else { v as i32 };
                assert_eq!(combins(n, r), expected, "C({n}, {r})");
            }
        }
    }

    #[test]
    fn widths_partition_the_modules() {
        for v in [0, 1, 5, 100, 160] {
            let w = &widths(v, 12, 4, 8, true)[..4];
            assert_eq!(w.iter().map(|&x| u32::from(x)).sum::<u32>(), 12);
            assert!(w.iter().all(|&x| (1..=8).contains(&x)));
        }
        assert_eq!(weight(31, 79), 59);
        for (m, n) in [(79, 40), (89, 40), (211, 200), (97, 10)] {
            for k in 0..n {
                assert_eq!(weight(k, m), (0..k).fold(1, |w, _| w * 3 % m), "3^{k} mod {m}");
            }
        }
        assert_eq!(weight(27, 89), 74);
    }

    #[test]
    fn forms_and_refusals() {
        let Symbol::Linear(l) = encode(b"0950110153000", Form::Omni).unwrap().symbol else { panic!() };
        assert_eq!(l.modules.len(), 96);
        let Symbol::Matrix(m) = encode(b"(01)09501101530003", Form::Stacked).unwrap().symbol else { panic!() };
        assert_eq!((m.width, m.height), (50, 13));
        let Symbol::Matrix(m) = encode(b"09501101530003", Form::StackedOmni).unwrap().symbol else { panic!() };
        assert_eq!((m.width, m.height), (50, 69));
        let Symbol::Linear(l) = limited(b"0950110153000").unwrap().symbol else { panic!() };
        assert_eq!(l.modules.len(), 79);
        assert!(matches!(limited(b"2950110153000"), Err(DataError::OutOfRange { .. })));
        assert!(matches!(encode(b"09501101530004", Form::Omni), Err(DataError::CheckDigit { expected: 3, found: 4 })));
        assert!(matches!(encode(b"095011015300", Form::Omni), Err(DataError::Length { .. })));
    }
}
