//! When the next attempt goes: the configured delay for its number, moved by jitter, or the
//! receiver's own `Retry-After` (429/503) when it asks for longer, within a bound.

use std::time::Duration;

use idaas_config::WebhookSettings;
use rand::Rng;

/// The wait before attempt number `next` (1-based), or `None` when there is no such attempt.
pub fn delay_before(
    s: &WebhookSettings,
    next: i32,
    retry_after: Option<Duration>,
    rng: &mut impl Rng,
) -> Option<Duration> {
    let index = usize::try_from(next.checked_sub(1)?).ok()?;
    let base = Duration::from_millis(*s.attempt_delays_ms.get(index)?);
    let spread = base.mul_f64(s.jitter_ratio);
    let jittered = if spread.is_zero() {
        base
    } else {
        let shift = rng.gen_range(0..=spread.as_millis() as u64 * 2);
        (base + Duration::from_millis(shift)).saturating_sub(spread)
    };
    let asked = retry_after.map(|r| r.min(Duration::from_millis(s.retry_after_max_ms)));
    Some(asked.map_or(jittered, |a| a.max(jittered)))
}

#[cfg(test)]
mod tests {
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    fn settings() -> WebhookSettings {
        WebhookSettings {
            attempt_delays_ms: vec![0, 1_000, 2_000],
            jitter_ratio: 0.1,
            retry_after_max_ms: 5_000,
            attempt_timeout_ms: 10_000,
            concurrency: 4,
            per_application_concurrency: 2,
        }
    }

    #[test]
    fn follows_the_guides_schedule_within_the_jitter() {
        let s = settings();
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            assert_eq!(delay_before(&s, 1, None, &mut rng), Some(Duration::ZERO));
            let second = delay_before(&s, 2, None, &mut rng).unwrap_or_default();
            assert!((900..=1_100).contains(&second.as_millis()), "{second:?}");
            let third = delay_before(&s, 3, None, &mut rng).unwrap_or_default();
            assert!((1_800..=2_200).contains(&third.as_millis()), "{third:?}");
        }
        assert_eq!(delay_before(&s, 4, None, &mut rng), None);
        assert_eq!(delay_before(&s, 0, None, &mut rng), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_bound_and_never_shortens_the_wait() {
        let s = settings();
        let mut rng = StdRng::seed_from_u64(7);
        let asked = delay_before(&s, 2, Some(Duration::from_secs(3)), &mut rng);
        assert_eq!(asked, Some(Duration::from_secs(3)));
        let capped = delay_before(&s, 2, Some(Duration::from_secs(3600)), &mut rng);
        assert_eq!(capped, Some(Duration::from_secs(5)));
        let short = delay_before(&s, 3, Some(Duration::ZERO), &mut rng).unwrap_or_default();
        assert!(short >= Duration::from_millis(1_800));
    }
}
