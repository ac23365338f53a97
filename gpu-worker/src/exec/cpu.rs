//! The CPU backend: cache-blocked kernels parallelised with rayon.
//!
//! - **int8** ([`Executor::gemm_i8`], [`Executor::mlp_layer`], [`Executor::dot_scores`]) all run
//!   one kernel, `C = A · Bᵀ` with `Bᵀ` stored row by row (`n × k`): every `C[i][j]` is a
//!   contiguous dot product over `k`, which LLVM vectorises (i8 widened to i32, four columns of
//!   `C` per pass over a row of `A`). A GEMM first transposes `B` (`O(kn)`, parallel); an MLP
//!   layer's weights (a row per output) and a search table (a row per entry) are already in that
//!   layout. Sums are exact in `i32`: `|a·b| ≤ 2^14` and `k ≤ 2^16`, so `|Σ| ≤ 2^30`.
//! - **fp32** ([`Executor::gemm_f32`]): `C[i][·] += A[i][p] · B[p][·]` over the rows of `B`
//!   (no reduction in the inner loop, so it vectorises without reassociating float sums).
//!
//! Both are blocked (a block of `Bᵀ` or `B` stays in L2 while a task's rows of `A` stream past
//! it) and parallel: over row blocks of `C` when there are enough rows, otherwise over column
//! blocks of each row. Every entry point checks the shape and the slice lengths first.

// Numeric kernels: every slice length is checked against the shape at the entry points (the
// `check_*` helpers) and accumulators are bounded (see the module docs), so indexing cannot go
// out of bounds and arithmetic cannot overflow.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::{requantize, DeviceInfo, ExecError, Executor, Shape, MAX_DIM, MAX_ELEMENTS};
use crate::mlp::Layer;
use rayon::prelude::*;

/// Columns of `Bᵀ` per int8 block.
const NC_I8: usize = 128;
/// Depth (`k`) per int8 block: a block of `Bᵀ` is 128 KiB.
const KC_I8: usize = 1024;
/// Columns per fp32 block: a row of `C`'s block is 1 KiB (L1).
const NC_F32: usize = 256;
/// Depth per fp32 block: a block of `B` is 128 KiB.
const KC_F32: usize = 128;
/// The most rows of `C` one task computes.
const MC: usize = 64;
/// Columns per block of the transpose.
const TRANSPOSE_BLOCK: usize = 64;
/// Memory reported when `/proc/meminfo` cannot be read.
const FALLBACK_MEMORY: u64 = 8 << 30;

/// The CPU backend, on rayon's global thread pool.
#[derive(Clone, Debug)]
pub struct CpuExecutor {
	threads: usize,
	name: String,
}

impl CpuExecutor {
	/// A backend sized for rayon's global pool (`rayon::current_num_threads()`).
	pub fn new() -> Self {
		Self::with_threads(rayon::current_num_threads())
	}

	/// A backend that splits work as if it had `threads` threads (at least 1); the work still
	/// runs on rayon's global pool. Tests use it to drive both work-splitting paths.
	pub fn with_threads(threads: usize) -> Self {
		Self { threads: threads.max(1), name: cpu_name().unwrap_or_else(|| "CPU".into()) }
	}

	/// The number of threads the work is split for.
	pub fn threads(&self) -> usize {
		self.threads
	}

	/// `C (m × n) = A (m × k) · Bᵀ` where `bt` is `n × k`: the shared int8 kernel. Lengths must
	/// have been checked; `k ≤ 2^16` keeps the i32 sums exact.
	fn product_i8_bt(&self, a: &[i8], bt: &[i8], m: usize, n: usize, k: usize) -> Vec<i32> {
		let mut c = vec![0i32; m * n];
		if m >= 2 * self.threads {
			let rows = (m / (4 * self.threads)).clamp(1, MC);
			c.par_chunks_mut(rows * n).zip(a.par_chunks(rows * k)).for_each(|(c, a)| {
				tile_i8(a, bt, c.len() / n, n, k, c);
			});
		} else {
			let cols = column_block(n, self.threads);
			for (c_row, a_row) in c.chunks_mut(n).zip(a.chunks(k)) {
				c_row.par_chunks_mut(cols).enumerate().for_each(|(block, c)| {
					let j0 = block * cols;
					tile_i8(a_row, &bt[j0 * k..(j0 + c.len()) * k], 1, c.len(), k, c);
				});
			}
		}
		c
	}
}

impl Default for CpuExecutor {
	fn default() -> Self {
		Self::new()
	}
}

