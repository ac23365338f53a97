//! Freivalds' check of a claimed matrix product `C = A · B` without recomputing it.
//!
//! A round draws a random vector `r` and compares `A · (B · r)` with `C · r`: three
//! matrix-vector products, `O(mk + kn + mn)` work instead of the `O(mnk)` of a recomputation
//! (one recomputation at `n = 4096` is 6.9 · 10^10 multiply-accumulates).
//!
//! ## int8: exact ([`check_i8`])
//!
//! The arithmetic is exact (integers, `i64` and `i128`), and `r` is drawn uniformly from
//! `[0, 2^b)^n` with `b` up to [`INT_BITS_PER_PASS`] = 24 bits per pass. If `C ≠ A · B`, let
//! `D = A · B − C` and pick a row `i` and column `j₀` with `D[i][j₀] ≠ 0`. Fix every `r_j` but
//! `r_{j₀}`: `(D · r)_i` is then an affine function of `r_{j₀}` with a non-zero slope, which
//! vanishes for at most one of the `2^b` values. **A wrong product passes a `b`-bit pass with
//! probability at most `2^-b`; `check_i8(.., bits, ..)` runs passes totalling `bits` bits and
//! accepts a wrong product with probability at most `2^-bits`** ([`DEFAULT_ROUNDS`] = 20: one
//! pass, at most 2^-20 ≈ 9.5 · 10^-7). A correct product always passes. (Large random entries
//! instead of `{0, 1}` entries give the same guarantee in one pass instead of twenty.)
//!
//! ## fp32: with a tolerance ([`check_f32`])
//!
//! Two honest fp32 products differ in their last bits (the order of summation differs between
//! cards, kernels and blockings), so an fp32 claim is checked against the rounding-error bound of
//! fp32 dot products: whatever the order of summation (with or without FMA), a correct fp32 GEMM
//! satisfies
//!
//! `|C[i][j] − (A·B)[i][j]| ≤ γ_k · Σ_l |A[i][l]| · |B[l][j]|`, `γ_k = k·u / (1 − k·u)`,
//! `u = 2^-24`
//!
//! (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1; [`gamma`]). The check
//! computes, in f64, `A·(B·r)`, `C·r` and the bound's combination `|A|·(|B|·r)`, and accepts row
//! `i` when
//!
//! `|(A·(B·r))_i − (C·r)_i| ≤ 2 · γ_k · (|A|·(|B|·r))_i + 10^-30`.
//!
//! - **An honest result always passes** (no probability involved): by the bound and the triangle
//!   inequality `|(D·r)_i| ≤ γ_k · (|A|·|B|·r)_i`; the second `γ_k` absorbs the f64 evaluation
//!   error (relative at most `(n + k) · 2^-53 ≤ 2^-36`, far below `γ_k ≥ 2^-24`), and `10^-30`
//!   covers results in the subnormal range, where rounding errors are absolute (at most
//!   `n · k · 2^-149 < 10^-30` per row).
//! - **The tolerance is the statement**: a wrong result whose error, in every random combination
//!   of columns, stays within that bound is accepted; errors at the scale of fp32 rounding are not
//!   detected. The resolution is per row and adds up over the row: an error `e` in one entry
//!   `C[i][j₀]` with `|e| > 2 · τ_i`, where `τ_i = 2 · γ_k · Σ_j (|A|·|B|)[i][j] + 10^-30` is row
//!   `i`'s tolerance for `r` all ones, is caught in each round with probability at least 1/2 (of
//!   the two values of `r_{j₀}`, with the other entries fixed, at most one can pass, by the same
//!   argument as above with the triangle inequality), so it passes `rounds` rounds with
//!   probability at most `2^-rounds` (up to f64 rounding, relative `2^-36`).
//! - The check requires real fp32 arithmetic: a provider computing in TF32 or bf16 (reduced
//!   mantissa) exceeds the bound and is rejected. Non-finite values: inputs holding NaN or ±∞
//!   cannot be checked ([`FreivaldsError::NonFiniteInput`]); a non-finite entry in `C` with finite
//!   inputs is refused ([`FreivaldsError::NotFinite`]), including the `±∞` an honest provider
//!   returns when the exact product overflows fp32 (jobs must be scaled to stay in range).
//!
//! [`check_claim`] runs the matching check on a `GemmInt8` or `GemmF32` job's inputs and claimed
//! output bytes.

