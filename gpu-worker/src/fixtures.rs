//! Shared test vectors: the jobs every backend's tests (CPU, CUDA) and the benchmarks run, a
//! deliberately naive reference implementation, and the pinned blake2-256 hashes of its outputs.
//!
//! - [`i8s`], [`f32s`], [`bf16s`]: deterministic pseudo-random inputs (splitmix64 to spread the
//!   seed, then xorshift64*, as [`Mlp::from_seed`]).
//! - [`vectors`]: the named jobs ([`Vector`]), small enough that the whole set runs through
//!   [`reference`] in well under two seconds in release mode.
//! - [`reference`]: plain loops in `i64` / `f64`, written independently of the backends (it
//!   shares only the model-file parser): the output bytes in the formats of [`crate::exec`].
//! - [`pinned`]: `fixtures/test-vectors.json`, one `{ name, kind, params, hash }` per vector,
//!   `hash` = blake2-256 of the reference output. It is read at run time (not compiled in) so
//!   that blessing can rewrite it: `AIRTIME_BLESS_VECTORS=1 cargo test -p airtime-worker --test
//!   vectors` ([`BLESS`]) recomputes it with [`pin`] and [`write_pinned`].

// Test support: plain loops over fixed, valid shapes (input lengths are checked against the
// parameters before any indexing), i64/f64 accumulators far from their limits.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use crate::{
	exec::{
		ExecutorKind, FloatGemmParams, FloatInput, GemmParams, JobParams, MlpParams, SearchParams,
	},
	mlp::{Layer, Mlp, MlpError},
};
use codec::Encode;
use serde::{Deserialize, Serialize};

/// The command that re-pins the hashes (after checking that a change is intended).
pub const BLESS: &str = "AIRTIME_BLESS_VECTORS=1 cargo test -p airtime-worker --test vectors";

/// splitmix64 seeding, then xorshift64* (the generator of [`Mlp::from_seed`]).
struct Gen(u64);

impl Gen {
	fn new(seed: u64) -> Self {
		let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		Self((z ^ (z >> 31)) | 1)
	}

	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
	}

	/// A value in `[-1, 1)`, a multiple of 2^-23 (exact in f32).
	fn unit(&mut self) -> f32 {
		let bits = (self.next() >> 40) as i32; // 24 bits
		(bits - (1 << 23)) as f32 / (1 << 23) as f32
	}
}

/// `len` pseudo-random i8 values (as bytes) from `seed`.
pub fn i8s(seed: u64, len: usize) -> Vec<u8> {
	let mut g = Gen::new(seed);
	(0..len).map(|_| (g.next() >> 56) as u8).collect()
}

/// `len` pseudo-random f32 values in `[-1, 1)` from `seed`, little-endian (`4 · len` bytes).
pub fn f32s(seed: u64, len: usize) -> Vec<u8> {
	let mut g = Gen::new(seed);
	(0..len).flat_map(|_| g.unit().to_le_bytes()).collect()
}

/// `len` pseudo-random bf16 values in `[-1, 1)` from `seed` (the f32 values of [`f32s`]
/// truncated to their high half), little-endian (`2 · len` bytes).
pub fn bf16s(seed: u64, len: usize) -> Vec<u8> {
	let mut g = Gen::new(seed);
	(0..len).flat_map(|_| ((g.unit().to_bits() >> 16) as u16).to_le_bytes()).collect()
}

/// A named job: parameters and inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Vector {
	/// Unique name, e.g. `gemm_i8/m7_n13_k5`.
	pub name: &'static str,
	/// The job's parameters.
	pub params: JobParams,
	/// The job's inputs, in the order of [`crate::exec`]'s formats.
	pub inputs: Vec<Vec<u8>>,
}

impl Vector {
	/// The job's kind.
	pub fn kind(&self) -> ExecutorKind {
		self.params.kind()
	}

	/// The parameters as SCALE bytes (what a job on chain carries).
	pub fn params_bytes(&self) -> Vec<u8> {
		match &self.params {
			JobParams::GemmInt8(p) => p.encode(),
			JobParams::GemmF32(p) => p.encode(),
			JobParams::Mlp(p) => p.encode(),
			JobParams::Search(p) => p.encode(),
		}
	}
}

