//! What the benchmarks share for their figures and settings: a median, and a bounded number
//! from the environment.

/// The middle value (the upper middle one of an even count); `None` when there is none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted.get(sorted.len() / 2).copied()
}

/// `name` from the environment if set, `default` if not. A value out of `min..=max`, or not a
/// number, is an error: a benchmark should stop rather than measure something else than asked.
pub fn env_in_range<T>(name: &str, default: T, min: T, max: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    let Ok(text) = std::env::var(name) else {
        return Ok(default);
    };
    match text.trim().parse::<T>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        _ => Err(format!(
            "{name} must be a number from {min} to {max}, not {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(3.0));
    }

    #[test]
    fn an_environment_number_is_bounded() {
        let name = "PARLA_TESTBENCH_FIGURES_UNSET_VARIABLE";
        assert_eq!(env_in_range(name, 5, 1, 10), Ok(5));
    }
}
