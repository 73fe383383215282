//! Retrying transient failures (throttling, 5xx, lost connections) with capped
//! exponential backoff and full jitter, on top of the SDK's own per-request retries:
//! an apply that waits half an hour on a stack must not fail on one throttled poll.
//! Sleeps on tokio's clock, so tests run it on a paused clock.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use super::AwsError;

#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    /// Attempts in total, the first included.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { first: Duration::from_millis(250), max: Duration::from_secs(20), attempts: 8 }
    }
}

impl Backoff {
    /// The wait before retry `n` (1-based): uniformly random in [0, min(max, first·2ⁿ⁻¹)].
    pub fn delay(&self, n: u32) -> Duration {
        let ceiling = self.first.saturating_mul(1u32 << n.saturating_sub(1).min(20)).min(self.max);
        ceiling.mul_f64(jitter())
    }
}

/// A random number in [0, 1) from the standard library's per-process random hasher keys.
fn jitter() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x6d61_7462_616b_6821);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs `call` until it succeeds, fails with a non-transient error, or the attempts are
/// used up (then the last error is returned).
pub async fn with_retries<T, F, Fut>(backoff: Backoff, mut call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if e.is_transient() && attempt < backoff.attempts => {
                tokio::time::sleep(backoff.delay(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn throttled() -> AwsError {
        AwsError::Service { operation: "DescribeStacks", code: "Throttling".into(), message: "Rate exceeded".into() }
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_retried_until_success() {
        let calls = AtomicU32::new(0);
        let result = with_retries(Backoff::default(), || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 3 { Err(throttled()) } else { Ok(7) }
        })
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn permanent_errors_are_returned_at_once_and_attempts_are_bounded() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_retries(Backoff::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(AwsError::Service { operation: "X", code: "ValidationError".into(), message: "bad".into() })
        })
        .await;
        assert_eq!(result.unwrap_err().code(), Some("ValidationError"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let calls = AtomicU32::new(0);
        let backoff = Backoff { attempts: 3, ..Backoff::default() };
        let result: Result<(), _> = with_retries(backoff, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(throttled())
        })
        .await;
        assert!(result.unwrap_err().is_transient());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn delays_grow_are_capped_and_jittered() {
        let b = Backoff { first: Duration::from_millis(100), max: Duration::from_secs(1), attempts: 10 };
        for n in 1..10 {
            let ceiling = Duration::from_millis(100 * (1 << (n - 1))).min(Duration::from_secs(1));
            assert!(b.delay(n) <= ceiling, "retry {n}");
        }
        let samples: std::collections::BTreeSet<Duration> = (0..20).map(|_| b.delay(5)).collect();
        assert!(samples.len() > 10, "jitter spreads retries: {samples:?}");
    }
}