// Numeric kernels: slice lengths are checked against the shape before any indexing, and every
// accumulator's range is bounded (see the comments in `check_i8`), so nothing overflows.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use crate::exec::{
	as_i8, floats, ExecError, ExecutorKind, FloatInput, JobParams, Shape, MAX_DIM, MAX_ELEMENTS,
};
use rand::RngCore;
use rayon::prelude::*;
use thiserror::Error;

/// Security by default: 20 bits of randomness for int8 (one pass) and 20 rounds for fp32, so a
/// wrong int8 product (or an fp32 one beyond twice the tolerance) passes with probability at
/// most 2^-20 ≈ 10^-6.
pub const DEFAULT_ROUNDS: u32 = 20;
/// The unit roundoff of fp32, `u = 2^-24`.
pub const F32_UNIT_ROUNDOFF: f64 = 1.0 / 16_777_216.0;
/// The absolute slack added to each row's fp32 tolerance (covers subnormal rounding).
pub const ABSOLUTE_SLACK: f64 = 1e-30;

/// Why a claimed product was refused or could not be checked.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FreivaldsError {
	/// The claimed product disagrees with `A · B` (beyond the tolerance, for fp32).
	#[error("round {round}: row {row} of the claimed product disagrees with A · B")]
	Mismatch {
		/// The round (from 0) that found it.
		round: u32,
		/// The first disagreeing row.
		row: usize,
	},
	/// The claimed fp32 product holds NaN or ±∞ although `A` and `B` are finite.
	#[error("the claimed product holds a non-finite value at ({row}, {col}) for finite inputs")]
	NotFinite {
		/// Its row.
		row: usize,
		/// Its column.
		col: usize,
	},
	/// `A` or `B` holds NaN or ±∞: the product has no tolerance to check against.
	#[error("A or B holds NaN or infinity: the product cannot be checked")]
	NonFiniteInput,
	/// A slice length does not match the shape, or a dimension is out of range.
	#[error("shape: {0}")]
	BadShape(String),
	/// `rounds` was 0: nothing would be checked.
	#[error("at least one round is needed")]
	NoRounds,
	/// The job is not a matrix product: check it by re-executing it.
	#[error("{0:?} jobs are not matrix products: re-execute them to check them")]
	NotAGemm(ExecutorKind),
	/// The job's parameters or inputs are invalid.
	#[error(transparent)]
	Input(#[from] ExecError),
}

/// `γ_k = k·u / (1 − k·u)` with `u = 2^-24`: the relative error bound of a `k`-term fp32 dot
/// product, in any order of summation (`k ≤ 2^16`, so `k·u ≤ 2^-8`).
pub fn gamma(k: usize) -> f64 {
	let ku = k as f64 * F32_UNIT_ROUNDOFF;
	ku / (1.0 - ku)
}

/// Bits of randomness per pass of the int8 check (entries of `r` below `2^24`).
pub const INT_BITS_PER_PASS: u32 = 24;