impl Executor for CpuExecutor {
	fn backend(&self) -> &'static str {
		"cpu"
	}

	fn device(&self) -> DeviceInfo {
		DeviceInfo {
			model: format!("{} ({} threads)", self.name, self.threads),
			memory_bytes: mem_available().unwrap_or(FALLBACK_MEMORY),
			devices: 1,
		}
	}

	fn gemm_i8(&self, shape: Shape, a: &[i8], b: &[i8]) -> Result<Vec<i32>, ExecError> {
		let Shape { m, n, k } = check_shape(shape)?;
		check_len("A", a.len(), m, k)?;
		check_len("B", b.len(), k, n)?;
		check_elements("C", m, n)?;
		let bt = transpose(b, k, n);
		Ok(self.product_i8_bt(a, &bt, m, n, k))
	}

	fn gemm_f32(&self, shape: Shape, a: &[f32], b: &[f32]) -> Result<Vec<f32>, ExecError> {
		let Shape { m, n, k } = check_shape(shape)?;
		check_len("A", a.len(), m, k)?;
		check_len("B", b.len(), k, n)?;
		check_elements("C", m, n)?;
		let mut c = vec![0f32; m * n];
		if m >= 2 * self.threads {
			let rows = (m / (4 * self.threads)).clamp(1, MC);
			c.par_chunks_mut(rows * n).zip(a.par_chunks(rows * k)).for_each(|(c, a)| {
				tile_f32(a, b, n, 0, c.len() / n, n, k, c);
			});
		} else {
			let cols = column_block(n, self.threads);
			for (c_row, a_row) in c.chunks_mut(n).zip(a.chunks(k)) {
				c_row.par_chunks_mut(cols).enumerate().for_each(|(block, c)| {
					tile_f32(a_row, b, n, block * cols, 1, c.len(), k, c);
				});
			}
		}
		Ok(c)
	}

	fn mlp_layer(
		&self,
		layer: &Layer,
		input: &[i8],
		batch: usize,
		relu: bool,
	) -> Result<Vec<i8>, ExecError> {
		let (inputs, outputs) = (layer.inputs, layer.outputs);
		check_dim("layer inputs", inputs)?;
		check_dim("layer outputs", outputs)?;
		check_dim("batch", batch)?;
		check_len("layer weights", layer.weights.len(), outputs, inputs)?;
		check_len("layer biases", layer.bias.len(), outputs, 1)?;
		check_len("layer input", input.len(), batch, inputs)?;
		check_elements("layer output", batch, outputs)?;
		// Σ w·x in i32 (exact, |Σ| ≤ 2^30), then the bias in i64 and the shared requantisation.
		let sums = self.product_i8_bt(input, &layer.weights, batch, outputs, inputs);
		let mut out = vec![0i8; sums.len()];
		out.par_chunks_mut(outputs).zip(sums.par_chunks(outputs)).for_each(|(y, s)| {
			for ((y, s), bias) in y.iter_mut().zip(s).zip(&layer.bias) {
				*y = requantize(i64::from(*bias) + i64::from(*s), layer.shift, relu);
			}
		});
		Ok(out)
	}

	fn dot_scores(
		&self,
		table: &[i8],
		queries: &[i8],
		rows: usize,
		dim: usize,
		nqueries: usize,
	) -> Result<Vec<i32>, ExecError> {
		check_dim("rows", rows)?;
		check_dim("dim", dim)?;
		check_dim("queries", nqueries)?;
		check_len("table", table.len(), rows, dim)?;
		check_len("queries", queries.len(), nqueries, dim)?;
		check_elements("scores", nqueries, rows)?;
		// S = Q · Tᵀ: the table's rows are the transposed operand's rows already.
		Ok(self.product_i8_bt(queries, table, nqueries, rows, dim))
	}
}

/// `v` in `1..=MAX_DIM`.
fn check_dim(what: &str, v: usize) -> Result<usize, ExecError> {
	if v == 0 || v > MAX_DIM as usize {
		return Err(ExecError::BadShape(format!("{what} = {v} is outside 1..={MAX_DIM}")));
	}
	Ok(v)
}

/// Every dimension in `1..=MAX_DIM` (so `k ≤ 2^16` keeps int8 sums exact in i32).
fn check_shape(shape: Shape) -> Result<Shape, ExecError> {
	check_dim("m", shape.m)?;
	check_dim("n", shape.n)?;
	check_dim("k", shape.k)?;
	Ok(shape)
}

/// `got == rows × cols`.
fn check_len(what: &str, got: usize, rows: usize, cols: usize) -> Result<(), ExecError> {
	let want = rows
		.checked_mul(cols)
		.ok_or_else(|| ExecError::BadShape(format!("{what}: {rows} × {cols} overflows")))?;
	if got != want {
		return Err(ExecError::BadShape(format!(
			"{what} has {got} elements, the shape needs {rows} × {cols} = {want}"
		)));
	}
	Ok(())
}

