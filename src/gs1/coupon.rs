//! The North American coupon linters: `couponcode` (AI 8110, the NACC layout carried in
//! GS1 DataBar Expanded coupons) and `couponposoffer` (AI 8112, positive offer file
//! coupons). Both values are digit strings of fixed fields and fields whose length comes
//! from a one-digit length indicator (VLI) before them; 8110 adds optional fields, each
//! introduced by its number (1, 2, 3, 4, 5, 6, 9, in that order). Errors name the field and
//! its position (0-based) in the value.
//!
//! Not checked: whether a company prefix in the value was really issued (that needs GS1's
//! prefix registry, which this service does not have).

use super::dates::{self, gs1_century};
use super::Lint;

/// Reads fields off the front of a coupon value.
struct Fields<'a> {
    d: &'a [u8],
    p: usize,
}

type Step<T> = Result<T, String>;

impl Fields<'_> {
    fn done(&self) -> bool {
        self.p == self.d.len()
    }

    /// The next digit, the field called `what`.
    fn digit(&mut self, what: &str) -> Step<u8> {
        let Some(&c) = self.d.get(self.p) else {
            return Err(format!("{what} missing at position {}", self.p));
        };
        self.p += 1;
        Ok(c - b'0')
    }

    /// A digit that must be one of `allowed`.
    fn code(&mut self, what: &str, allowed: &[u8]) -> Step<u8> {
        let at = self.p;
        let v = self.digit(what)?;
        if !allowed.contains(&v) {
            let list: Vec<String> = allowed.iter().map(u8::to_string).collect();
            return Err(format!("{what} {v} at position {at}: must be one of {}", list.join(", ")));
        }
        Ok(v)
    }

    /// The next `n` digits, the field called `what`.
    fn take(&mut self, n: usize, what: &str) -> Step<&str> {
        let left = self.d.len() - self.p;
        if left < n {
            return Err(format!("{what} at position {} has {left} of its {n} digits", self.p));
        }
        let s = std::str::from_utf8(&self.d[self.p..self.p + n]).unwrap_or("");
        self.p += n;
        Ok(s)
    }

    /// A length indicator in `allowed` followed by `base + indicator` digits.
    fn vli_field(&mut self, what: &str, allowed: &[u8], base: usize) -> Step<&str> {
        let v = self.code(&format!("{what} length indicator"), allowed)?;
        self.take(base + v as usize, what)
    }

    /// The optional field numbered `n` comes next.
    fn starts(&self, n: u8) -> bool {
        self.d.get(self.p) == Some(&(b'0' + n))
    }

    fn end(&self) -> Step<()> {
        if self.done() {
            Ok(())
        } else {
            Err(format!("unexpected data at position {}: {}", self.p, String::from_utf8_lossy(&self.d[self.p..])))
        }
    }
}

fn digits(v: &str) -> Step<Fields<'_>> {
    match v.bytes().position(|b| !b.is_ascii_digit()) {
        Some(i) => Err(format!("non-digit at position {i}")),
        None => Ok(Fields { d: v.as_bytes(), p: 0 }),
    }
}

const ZERO_TO_SIX: &[u8] = &[0, 1, 2, 3, 4, 5, 6];
const ONE_TO_FIVE: &[u8] = &[1, 2, 3, 4, 5];
const REQUIREMENT_CODES: &[u8] = &[0, 1, 2, 3, 4, 9];
const ANY: &[u8] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/// A YYMMDD date inside a coupon, as a comparable number (YYYYMMDD).
fn coupon_date(f: &mut Fields<'_>, what: &str) -> Step<u32> {
    let at = f.p;
    let s = f.take(6, what)?;
    if let Err(m) = dates::date(s, false, false) {
        return Err(format!("{what} at position {at}: {m}"));
    }
    let n: u32 = s.parse().unwrap_or(0);
    let current = dates::current_year();
    Ok(gs1_century(n / 10000, current) * 10000 + n % 10000)
}