/// A model file, or no bytes if the model is invalid (then the job fails loudly with
/// `ExecError::Model`; the unit tests below check every model is valid).
fn model_file(model: Result<Mlp, MlpError>) -> Vec<u8> {
	model.and_then(|m| m.to_safetensors()).unwrap_or_default()
}

fn gemm_i8(name: &'static str, m: u32, n: u32, k: u32, a: Vec<u8>, b: Vec<u8>) -> Vector {
	Vector { name, params: JobParams::GemmInt8(GemmParams { m, n, k }), inputs: vec![a, b] }
}

fn gemm_i8_random(name: &'static str, m: u32, n: u32, k: u32, seed: u64) -> Vector {
	let (mu, nu, ku) = (m as usize, n as usize, k as usize);
	gemm_i8(name, m, n, k, i8s(seed, mu * ku), i8s(seed + 1, ku * nu))
}

fn gemm_f32(name: &'static str, input: FloatInput, m: u32, n: u32, k: u32, seed: u64) -> Vector {
	let (mu, nu, ku) = (m as usize, n as usize, k as usize);
	let values = match input {
		FloatInput::F32 => f32s,
		FloatInput::Bf16 => bf16s,
	};
	Vector {
		name,
		params: JobParams::GemmF32(FloatGemmParams { shape: GemmParams { m, n, k }, input }),
		inputs: vec![values(seed, mu * ku), values(seed + 1, ku * nu)],
	}
}

fn mlp(name: &'static str, model: Result<Mlp, MlpError>, batch: u32, x: Vec<u8>) -> Vector {
	Vector { name, params: JobParams::Mlp(MlpParams { batch }), inputs: vec![model_file(model), x] }
}

fn search(name: &'static str, p: SearchParams, table: Vec<u8>, queries: Vec<u8>) -> Vector {
	Vector { name, params: JobParams::Search(p), inputs: vec![table, queries] }
}

/// Biases near ±2^30 and shifts 20, 0 and 31: the `i8` clamps and the arithmetic shift of
/// negative sums, on a 300 → 16 → 16 → 8 model.
fn clamp_model() -> Result<Mlp, MlpError> {
	let edge = 1 << 30;
	let biases = |outputs: usize, seed: u64| -> Vec<i32> {
		let small = i8s(seed, outputs);
		(0..outputs)
			.map(|o| match o % 4 {
				0 => edge - o as i32,
				1 => -edge + o as i32,
				2 => i32::from(small[o] as i8) * 1000,
				_ => 0,
			})
			.collect()
	};
	let layer = |inputs: usize, outputs: usize, shift: u32, seed: u64| Layer {
		inputs,
		outputs,
		weights: i8s(seed, inputs * outputs).into_iter().map(|w| w as i8).collect(),
		bias: biases(outputs, seed + 1),
		shift,
	};
	Mlp::new(vec![layer(300, 16, 20, 31), layer(16, 16, 0, 33), layer(16, 8, 31, 35)])
}

/// A 1 → 1 model: `y = clamp((5 − 3x) >> 1)`.
fn one_by_one() -> Result<Mlp, MlpError> {
	Mlp::new(vec![Layer { inputs: 1, outputs: 1, weights: vec![-3], bias: vec![5], shift: 1 }])
}