/// Check that `c` (`m × n` i32) is `a (m × k) · b (k × n)` (int8, row-major): a correct product
/// always passes; a wrong one passes with probability at most `2^-bits` (see the module docs;
/// `bits` is spread over passes of at most [`INT_BITS_PER_PASS`] bits). `Err(Mismatch)` names the
/// first pass and row that disagree.
pub fn check_i8(
	shape: Shape,
	a: &[i8],
	b: &[i8],
	c: &[i32],
	bits: u32,
	rng: &mut impl RngCore,
) -> Result<(), FreivaldsError> {
	let Shape { m, n, k } = check_shape(shape, a.len(), b.len(), c.len())?;
	if bits == 0 {
		return Err(FreivaldsError::NoRounds);
	}
	let mut left = bits;
	let mut round = 0;
	while left > 0 {
		let pass_bits = left.min(INT_BITS_PER_PASS);
		left -= pass_bits;
		let r = random_below_pow2(n, pass_bits, rng);
		// (B·r)_l: |Σ_j b_lj r_j| < 2^7 · 2^24 · 2^16 = 2^47, exact in i64.
		let br: Vec<i64> = b
			.par_chunks(n)
			.map(|row| row.iter().zip(&r).map(|(x, y)| i64::from(*x) * *y).sum::<i64>())
			.collect();
		// (A·(B·r))_i: |Σ_l a_il (Br)_l| < 2^7 · 2^47 · 2^16 = 2^70, exact in i128.
		let abr: Vec<i128> = a
			.par_chunks(k)
			.map(|row| row.iter().zip(&br).map(|(x, y)| i128::from(i64::from(*x) * *y)).sum())
			.collect();
		// (C·r)_i: |Σ_j c_ij r_j| < 2^31 · 2^24 · 2^16 = 2^71 for any i32 claim, exact in i128
		// (each product < 2^55 is exact in i64 and summed in i128).
		let cr: Vec<i128> = c
			.par_chunks(n)
			.map(|row| row.iter().zip(&r).map(|(x, y)| i128::from(i64::from(*x) * *y)).sum())
			.collect();
		if let Some(row) = abr.iter().zip(&cr).position(|(x, y)| x != y) {
			return Err(FreivaldsError::Mismatch { round, row });
		}
		debug_assert_eq!(abr.len(), m);
		round += 1;
	}
	Ok(())
}

/// `n` values uniform in `[0, 2^bits)` (`bits ≤ 32`).
fn random_below_pow2<R: RngCore + ?Sized>(n: usize, bits: u32, rng: &mut R) -> Vec<i64> {
	let mask = (1u64 << bits.min(32)) - 1;
	(0..n).map(|_| (rng.next_u64() & mask) as i64).collect()
}

/// Check that `c` (`m × n` f32) is `a (m × k) · b (k × n)` (fp32, row-major) to within the
/// rounding-error bound of fp32 dot products, with `rounds` rounds of Freivalds' check. An honest
/// fp32 result (any order of summation) always passes; what a wrong one must exceed to be caught
/// with probability at least `1 − 2^-rounds` is stated in the module docs.
pub fn check_f32(
	shape: Shape,
	a: &[f32],
	b: &[f32],
	c: &[f32],
	rounds: u32,
	rng: &mut impl RngCore,
) -> Result<(), FreivaldsError> {
	let Shape { n, k, .. } = check_shape(shape, a.len(), b.len(), c.len())?;
	if rounds == 0 {
		return Err(FreivaldsError::NoRounds);
	}
	if !a.par_iter().chain(b.par_iter()).all(|v| v.is_finite()) {
		return Err(FreivaldsError::NonFiniteInput);
	}
	if let Some(at) = c.iter().position(|v| !v.is_finite()) {
		return Err(FreivaldsError::NotFinite { row: at / n, col: at % n });
	}
	let factor = 2.0 * gamma(k);
	for round in 0..rounds {
		let r = random_bits(n, rng);
		// Per row l of B: ((B·r)_l, (|B|·r)_l). Every value stays far inside f64's range:
		// |Σ| ≤ 2^16 · 2^128 for |b| < 2^128.
		let br: Vec<(f64, f64)> = b.par_chunks(n).map(|row| signed_and_abs(row, &r)).collect();
		// Per row i of A: ((A·(B·r))_i, (|A|·(|B|·r))_i), |·| ≤ 2^16 · 2^128 · 2^144.
		let abr: Vec<(f64, f64)> = a
			.par_chunks(k)
			.map(|row| {
				row.iter().zip(&br).fold((0.0, 0.0), |(s, t), (x, (y, z))| {
					let x = f64::from(*x);
					(s + x * y, t + x.abs() * z)
				})
			})
			.collect();
		let cr: Vec<f64> = c.par_chunks(n).map(|row| signed_and_abs(row, &r).0).collect();
		let bad = abr.iter().zip(&cr).position(|((s, t), c)| {
			let within = (s - c).abs() <= factor * t + ABSOLUTE_SLACK;
			!within
		});
		if let Some(row) = bad {
			return Err(FreivaldsError::Mismatch { round, row });
		}
	}
	Ok(())
}

