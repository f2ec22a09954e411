//! Call times on the wire: whole milliseconds since 1970 (UTC), which every JSON reader takes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn to_ms(time: &SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn from_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .unwrap_or(UNIX_EPOCH)
}

pub fn serialize<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    to_ms(time).serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
    u64::deserialize(d).map(from_ms)
}

pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(time: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        time.as_ref().map(to_ms).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        Option::<u64>::deserialize(d).map(|ms| ms.map(from_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_to_the_millisecond_and_never_fail() {
        let t = UNIX_EPOCH + Duration::from_millis(1_764_600_000_123);
        assert_eq!(from_ms(to_ms(&t)), t);
        assert_eq!(to_ms(&(UNIX_EPOCH - Duration::from_secs(5))), 0);
        assert_eq!(from_ms(u64::MAX), from_ms(u64::MAX), "no overflow panic");
    }
}