/// Every vector, in a fixed order with unique names.
pub fn vectors() -> Vec<Vector> {
	let all_min = vec![0x80u8; 2 * 65536];
	let all_max = vec![0x7fu8; 2 * 65536];
	// Four distinct rows repeated 16 times: every score appears 16 times (ties to the lower row).
	let pattern = i8s(61, 4 * 8);
	let ties_table: Vec<u8> = (0..64).flat_map(|r| pattern[(r % 4) * 8..][..8].to_vec()).collect();
	let mut ties_queries = i8s(62, 3 * 8);
	ties_queries[16..].fill(0); // the last query scores 0 against every row
	vec![
		gemm_i8_random("gemm_i8/m1_n1_k1", 1, 1, 1, 1),
		gemm_i8_random("gemm_i8/m7_n13_k5", 7, 13, 5, 3),
		gemm_i8_random("gemm_i8/m64_n64_k64", 64, 64, 64, 5),
		gemm_i8_random("gemm_i8/m130_n67_k257", 130, 67, 257, 7),
		gemm_i8_random("gemm_i8/m256_n256_k1024", 256, 256, 1024, 9),
		// (-128)·(-128)·65536 = 2^30 in every entry: the largest accumulator.
		gemm_i8("gemm_i8/all_min_m2_n2_k65536", 2, 2, 65536, all_min.clone(), all_min.clone()),
		// (-128)·127·65536 = -1 065 353 216: the most negative accumulator.
		gemm_i8("gemm_i8/min_max_m2_n2_k65536", 2, 2, 65536, all_min, all_max),
		gemm_i8_random("gemm_i8/m3_n5_k65536", 3, 5, 65536, 11),
		gemm_f32("gemm_f32/f32_m33_n17_k65", FloatInput::F32, 33, 17, 65, 21),
		gemm_f32("gemm_f32/f32_m128_n128_k128", FloatInput::F32, 128, 128, 128, 23),
		gemm_f32("gemm_f32/bf16_m33_n17_k65", FloatInput::Bf16, 33, 17, 65, 25),
		gemm_f32("gemm_f32/bf16_m128_n128_k128", FloatInput::Bf16, 128, 128, 128, 27),
		mlp(
			"mlp/seed7_64_128_128_10_batch33",
			Mlp::from_seed(7, &[64, 128, 128, 10]),
			33,
			i8s(41, 33 * 64),
		),
		// Every i8 input through y = (5 - 3x) >> 1, no ReLU (the only layer is the last).
		mlp("mlp/one_layer_1_1_batch256", one_by_one(), 256, (0..=255u8).collect()),
		mlp("mlp/clamp_300_16_16_8_batch9", clamp_model(), 9, i8s(43, 9 * 300)),
		search(
			"search/rows1000_dim96_q5_k10",
			SearchParams { rows: 1000, dim: 96, queries: 5, k: 10 },
			i8s(51, 1000 * 96),
			i8s(52, 5 * 96),
		),
		search(
			"search/rows17_dim3_q2_k17",
			SearchParams { rows: 17, dim: 3, queries: 2, k: 17 },
			i8s(53, 17 * 3),
			i8s(54, 2 * 3),
		),
		search(
			"search/ties_rows64_dim8_q3_k20",
			SearchParams { rows: 64, dim: 8, queries: 3, k: 20 },
			ties_table,
			ties_queries,
		),
	]
}

/// The expected output bytes of a vector, by plain loops (`i64` sums for the integer kinds, `f64`
/// sums rounded once to f32 for `GemmF32`; a full sort for the search). Empty when the inputs do
/// not fit the parameters or the model file is invalid (no vector of [`vectors`] is).
pub fn reference(v: &Vector) -> Vec<u8> {
	if v.inputs.len() != 2 {
		return Vec::new();
	}
	let sizes_fit = v
		.params
		.input_sizes()
		.iter()
		.zip(&v.inputs)
		.all(|(want, got)| want.is_none_or(|want| want == got.len() as u64));
	if !sizes_fit {
		return Vec::new();
	}
	let (x, y) = (&v.inputs[0], &v.inputs[1]);
	match v.params {
		JobParams::GemmInt8(p) => ref_gemm_i8(p, x, y),
		JobParams::GemmF32(p) => ref_gemm_f32(p, x, y),
		JobParams::Mlp(p) => ref_mlp(p, x, y),
		JobParams::Search(p) => ref_search(p, x, y),
	}
}

fn ref_gemm_i8(p: GemmParams, a: &[u8], b: &[u8]) -> Vec<u8> {
	let (m, n, k) = (p.m as usize, p.n as usize, p.k as usize);
	let mut out = Vec::with_capacity(m * n * 4);
	for i in 0..m {
		for j in 0..n {
			let mut sum = 0i64;
			for l in 0..k {
				sum += i64::from(a[i * k + l] as i8) * i64::from(b[l * n + j] as i8);
			}
			out.extend_from_slice(&(sum as i32).to_le_bytes());
		}
	}
	out
}

/// The values of f32 or bf16 little-endian bytes (decoded here, not by the executors' helper).
fn ref_floats(bytes: &[u8], input: FloatInput) -> Vec<f64> {
	match input {
		FloatInput::F32 => bytes
			.chunks_exact(4)
			.map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
			.collect(),
		FloatInput::Bf16 => bytes
			.chunks_exact(2)
			.map(|c| f64::from(f32::from_bits((u32::from(c[1]) << 24) | (u32::from(c[0]) << 16))))
			.collect(),
	}
}