/// Check a claimed output of a `GemmInt8` or `GemmF32` job against its inputs with Freivalds'
/// check (`rounds`: bits of randomness for int8, see [`check_i8`]; rounds for fp32): `Ok(true)` when it passes, `Ok(false)` when it is wrong (including an
/// output of the wrong length, or a non-finite fp32 entry for finite inputs). Errors: parameters
/// or inputs that do not fit together ([`FreivaldsError::Input`]), non-finite fp32 inputs, and
/// jobs of other kinds ([`FreivaldsError::NotAGemm`]: check those by re-executing them).
pub fn check_claim(
	params: &JobParams,
	inputs: &[Vec<u8>],
	output: &[u8],
	rounds: u32,
	rng: &mut impl RngCore,
) -> Result<bool, FreivaldsError> {
	let (gemm, float) = match params {
		JobParams::GemmInt8(p) => (*p, None),
		JobParams::GemmF32(p) => (p.shape, Some(p.input)),
		other => return Err(FreivaldsError::NotAGemm(other.kind())),
	};
	let shape = gemm.shape()?;
	let [a, b] = inputs else {
		return Err(ExecError::InputCount { expected: 2, got: inputs.len() }.into());
	};
	for (index, (want, got)) in params.input_sizes().into_iter().zip([a, b]).enumerate() {
		if let Some(want) = want {
			if want != got.len() as u64 {
				return Err(
					ExecError::InputSize { index, expected: want, got: got.len() as u64 }.into()
				);
			}
		}
	}
	if output.len() != shape.m * shape.n * 4 {
		return Ok(false);
	}
	let verdict = match float {
		None => {
			let c: Vec<i32> = output
				.chunks_exact(4)
				.map(|v| i32::from_le_bytes([v[0], v[1], v[2], v[3]]))
				.collect();
			check_i8(shape, as_i8(a), as_i8(b), &c, rounds, rng)
		},
		Some(input) => {
			let c = floats(output, FloatInput::F32);
			check_f32(shape, &floats(a, input), &floats(b, input), &c, rounds, rng)
		},
	};
	match verdict {
		Ok(()) => Ok(true),
		Err(FreivaldsError::Mismatch { .. } | FreivaldsError::NotFinite { .. }) => Ok(false),
		Err(e) => Err(e),
	}
}

/// Dimensions in `1..=MAX_DIM`, matrices within [`MAX_ELEMENTS`], lengths matching the shape.
fn check_shape(shape: Shape, a: usize, b: usize, c: usize) -> Result<Shape, FreivaldsError> {
	let Shape { m, n, k } = shape;
	for (name, v) in [("m", m), ("n", n), ("k", k)] {
		if v == 0 || v > MAX_DIM as usize {
			return Err(FreivaldsError::BadShape(format!("{name} = {v} is outside 1..={MAX_DIM}")));
		}
	}
	for (name, len, rows, cols) in [("A", a, m, k), ("B", b, k, n), ("C", c, m, n)] {
		// Dimensions ≤ 2^16: the product fits a u64.
		let want = rows as u64 * cols as u64;
		if want > MAX_ELEMENTS {
			return Err(FreivaldsError::BadShape(format!(
				"{name} has {rows} × {cols} elements, more than {MAX_ELEMENTS}"
			)));
		}
		if len as u64 != want {
			return Err(FreivaldsError::BadShape(format!(
				"{name} has {len} elements, the shape needs {rows} × {cols} = {want}"
			)));
		}
	}
	Ok(shape)
}

/// `n` independent uniform bits from `rng`, as 0 or 1.
fn random_bits<R: RngCore + ?Sized>(n: usize, rng: &mut R) -> Vec<i8> {
	let mut bits = Vec::with_capacity(n);
	while bits.len() < n {
		let mut word = rng.next_u64();
		for _ in 0..(n - bits.len()).min(64) {
			bits.push((word & 1) as i8);
			word >>= 1;
		}
	}
	bits
}

