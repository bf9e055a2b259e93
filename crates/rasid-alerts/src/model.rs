//! The count model: a Gamma–Poisson (negative-binomial) predictive for the recent window
//! given a winsorized baseline.
//!
//! An area's rate of incidents is uncertain, more so when its baseline holds few of them.
//! Treating the baseline rate as exact (a plain Poisson test) makes a series with two old
//! incidents alarm at its third; a Gamma posterior on the rate, whose predictive count over
//! the recent window is negative-binomial, widens the tail exactly as much as the baseline
//! is thin, and needs no special case for an empty baseline.

/// The natural logarithm of P(X ≥ k) for X negative-binomial with `r` > 0 "successes" and
/// success probability `p` in (0, 1]: P(X = x) = Γ(x + r) / (Γ(r) x!) · pʳ (1 − p)ˣ, the
/// mean r(1 − p)/p.
///
/// Computed from the probability of `k` itself, by the ratio of successive terms, then the
/// tail summed upward relative to it: no cancellation, so very small tails keep their
/// digits (the log is returned so that they do not underflow either).
pub fn nb_log_tail(k: u64, r: f64, p: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if r.is_nan() || p.is_nan() || r <= 0.0 || p <= 0.0 {
        // No rate at all (or a degenerate call): any count is as likely as certain.
        return 0.0;
    }
    if p >= 1.0 {
        // A rate of exactly zero: any count above zero is impossible.
        return f64::NEG_INFINITY;
    }
    let ln_q = (1.0 - p).ln();
    // ln P(X = k) by the recurrence P(x + 1) = P(x) · (x + r)/(x + 1) · (1 − p).
    let mut ln_pk = r * p.ln();
    for x in 0..k {
        let xf = x as f64;
        ln_pk += ((xf + r) / (xf + 1.0)).ln() + ln_q;
    }
    // The tail relative to P(X = k).
    let q = 1.0 - p;
    let mean = r * q / p;
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    let mut x = k as f64;
    let limit = k as f64 + 1e6;
    loop {
        term *= (x + r) / (x + 1.0) * q;
        x += 1.0;
        sum += term;
        if (term < sum * 1e-17 && x > mean) || x > limit {
            break;
        }
    }
    (ln_pk + sum.ln()).min(0.0)
}

/// The sum of `bins` after spikes are lowered: at most `spikes` bins — the largest — are
/// lowered to `max(next largest, 2 + 2 × the mean of the other bins)`. A few exceptional
/// weeks in the baseline (one massacre, one offensive) then raise the expected rate no
/// more than an ordinary busy week does, and cannot hide a new rise; a sparse series (a
/// few weeks of one or two incidents) and a steady busy one are left as they are.
pub fn winsorized_sum(bins: &[u64], spikes: usize) -> u64 {
    if spikes == 0 || bins.len() <= spikes {
        return bins.iter().sum();
    }
    let mut sorted = bins.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let rest = &sorted[spikes..];
    let mean = rest.iter().sum::<u64>() as f64 / rest.len() as f64;
    let cap = (rest[0] as f64).max(2.0 + 2.0 * mean).floor() as u64;
    bins.iter().map(|&b| b.min(cap)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pmf(x: u64, r: f64, p: f64) -> f64 {
        let mut v = p.powf(r);
        for i in 0..x {
            v *= (i as f64 + r) / (i as f64 + 1.0) * (1.0 - p);
        }
        v
    }

    #[test]
    fn tail_matches_the_complement_of_the_cdf() {
        for &(r, p) in &[(0.5, 0.9), (3.0, 0.5), (26.5, 0.93), (1.0, 0.2)] {
            for k in 0..30u64 {
                let cdf: f64 = (0..k).map(|x| pmf(x, r, p)).sum();
                let tail = nb_log_tail(k, r, p).exp();
                assert!(
                    (tail - (1.0 - cdf)).abs() < 1e-9,
                    "r={r} p={p} k={k}: tail {tail} vs 1-cdf {}",
                    1.0 - cdf
                );
            }
        }
    }

    #[test]
    fn geometric_tail_is_exact() {
        // r = 1: P(X >= k) = (1 - p)^k.
        let (p, k) = (0.3f64, 40u64);
        let want = (1.0 - p).powi(k as i32).ln();
        assert!((nb_log_tail(k, 1.0, p) - want).abs() < 1e-9);
    }

    #[test]
    fn tiny_tails_keep_their_digits() {
        // Poisson limit: r large, mean 1; P(X >= 60) ~ e^-1/60! ~ 4.4e-83.
        let r = 1e7;
        let p = r / (r + 1.0);
        let lt = nb_log_tail(60, r, p);
        let want = -1.0 - (1..=60).map(|i| (i as f64).ln()).sum::<f64>();
        assert!((lt - want).abs() < 0.02, "{lt} vs {want}");
    }

    #[test]
    fn degenerate_rates() {
        assert_eq!(nb_log_tail(0, 1.0, 0.5), 0.0);
        assert_eq!(nb_log_tail(3, 1.0, 1.0), f64::NEG_INFINITY);
    }

    #[test]
    fn spikes_are_lowered_to_the_next_largest() {
        // Others: 0, 1, 0, 2 (mean 0.75): the cap is 2 + 1.5 = 3.5, floored.
        assert_eq!(winsorized_sum(&[0, 1, 20, 0, 2, 15], 2), 1 + 3 + 2 + 3);
        // Sparse: nothing is a spike.
        assert_eq!(winsorized_sum(&[1, 0, 1, 0, 0], 2), 2);
        // Busy and steady: nothing is a spike either.
        assert_eq!(winsorized_sum(&[10, 12, 9, 11, 14, 13], 2), 69);
        // Three spikes: only two are lowered, to the third.
        assert_eq!(winsorized_sum(&[30, 0, 25, 0, 20, 0], 2), 60);
        assert_eq!(winsorized_sum(&[3, 3, 3], 0), 9);
        assert_eq!(winsorized_sum(&[], 2), 0);
    }
}