/// A further purchase (optional fields 1 and 2): requirement, its code, family code, and the
/// company prefix (length indicator 0-6, or 9: the same as the first purchase's).
fn purchase(f: &mut Fields<'_>, nth: &str) -> Step<()> {
    f.vli_field(&format!("{nth} purchase requirement"), ONE_TO_FIVE, 0)?;
    f.code(&format!("{nth} purchase requirement code"), REQUIREMENT_CODES)?;
    f.take(3, &format!("{nth} purchase family code"))?;
    let what = format!("{nth} purchase company prefix");
    let v = f.code(&format!("{what} length indicator"), &[0, 1, 2, 3, 4, 5, 6, 9])?;
    if v != 9 {
        f.take(6 + v as usize, &what)?;
    }
    Ok(())
}

fn nacc(v: &str) -> Step<()> {
    let mut f = digits(v)?;
    f.vli_field("company prefix", ZERO_TO_SIX, 6)?;
    f.take(6, "offer code")?;
    f.vli_field("save value", ONE_TO_FIVE, 0)?;
    f.vli_field("1st purchase requirement", ONE_TO_FIVE, 0)?;
    f.code("1st purchase requirement code", REQUIREMENT_CODES)?;
    f.take(3, "1st purchase family code")?;
    if f.starts(1) {
        f.p += 1;
        f.code("additional purchase rules code", &[0, 1, 2, 3])?;
        purchase(&mut f, "2nd")?;
    }
    if f.starts(2) {
        f.p += 1;
        purchase(&mut f, "3rd")?;
    }
    let mut expiry = None;
    if f.starts(3) {
        f.p += 1;
        expiry = Some(coupon_date(&mut f, "expiration date")?);
    }
    if f.starts(4) {
        f.p += 1;
        let start = coupon_date(&mut f, "start date")?;
        if expiry.is_some_and(|e| e < start) {
            return Err(format!("expiration date {} is before start date {start}", expiry.unwrap_or(0)));
        }
    }
    if f.starts(5) {
        f.p += 1;
        f.vli_field("serial number", ANY, 6)?;
    }
    if f.starts(6) {
        f.p += 1;
        f.vli_field("retailer company prefix or GLN", &[1, 2, 3, 4, 5, 6, 7], 6)?;
    }
    if f.starts(9) {
        f.p += 1;
        f.code("save value code", &[0, 1, 2, 5, 6])?;
        f.code("save value applies to item", &[0, 1, 2])?;
        f.digit("store coupon flag")?;
        f.code("don't multiply flag", &[0, 1])?;
    }
    f.end()
}

fn positive_offer(v: &str) -> Step<()> {
    let mut f = digits(v)?;
    f.code("coupon format", &[0, 1])?;
    f.vli_field("funder ID", ZERO_TO_SIX, 6)?;
    f.take(6, "offer code")?;
    f.vli_field("serial number", ANY, 6)?;
    f.end()
}

fn lint(r: Step<()>, what: &str) -> Lint {
    match r {
        Ok(()) => Lint::Ok,
        Err(m) => Lint::Fail(format!("{what}: {m}")),
    }
}

/// AI (8110): the North American Coupon Code.
pub fn couponcode(v: &str) -> Lint {
    lint(nacc(v), "coupon code")
}