fn ref_gemm_f32(p: FloatGemmParams, a: &[u8], b: &[u8]) -> Vec<u8> {
	let (m, n, k) = (p.shape.m as usize, p.shape.n as usize, p.shape.k as usize);
	let (a, b) = (ref_floats(a, p.input), ref_floats(b, p.input));
	let mut out = Vec::with_capacity(m * n * 4);
	for i in 0..m {
		for j in 0..n {
			let mut sum = 0f64;
			for l in 0..k {
				sum += a[i * k + l] * b[l * n + j];
			}
			out.extend_from_slice(&(sum as f32).to_le_bytes());
		}
	}
	out
}

fn ref_mlp(p: MlpParams, model: &[u8], x: &[u8]) -> Vec<u8> {
	let Ok(model) = Mlp::from_safetensors(model) else {
		return Vec::new();
	};
	let batch = p.batch as usize;
	if x.len() != batch * model.input_len() {
		return Vec::new();
	}
	let layers = model.layers();
	let mut out = Vec::with_capacity(batch * model.output_len());
	for row in x.chunks_exact(model.input_len()) {
		let mut act: Vec<i64> = row.iter().map(|v| i64::from(*v as i8)).collect();
		for (index, layer) in layers.iter().enumerate() {
			let last = index + 1 == layers.len();
			let mut next = Vec::with_capacity(layer.outputs);
			for (o, bias) in layer.bias.iter().enumerate() {
				let mut acc = i64::from(*bias);
				for (i, a) in act.iter().enumerate() {
					acc += i64::from(layer.weights[o * layer.inputs + i]) * a;
				}
				let acc = acc.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
				let mut y = (acc >> layer.shift).clamp(-128, 127);
				if !last && y < 0 {
					y = 0;
				}
				next.push(y);
			}
			act = next;
		}
		out.extend(act.iter().map(|v| *v as i8 as u8));
	}
	out
}

fn ref_search(p: SearchParams, table: &[u8], queries: &[u8]) -> Vec<u8> {
	let (rows, dim, k) = (p.rows as usize, p.dim as usize, p.k as usize);
	let mut out = Vec::with_capacity(p.queries as usize * k * 8);
	for query in queries.chunks_exact(dim) {
		let mut scored: Vec<(u32, i64)> = table
			.chunks_exact(dim)
			.enumerate()
			.map(|(row, entry)| {
				let score = entry
					.iter()
					.zip(query)
					.map(|(t, q)| i64::from(*t as i8) * i64::from(*q as i8))
					.sum::<i64>();
				(row as u32, score)
			})
			.collect();
		// Highest score first, ties to the lower row.
		scored.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
		for (row, score) in scored.into_iter().take(k.min(rows)) {
			out.extend_from_slice(&row.to_le_bytes());
			out.extend_from_slice(&(score as i32).to_le_bytes());
		}
	}
	out
}

/// A pinned vector: what `fixtures/test-vectors.json` holds per vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pinned {
	/// The vector's name.
	pub name: String,
	/// Its [`ExecutorKind`] variant name, e.g. `GemmInt8`.
	pub kind: String,
	/// Its SCALE-encoded parameters, `0x`-prefixed hex.
	pub params: String,
	/// blake2-256 of its reference output, `0x`-prefixed hex.
	pub hash: String,
}

/// `0x`-prefixed lowercase hex.
pub fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// blake2-256 of output bytes as `0x`-prefixed hex (the form [`Pinned::hash`] holds).
pub fn output_hash(bytes: &[u8]) -> String {
	hex0x(&sp_crypto_hashing::blake2_256(bytes))
}

/// A vector's pinned entry, computed now from [`reference`].
pub fn pin(v: &Vector) -> Pinned {
	Pinned {
		name: v.name.into(),
		kind: format!("{:?}", v.kind()),
		params: hex0x(&v.params_bytes()),
		hash: output_hash(&reference(v)),
	}
}

