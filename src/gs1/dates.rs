//! GS1 dates: the century rule for two-digit years (General Specifications 7.12) and the
//! YYMMDD / YYYYMMDD checks that the `yymmdd`-family linters and the coupon linters share.

/// Days in `month` of the year `yy` (00-99; the GS1 century rule does not change leap years
/// here since 2000 was one).
fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The full year for a two-digit GS1 year, by the GS1 century rule (General Specifications
/// 7.12): a year more than 50 ahead of now belongs to the last century, one more than 49
/// behind to the next.
pub fn gs1_century(yy: u32, current_year: u32) -> u32 {
    let cur_yy = current_year % 100;
    let century = current_year - cur_yy;
    let diff = yy as i32 - cur_yy as i32;
    if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    }
}

/// This year, from the system clock.
pub fn current_year() -> u32 {
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86400);
    // Close enough for the century rule, which has a 50-year margin.
    1970 + (days as f64 / 365.2425) as u32
}

/// Checks a date of 6 (YYMMDD) or 8 (YYYYMMDD) digits; `day_zero` allows day 00.
pub fn date(v: &str, day_zero: bool, four_digit_year: bool) -> Result<(), String> {
    let n = if four_digit_year { 8 } else { 6 };
    if v.len() != n || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{v}: not a date ({})", if four_digit_year { "YYYYMMDD" } else { "YYMMDD" }));
    }
    let y = if four_digit_year { 4 } else { 2 };
    let year: u32 = v[..y].parse().unwrap_or(0);
    let month: u32 = v[y..y + 2].parse().unwrap_or(0);
    let day: u32 = v[y + 2..].parse().unwrap_or(0);
    if !(1..=12).contains(&month) {
        return Err(format!("{v}: month {month:02}"));
    }
    let full = if four_digit_year { year } else { gs1_century(year, current_year()) };
    if day == 0 && day_zero {
        return Ok(());
    }
    if day == 0 || day > days_in(month, full) {
        return Err(format!("{v}: day {day:02} of month {month:02}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn century_rule() {
        assert_eq!(gs1_century(26, 2026), 2026);
        assert_eq!(gs1_century(76, 2026), 2076);
        assert_eq!(gs1_century(77, 2026), 1977);
        assert_eq!(gs1_century(99, 2051), 2099);
        assert_eq!(gs1_century(1, 2051), 2101);
    }

    #[test]
    fn dates_name_what_is_wrong() {
        assert_eq!(date("261200", false, false), Err("261200: day 00 of month 12".into()));
        assert_eq!(date("261200", true, false), Ok(()));
        assert_eq!(date("20240229", false, true), Ok(()));
        assert!(date("2602", false, false).unwrap_err().contains("not a date"));
    }
}