/// AI (8112): the positive offer file coupon code.
pub fn couponposoffer(v: &str) -> Lint {
    lint(positive_offer(v), "positive offer coupon")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails_with(l: Lint, part: &str) {
        match l {
            Lint::Fail(m) => assert!(m.contains(part), "{m:?} should mention {part:?}"),
            other => panic!("expected a failure mentioning {part:?}, got {other:?}"),
        }
    }

    #[test]
    fn nacc_required_fields() {
        // prefix VLI 0 + 6 digits, offer 6, save value VLI 1 + 1, requirement VLI 1 + 1,
        // requirement code 1, family code 3.
        assert_eq!(couponcode("012345612345611110123"), Lint::Ok);
        fails_with(couponcode(""), "company prefix length indicator missing");
        fails_with(couponcode("7123456789012345678"), "company prefix length indicator 7");
        fails_with(couponcode("012345"), "company prefix at position 1 has 5 of its 6 digits");
        fails_with(couponcode("0123456123"), "offer code at position 7 has 3 of its 6");
        fails_with(couponcode("01234561234560"), "save value length indicator 0 at position 13");
        fails_with(couponcode("012345612345621"), "save value at position 14 has 1 of its 2");
        fails_with(couponcode("012345612345611115123"), "1st purchase requirement code 5");
        fails_with(couponcode("01234561234561111012"), "1st purchase family code");
        fails_with(couponcode("01234561234561111012a"), "non-digit at position 20");
        fails_with(couponcode("0123456123456111101237"), "unexpected data at position 21");
    }

    #[test]
    fn nacc_optional_fields() {
        let base = "012345612345611110123";
        // 1: rules code, 2nd purchase (VLI 1, value, code, family, prefix VLI 9 = same).
        assert_eq!(couponcode(&format!("{base}101100129")), Lint::Ok);
        assert_eq!(couponcode(&format!("{base}101100120123456")), Lint::Ok);
        fails_with(couponcode(&format!("{base}141100129")), "additional purchase rules code 4");
        fails_with(couponcode(&format!("{base}101100127")), "2nd purchase company prefix length indicator 7");
        // 2: 3rd purchase.
        assert_eq!(couponcode(&format!("{base}21100129")), Lint::Ok);
        // 3 and 4: expiration and start dates, expiry not before start.
        assert_eq!(couponcode(&format!("{base}32512314250101")), Lint::Ok);
        fails_with(couponcode(&format!("{base}3251331")), "expiration date at position 22");
        fails_with(couponcode(&format!("{base}32501014251231")), "is before start date");
        // 5: serial number, VLI + 6; 6: retailer prefix/GLN, VLI 1-7 + 6.
        assert_eq!(couponcode(&format!("{base}50123456")), Lint::Ok);
        assert_eq!(couponcode(&format!("{base}611234567")), Lint::Ok);
        fails_with(couponcode(&format!("{base}601234567")), "retailer company prefix or GLN length indicator 0");
        // 9: save value code, applies-to, store flag, don't-multiply flag.
        assert_eq!(couponcode(&format!("{base}90011")), Lint::Ok);
        fails_with(couponcode(&format!("{base}93011")), "save value code 3");
        fails_with(couponcode(&format!("{base}90312")), "save value applies to item 3");
        fails_with(couponcode(&format!("{base}90012")), "don't multiply flag 2");
        // Fields in order, each once: a repeated or out-of-order field is excess data.
        fails_with(couponcode(&format!("{base}9001150123456")), "unexpected data");
        assert_eq!(couponcode(&format!("{base}10110012921100129325123142501015012345661123456790011")), Lint::Ok);
    }

    #[test]
    fn positive_offer_fields() {
        assert_eq!(couponposoffer("001234561234560123456"), Lint::Ok);
        assert_eq!(couponposoffer("101234561234560123456"), Lint::Ok);
        assert_eq!(couponposoffer("061234567890121234569123456789012345"), Lint::Ok);
        fails_with(couponposoffer(""), "coupon format missing");
        fails_with(couponposoffer("201234561234560123456"), "coupon format 2 at position 0");
        fails_with(couponposoffer("07"), "funder ID length indicator 7");
        fails_with(couponposoffer("0012345"), "funder ID at position 2 has 5 of its 6");
        fails_with(couponposoffer("00123456123"), "offer code");
        fails_with(couponposoffer("00123456123456"), "serial number length indicator missing");
        fails_with(couponposoffer("001234561234561123456"), "serial number at position 15 has 6 of its 7");
        fails_with(couponposoffer("0012345612345601234567"), "unexpected data at position 21");
        fails_with(couponposoffer("a01234561234560123456"), "non-digit at position 0");
    }
}