/// Where the pinned hashes live: `AIRTIME_VECTORS_FILE` when set (a prebuilt test binary run on another machine, e.g. by
/// `scripts/gpu-check.sh`), else the crate's `fixtures/test-vectors.json`.
pub fn pinned_path() -> String {
	std::env::var("AIRTIME_VECTORS_FILE").unwrap_or_else(|_| {
		concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/test-vectors.json").to_owned()
	})
}

/// The pinned entries, read from [`pinned_path`] now.
pub fn pinned() -> Result<Vec<Pinned>, String> {
	let text = std::fs::read_to_string(pinned_path())
		.map_err(|e| format!("cannot read {}: {e}", pinned_path()))?;
	serde_json::from_str(&text).map_err(|e| format!("{} is not valid: {e}", pinned_path()))
}

/// Replace the pinned entries (pretty JSON, in the order given, ending with a newline). Writes a
/// temporary file beside it and renames it, so a reader never sees half a file.
pub fn write_pinned(entries: &[Pinned]) -> Result<(), String> {
	let mut text = serde_json::to_string_pretty(entries).map_err(|e| e.to_string())?;
	text.push('\n');
	let tmp = format!("{}.tmp", pinned_path());
	std::fs::write(&tmp, text).map_err(|e| format!("cannot write {tmp}: {e}"))?;
	std::fs::rename(&tmp, pinned_path())
		.map_err(|e| format!("cannot replace {}: {e}", pinned_path()))
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

	#[test]
	fn generators_are_deterministic_and_in_range() {
		assert_eq!(i8s(5, 100), i8s(5, 100));
		assert_ne!(i8s(5, 100), i8s(6, 100));
		assert_eq!(i8s(5, 10), i8s(5, 100)[..10]);
		let f = crate::exec::floats(&f32s(9, 10_000), FloatInput::F32);
		assert!(f.iter().all(|v| (-1.0..1.0).contains(v)));
		assert!(f.iter().any(|v| *v < -0.9) && f.iter().any(|v| *v > 0.9));
		let h = crate::exec::floats(&bf16s(9, 10_000), FloatInput::Bf16);
		assert!(h.iter().zip(&f).all(|(h, f)| h.abs() <= f.abs() && (h - f).abs() < 1e-2));
		assert_eq!(bf16s(9, 3).len(), 6);
	}

	#[test]
	fn vectors_are_valid_and_uniquely_named() {
		let vectors = vectors();
		let mut names: Vec<_> = vectors.iter().map(|v| v.name).collect();
		names.sort_unstable();
		names.dedup();
		assert_eq!(names.len(), vectors.len());
		for v in &vectors {
			let decoded = JobParams::decode(v.kind(), &v.params_bytes()).expect(v.name);
			assert_eq!(decoded, v.params);
			if let JobParams::Mlp(_) = v.params {
				Mlp::from_safetensors(&v.inputs[0]).expect(v.name);
			}
			assert!(!reference(v).is_empty(), "{}", v.name);
		}
	}

	#[test]
	fn the_reference_matches_hand_computed_outputs() {
		// [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50].
		let v = gemm_i8("t", 2, 2, 2, vec![1, 2, 3, 4], vec![5, 6, 7, 8]);
		let want: Vec<u8> = [19i32, 22, 43, 50].iter().flat_map(|v| v.to_le_bytes()).collect();
		assert_eq!(reference(&v), want);
		// One 1 → 1 layer, w = -3, b = 5, shift 1, no ReLU (last layer): x = 10 → -25 >> 1 = -13;
		// x = -100 → 305 >> 1 = 152 → 127.
		let v = mlp("t", one_by_one(), 2, vec![10, (-100i8) as u8]);
		assert_eq!(reference(&v), vec![(-13i8) as u8, 127]);
		// Scores [1, 3, 3, 0] for one query: rows 1, 2 (tie, lower first), then 0.
		let v = search(
			"t",
			SearchParams { rows: 4, dim: 1, queries: 1, k: 3 },
			vec![1, 3, 3, 0],
			vec![1],
		);
		let want: Vec<u8> = [(1u32, 3i32), (2, 3), (0, 1)]
			.iter()
			.flat_map(|(r, s)| [r.to_le_bytes(), s.to_le_bytes()].concat())
			.collect();
		assert_eq!(reference(&v), want);
	}
}