/// `(Σ row_j · r_j, Σ |row_j| · r_j)` in f64, for `r ∈ {0, 1}^n`.
fn signed_and_abs(row: &[f32], r: &[i8]) -> (f64, f64) {
	row.iter().zip(r).filter(|(_, r)| **r != 0).fold((0.0, 0.0), |(s, t), (x, _)| {
		let x = f64::from(*x);
		(s + x, t + x.abs())
	})
}

#[cfg(test)]
#[allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
mod tests {
	use super::*;
	use crate::fixtures;
	use rand::{rngs::StdRng, SeedableRng};

	fn product_i8(a: &[i8], b: &[i8], s: Shape) -> Vec<i32> {
		let mut c = vec![0i32; s.m * s.n];
		for i in 0..s.m {
			for p in 0..s.k {
				for j in 0..s.n {
					c[i * s.n + j] += i32::from(a[i * s.k + p]) * i32::from(b[p * s.n + j]);
				}
			}
		}
		c
	}

	fn f32s(seed: u64, len: usize) -> Vec<f32> {
		floats(&fixtures::f32s(seed, len), FloatInput::F32)
	}

	const SHAPES: [(usize, usize, usize); 5] =
		[(1, 1, 1), (3, 7, 2), (17, 5, 33), (64, 64, 64), (2, 130, 9)];

	#[test]
	fn correct_int8_products_pass() {
		let mut rng = StdRng::seed_from_u64(1);
		for (seed, (m, n, k)) in SHAPES.into_iter().enumerate() {
			let s = Shape { m, n, k };
			let a = fixtures::i8s(seed as u64, m * k);
			let b = fixtures::i8s(seed as u64 + 50, k * n);
			let c = product_i8(as_i8(&a), as_i8(&b), s);
			assert_eq!(check_i8(s, as_i8(&a), as_i8(&b), &c, DEFAULT_ROUNDS, &mut rng), Ok(()));
		}
	}

	#[test]
	fn a_single_wrong_int8_entry_is_caught() {
		let mut rng = StdRng::seed_from_u64(2);
		for (seed, (m, n, k)) in SHAPES.into_iter().enumerate() {
			let s = Shape { m, n, k };
			let a = fixtures::i8s(seed as u64, m * k);
			let b = fixtures::i8s(seed as u64 + 50, k * n);
			let mut c = product_i8(as_i8(&a), as_i8(&b), s);
			let at = (seed * 7919) % c.len();
			c[at] += 1;
			let got = check_i8(s, as_i8(&a), as_i8(&b), &c, DEFAULT_ROUNDS, &mut rng);
			assert!(
				matches!(got, Err(FreivaldsError::Mismatch { row, .. }) if row == at / n),
				"{s:?}: {got:?}"
			);
		}
	}

	#[test]
	fn int8_checks_spread_their_bits_over_passes() {
		let mut rng = StdRng::seed_from_u64(9);
		let s = Shape { m: 9, n: 11, k: 13 };
		let a = fixtures::i8s(1, s.m * s.k);
		let b = fixtures::i8s(2, s.k * s.n);
		let mut c = product_i8(as_i8(&a), as_i8(&b), s);
		// 60 bits: passes of 24, 24 and 12 bits, all exact for a correct product.
		assert_eq!(check_i8(s, as_i8(&a), as_i8(&b), &c, 60, &mut rng), Ok(()));
		// A wrong entry in row 0 is caught by the first 24-bit pass (it slips through with
		// probability at most 2^-24; the seeded rng makes the test deterministic).
		c[5] -= 3;
		let got = check_i8(s, as_i8(&a), as_i8(&b), &c, 60, &mut rng);
		assert!(matches!(got, Err(FreivaldsError::Mismatch { round: 0, row: 0 })), "{got:?}");
	}