/// `rows × cols` is at most [`MAX_ELEMENTS`] (an output this backend allocates).
fn check_elements(what: &str, rows: usize, cols: usize) -> Result<(), ExecError> {
	match rows.checked_mul(cols) {
		Some(n) if n as u64 <= MAX_ELEMENTS => Ok(()),
		_ => Err(ExecError::BadShape(format!(
			"{what} has {rows} × {cols} elements, more than {MAX_ELEMENTS}"
		))),
	}
}

/// Columns per task when a row of `C` is split across threads: about four tasks per thread, a
/// multiple of 4, at least 4 and at most 4 blocks' worth.
fn column_block(n: usize, threads: usize) -> usize {
	let cols = n.div_ceil(4 * threads).div_ceil(4) * 4;
	cols.clamp(4, 4 * NC_I8)
}

/// The `cols × rows` transpose of a `rows × cols` row-major matrix, in column blocks (parallel):
/// each block reads `TRANSPOSE_BLOCK` contiguous values of every row of the source.
fn transpose<T: Copy + Default + Send + Sync>(src: &[T], rows: usize, cols: usize) -> Vec<T> {
	let mut out = vec![T::default(); rows * cols];
	out.par_chunks_mut(TRANSPOSE_BLOCK * rows).enumerate().for_each(|(block, out)| {
		let j0 = block * TRANSPOSE_BLOCK;
		let width = out.len() / rows;
		for (r, src_row) in src.chunks_exact(cols).enumerate() {
			for (jj, v) in src_row[j0..j0 + width].iter().enumerate() {
				out[jj * rows + r] = *v;
			}
		}
	});
	out
}

/// `c (rows × cols) += a (rows × k) · btᵀ` where `bt` holds `cols` rows of `k`, blocked so a
/// `NC_I8 × KC_I8` block of `bt` is reused by every row of `a`.
fn tile_i8(a: &[i8], bt: &[i8], rows: usize, cols: usize, k: usize, c: &mut [i32]) {
	for j0 in (0..cols).step_by(NC_I8) {
		let j1 = (j0 + NC_I8).min(cols);
		for p0 in (0..k).step_by(KC_I8) {
			let p1 = (p0 + KC_I8).min(k);
			let col = |j: usize| &bt[j * k + p0..j * k + p1];
			for i in 0..rows {
				let a_row = &a[i * k + p0..i * k + p1];
				let c_row = &mut c[i * cols + j0..i * cols + j1];
				let mut quads = c_row.chunks_exact_mut(4);
				let mut j = j0;
				for quad in &mut quads {
					let s = dot4_i8(a_row, col(j), col(j + 1), col(j + 2), col(j + 3));
					for (c, s) in quad.iter_mut().zip(s) {
						*c += s;
					}
					j += 4;
				}
				for c in quads.into_remainder() {
					*c += dot_i8(a_row, col(j));
					j += 1;
				}
			}
		}
	}
}

/// `Σ a·b` over equal-length slices, in i32 (exact for `len ≤ 2^16`).
#[inline]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
	a.iter().zip(b).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum()
}

/// Four dot products of `a` with `b0..b3` in one pass over `a` (equal lengths, `≤ 2^16`). The
/// zipped slice iterators need no bounds checks, so LLVM vectorises the loop.
#[inline]
fn dot4_i8(a: &[i8], b0: &[i8], b1: &[i8], b2: &[i8], b3: &[i8]) -> [i32; 4] {
	let (mut s0, mut s1, mut s2, mut s3) = (0i32, 0i32, 0i32, 0i32);
	for ((((x, y0), y1), y2), y3) in a.iter().zip(b0).zip(b1).zip(b2).zip(b3) {
		let x = i32::from(*x);
		s0 += x * i32::from(*y0);
		s1 += x * i32::from(*y1);
		s2 += x * i32::from(*y2);
		s3 += x * i32::from(*y3);
	}
	[s0, s1, s2, s3]
}

/// `c (rows × cols) += a (rows × k) · B[.., jb..jb + cols]` where `B` is `k × ldb` row-major,
/// blocked so an `KC_F32 × NC_F32` block of `B` is reused by every row of `a`.
#[allow(clippy::too_many_arguments)]
fn tile_f32(
	a: &[f32],
	b: &[f32],
	ldb: usize,
	jb: usize,
	rows: usize,
	cols: usize,
	k: usize,
	c: &mut [f32],
) {
	for j0 in (0..cols).step_by(NC_F32) {
		let j1 = (j0 + NC_F32).min(cols);
		for p0 in (0..k).step_by(KC_F32) {
			let p1 = (p0 + KC_F32).min(k);
			for i in 0..rows {
				let c_row = &mut c[i * cols + j0..i * cols + j1];
				for p in p0..p1 {
					let x = a[i * k + p];
					let b_row = &b[p * ldb + jb + j0..p * ldb + jb + j1];
					for (c, b) in c_row.iter_mut().zip(b_row) {
						*c += x * *b;
					}
				}
			}
		}
	}
}

