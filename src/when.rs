//! Dates and durations as a person reads them, in their language: "Today 16:15",
//! "Yesterday 09:12", "lunedì 09:12", "12 nov", "12-11-2025"; "0:42", "1:02:03".
//!
//! The functions take local wall-clock times ([`NaiveDateTime`]) so that they are pure: the
//! caller turns a [`SystemTime`] into local time with [`local`], and tests pass fixed times.
//! Month and weekday names come from chrono's locales (glibc's data), "Today" and "Yesterday"
//! from the translations. Times are 24-hour in every language.

use std::time::SystemTime;

use chrono::{Datelike, Locale, NaiveDateTime};

use crate::i18n::{I18n, Language};

/// A moment in the machine's local time, for [`call_time`].
pub fn local(at: SystemTime) -> NaiveDateTime {
    chrono::DateTime::<chrono::Local>::from(at).naive_local()
}

/// When a call happened, seen from `now` (both local time):
/// the same day "Today 16:15", the day before "Yesterday 09:12", up to six days back the
/// weekday and time ("Monday 09:12", "lunes 09:12"), earlier that year the day and month
/// ("12 Nov", "12 nov"), another year the date ("12 Nov 2025", "12/11/2025", "12-11-2025").
/// A time after `now` (a clock that was ahead) counts as today.
pub fn call_time(at: NaiveDateTime, now: NaiveDateTime, i18n: &I18n) -> String {
    let language = i18n.language();
    let time = at.format("%H:%M").to_string();
    let date = at.date();
    // Calendar days, not 24-hour periods: 23:59 seen at 00:01 is yesterday.
    let days = now.date().signed_duration_since(date).num_days();
    match days {
        ..=0 => i18n.tr_args("when-today", &[("time", &time)]),
        1 => i18n.tr_args("when-yesterday", &[("time", &time)]),
        // Not seven: a week ago would read as the coming or the current weekday.
        2..=6 => format!("{} {time}", date.format_localized("%A", locale(language))),
        _ if date.year() == now.year() => date
            .format_localized(DAY_MONTH, locale(language))
            .to_string(),
        _ => date
            .format_localized(full_date(language), locale(language))
            .to_string(),
    }
}

/// A call's length: "0:42", "12:05", "1:02:03" (no leading zero on the first field).
pub fn duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// British English for English: the same names as American, and no other format is used.
fn locale(language: Language) -> Locale {
    match language {
        Language::English => Locale::en_GB,
        Language::Spanish => Locale::es_ES,
        Language::Italian => Locale::it_IT,
        Language::Dutch => Locale::nl_NL,
    }
}

/// Earlier in the year: "12 Nov", "3 ene", "3 gen", "3 mrt" (the locales' abbreviations have
/// no trailing dot).
const DAY_MONTH: &str = "%-d %b";