	#[test]
	fn extreme_int8_values_do_not_overflow() {
		let mut rng = StdRng::seed_from_u64(3);
		let s = Shape { m: 2, n: 3, k: 1 << 16 };
		let a = vec![i8::MIN; s.m * s.k];
		let b = vec![i8::MIN; s.k * s.n];
		let c = vec![1 << 30; s.m * s.n];
		assert_eq!(check_i8(s, &a, &b, &c, DEFAULT_ROUNDS, &mut rng), Ok(()));
		let wrong = vec![i32::MIN; s.m * s.n];
		assert!(check_i8(s, &a, &b, &wrong, DEFAULT_ROUNDS, &mut rng).is_err());
		// The largest accumulators: entries of r near 2^24, all operands at the extremes.
		let wrong = vec![i32::MAX; s.m * s.n];
		assert!(check_i8(s, &a, &b, &wrong, 24, &mut rng).is_err());
		assert_eq!(check_i8(s, &a, &b, &c, 24, &mut rng), Ok(()));
	}

	#[test]
	fn shapes_and_rounds_are_checked() {
		let mut rng = StdRng::seed_from_u64(4);
		let s = Shape { m: 2, n: 2, k: 2 };
		assert!(matches!(
			check_i8(s, &[0; 4], &[0; 4], &[0; 3], 1, &mut rng),
			Err(FreivaldsError::BadShape(_))
		));
		assert!(matches!(
			check_i8(Shape { k: 0, ..s }, &[], &[], &[0; 4], 1, &mut rng),
			Err(FreivaldsError::BadShape(_))
		));
		let none = check_i8(s, &[0; 4], &[0; 4], &[0; 4], 0, &mut rng);
		assert_eq!(none, Err(FreivaldsError::NoRounds));
	}

	#[test]
	fn differently_ordered_f32_sums_pass_and_wrong_ones_do_not() {
		let mut rng = StdRng::seed_from_u64(5);
		// Shapes where 1 % of the largest entry exceeds the row tolerance (about n·k²·u/4).
		for (seed, (m, n, k)) in SHAPES.into_iter().chain([(33, 17, 65), (4, 4, 1024)]).enumerate()
		{
			let s = Shape { m, n, k };
			let a = f32s(seed as u64, m * k);
			let b = f32s(seed as u64 + 50, k * n);
			// Forward f32, reverse-order f32 and f64-then-rounded: three honest results.
			let (mut fwd, mut rev, mut wide) =
				(vec![0f32; m * n], vec![0f32; m * n], vec![0f32; m * n]);
			for i in 0..m {
				for j in 0..n {
					let term = |p: usize| a[i * k + p] * b[p * n + j];
					fwd[i * n + j] = (0..k).map(term).sum();
					rev[i * n + j] = (0..k).rev().map(term).sum();
					wide[i * n + j] = (0..k)
						.map(|p| f64::from(a[i * k + p]) * f64::from(b[p * n + j]))
						.sum::<f64>() as f32;
				}
			}
			for c in [&fwd, &rev, &wide] {
				assert_eq!(check_f32(s, &a, &b, c, DEFAULT_ROUNDS, &mut rng), Ok(()), "{s:?}");
			}
			// 1 % off in the largest entry is far above fp32 rounding at these sizes.
			let at = (0..m * n).max_by(|x, y| wide[*x].abs().total_cmp(&wide[*y].abs())).unwrap();
			let mut wrong = wide.clone();
			wrong[at] *= 1.01;
			let got = check_f32(s, &a, &b, &wrong, DEFAULT_ROUNDS, &mut rng);
			assert!(
				matches!(got, Err(FreivaldsError::Mismatch { row, .. }) if row == at / n),
				"{s:?}: {got:?}"
			);
			let mut nan = wide.clone();
			nan[at] = f32::NAN;
			assert_eq!(
				check_f32(s, &a, &b, &nan, 1, &mut rng),
				Err(FreivaldsError::NotFinite { row: at / n, col: at % n })
			);
		}
	}

	#[test]
	fn non_finite_inputs_cannot_be_checked() {
		let mut rng = StdRng::seed_from_u64(6);
		let s = Shape { m: 1, n: 1, k: 2 };
		let got = check_f32(s, &[1.0, f32::INFINITY], &[1.0, 0.0], &[f32::NAN], 1, &mut rng);
		assert_eq!(got, Err(FreivaldsError::NonFiniteInput));
	}
}
