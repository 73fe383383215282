//! Whether a benchmark measures (`cargo bench` passes `--bench`) or only smoke-tests
//! its code path (`cargo test --all-targets` runs it without), so CI checks that every
//! benchmark still runs without paying for repeated, delayed measurements.

/// `cargo bench`: measure properly.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Runs per measurement: the best or median of 3 when measuring, 1 as a smoke test.
pub fn repetitions() -> usize {
    if measuring() { 3 } else { 1 }
}