/// `MemAvailable` from `/proc/meminfo`, in bytes.
fn mem_available() -> Option<u64> {
	let text = std::fs::read_to_string("/proc/meminfo").ok()?;
	let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
	let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
	kib.checked_mul(1024)
}

/// The CPU's model name from `/proc/cpuinfo`.
fn cpu_name() -> Option<String> {
	let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
	let line = text.lines().find(|l| l.starts_with("model name"))?;
	let name = line.split_once(':')?.1.trim();
	(!name.is_empty()).then(|| name.to_string())
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

	fn naive_i8(a: &[i8], b: &[i8], m: usize, n: usize, k: usize) -> Vec<i32> {
		let mut c = vec![0i32; m * n];
		for i in 0..m {
			for j in 0..n {
				c[i * n + j] =
					(0..k).map(|p| i32::from(a[i * k + p]) * i32::from(b[p * n + j])).sum();
			}
		}
		c
	}

	#[test]
	fn gemm_i8_is_exact_on_block_edges_for_both_splits() {
		let shapes = [(1, 1, 1), (3, 5, 7), (5, 133, 1030), (70, 129, 2049), (9, 4, 1024)];
		for threads in [1, 64] {
			let cpu = CpuExecutor::with_threads(threads);
			for (seed, (m, n, k)) in shapes.into_iter().enumerate() {
				let a = fixtures::i8s(seed as u64, m * k);
				let b = fixtures::i8s(seed as u64 + 100, k * n);
				let (a, b) = (crate::exec::as_i8(&a), crate::exec::as_i8(&b));
				let c = cpu.gemm_i8(Shape { m, n, k }, a, b).unwrap();
				assert_eq!(c, naive_i8(a, b, m, n, k), "{m}×{n}×{k} with {threads} threads");
			}
		}
	}

	#[test]
	fn gemm_f32_matches_a_naive_product_closely() {
		for threads in [1, 64] {
			let cpu = CpuExecutor::with_threads(threads);
			let (m, n, k) = (7, 300, 260);
			let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 - 3.0).collect();
			let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.5).collect();
			let c = cpu.gemm_f32(Shape { m, n, k }, &a, &b).unwrap();
			for i in 0..m {
				for j in 0..n {
					// Small integers and halves: every partial sum is exact in f32.
					let want: f32 = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
					assert_eq!(c[i * n + j], want, "({i}, {j})");
				}
			}
		}
	}

	#[test]
	fn lengths_and_shapes_are_checked() {
		let cpu = CpuExecutor::new();
		let bad = |r: Result<Vec<i32>, ExecError>| matches!(r, Err(ExecError::BadShape(_)));
		assert!(bad(cpu.gemm_i8(Shape { m: 2, n: 2, k: 2 }, &[0; 4], &[0; 3])));
		assert!(bad(cpu.gemm_i8(Shape { m: 2, n: 2, k: 0 }, &[], &[])));
		assert!(bad(cpu.gemm_i8(Shape { m: 1, n: 1, k: 1 << 17 }, &[0; 1 << 17], &[0; 1 << 17])));
		assert!(bad(cpu.dot_scores(&[0; 6], &[0; 3], 2, 3, 2)));
		assert!(cpu.gemm_f32(Shape { m: 2, n: 1, k: 1 }, &[0.0], &[0.0]).is_err());
		let layer = Layer { inputs: 2, outputs: 1, weights: vec![1, 1], bias: vec![0], shift: 0 };
		assert!(cpu.mlp_layer(&layer, &[1, 2, 3], 2, false).is_err());
		assert_eq!(cpu.mlp_layer(&layer, &[1, 2, 3, 4], 2, false).unwrap(), vec![3, 7]);
		let broken = Layer { weights: vec![1], ..layer };
		assert!(cpu.mlp_layer(&broken, &[1, 2], 1, false).is_err());
	}

	#[test]
	fn device_reports_one_cpu() {
		let info = CpuExecutor::new().device();
		assert_eq!(info.devices, 1);
		assert!(info.memory_bytes > 0);
		assert!(info.model.ends_with("threads)"), "{}", info.model);
	}
}