/// Another year. English spells the month so that 12/11 is neither the 12th of November nor
/// December the 11th to anyone; the others use their usual numeric dates with four-digit
/// years (the locales' own `%x` has two in en, es and nl).
fn full_date(language: Language) -> &'static str {
    match language {
        Language::English => "%-d %b %Y",
        Language::Spanish | Language::Italian => "%d/%m/%Y",
        Language::Dutch => "%d-%m-%Y",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, 0))
            .unwrap_or_else(|| panic!("bad test time {y}-{mo}-{d} {h}:{mi}"))
    }

    /// Wednesday 19 November 2025, 18:00.
    fn now() -> NaiveDateTime {
        at(2025, 11, 19, 18, 0)
    }

    /// `(when, [en, es, it, nl])` against [`now`].
    fn check(cases: &[(NaiveDateTime, [&str; 4])], now: NaiveDateTime) {
        for (when, expected) in cases {
            for (language, expected) in Language::ALL.into_iter().zip(expected) {
                let i18n = I18n::new(language);
                assert_eq!(
                    call_time(*when, now, &i18n),
                    *expected,
                    "{} for {when} seen at {now}",
                    language.code()
                );
            }
        }
    }

    #[test]
    fn today() {
        check(
            &[
                (
                    at(2025, 11, 19, 16, 15),
                    ["Today 16:15", "Hoy 16:15", "Oggi 16:15", "Vandaag 16:15"],
                ),
                (
                    at(2025, 11, 19, 0, 0),
                    ["Today 00:00", "Hoy 00:00", "Oggi 00:00", "Vandaag 00:00"],
                ),
                (
                    at(2025, 11, 19, 18, 0),
                    ["Today 18:00", "Hoy 18:00", "Oggi 18:00", "Vandaag 18:00"],
                ),
            ],
            now(),
        );
    }

    #[test]
    fn the_future_is_today() {
        check(
            &[
                (
                    at(2025, 11, 19, 18, 5),
                    ["Today 18:05", "Hoy 18:05", "Oggi 18:05", "Vandaag 18:05"],
                ),
                (
                    at(2025, 11, 20, 0, 10),
                    ["Today 00:10", "Hoy 00:10", "Oggi 00:10", "Vandaag 00:10"],
                ),
                (
                    at(2026, 3, 1, 8, 30),
                    ["Today 08:30", "Hoy 08:30", "Oggi 08:30", "Vandaag 08:30"],
                ),
            ],
            now(),
        );
    }

    #[test]
    fn yesterday() {
        check(
            &[(
                at(2025, 11, 18, 9, 12),
                [
                    "Yesterday 09:12",
                    "Ayer 09:12",
                    "Ieri 09:12",
                    "Gisteren 09:12",
                ],
            )],
            now(),
        );
        // A calendar day, not 24 hours: two minutes ago, but before midnight.
        check(
            &[(
                at(2025, 11, 18, 23, 59),
                [
                    "Yesterday 23:59",
                    "Ayer 23:59",
                    "Ieri 23:59",
                    "Gisteren 23:59",
                ],
            )],
            at(2025, 11, 19, 0, 1),
        );
    }

    #[test]
    fn this_week_by_weekday() {
        check(
            &[
                // Monday, two days back.
                (
                    at(2025, 11, 17, 9, 12),
                    [
                        "Monday 09:12",
                        "lunes 09:12",
                        "lunedì 09:12",
                        "maandag 09:12",
                    ],
                ),
                // Saturday, four days back.
                (
                    at(2025, 11, 15, 21, 40),
                    [
                        "Saturday 21:40",
                        "sábado 21:40",
                        "sabato 21:40",
                        "zaterdag 21:40",
                    ],
                ),
                // Thursday, six days back: the last day named by its weekday.
                (
                    at(2025, 11, 13, 8, 0),
                    [
                        "Thursday 08:00",
                        "jueves 08:00",
                        "giovedì 08:00",
                        "donderdag 08:00",
                    ],
                ),
            ],
            now(),
        );
    }

    #[test]
    fn earlier_this_year_by_day_and_month() {
        check(
            &[
                // Seven days back: "Wednesday" would read as today's weekday.
                (
                    at(2025, 11, 12, 10, 0),
                    ["12 Nov", "12 nov", "12 nov", "12 nov"],
                ),
                (at(2025, 1, 3, 10, 0), ["3 Jan", "3 ene", "3 gen", "3 jan"]),
                (
                    at(2025, 3, 31, 10, 0),
                    ["31 Mar", "31 mar", "31 mar", "31 mrt"],
                ),
                (at(2025, 5, 1, 10, 0), ["1 May", "1 may", "1 mag", "1 mei"]),
                (at(2025, 10, 9, 10, 0), ["9 Oct", "9 oct", "9 ott", "9 okt"]),
            ],
            now(),
        );
    }

    #[test]
    fn another_year_by_date() {
        check(
            &[
                (
                    at(2024, 11, 12, 10, 0),
                    ["12 Nov 2024", "12/11/2024", "12/11/2024", "12-11-2024"],
                ),
                (
                    at(2023, 3, 5, 10, 0),
                    ["5 Mar 2023", "05/03/2023", "05/03/2023", "05-03-2023"],
                ),
            ],
            now(),
        );
    }

    #[test]
    fn across_new_year() {
        // Friday 2 January 2026.
        let now = at(2026, 1, 2, 12, 0);
        check(
            &[
                (
                    at(2026, 1, 1, 0, 30),
                    [
                        "Yesterday 00:30",
                        "Ayer 00:30",
                        "Ieri 00:30",
                        "Gisteren 00:30",
                    ],
                ),
                // The week runs on into the old year.
                (
                    at(2025, 12, 30, 17, 45),
                    [
                        "Tuesday 17:45",
                        "martes 17:45",
                        "martedì 17:45",
                        "dinsdag 17:45",
                    ],
                ),
                // Before that, the old year shows its year.
                (
                    at(2025, 12, 20, 17, 45),
                    ["20 Dec 2025", "20/12/2025", "20/12/2025", "20-12-2025"],
                ),
            ],
            now,
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0:00");
        assert_eq!(duration(42), "0:42");
        assert_eq!(duration(60), "1:00");
        assert_eq!(duration(725), "12:05");
        assert_eq!(duration(3599), "59:59");
        assert_eq!(duration(3600), "1:00:00");
        assert_eq!(duration(3723), "1:02:03");
        assert_eq!(duration(36_000 + 59), "10:00:59");
        assert_eq!(duration(100 * 3600), "100:00:00");
    }
}
