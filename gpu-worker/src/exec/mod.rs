//! Executors: what a leased job runs, on the GPU (cudarc) or the CPU.
//!
//! A job names an [`ExecutorKind`], SCALE-encoded parameters ([`GemmParams`], [`FloatGemmParams`],
//! [`MlpParams`], [`SearchParams`]) and its inputs by blake2-256 hash. [`run_job`] checks the
//! parameters and inputs, runs the job on an [`Executor`] backend and returns the output bytes
//! (whose blake2-256 hash is attested) and the metered units.
//!
//! ## Determinism: which result is checked how
//!
//! | kind | arithmetic | output | checked by |
//! |------|------------|--------|------------|
//! | `GemmInt8` | int8 × int8 → int32, exact | `m × n` i32 LE, row-major | hash equality |
//! | `MlpFixedPoint` | int8 weights, i64 accumulation clamped to i32, shift, clamp, ReLU | `batch × out` i8 | hash equality |
//! | `VectorSearch` | int8 dot products → i32, exact; ties broken by the lower row | per query `k` × (row u32 LE, score i32 LE) | hash equality |
//! | `GemmF32` | fp32 (bf16 inputs widened to fp32) | `m × n` f32 LE, row-major | Freivalds with a tolerance, never hash equality |
//!
//! Integer sums are exact whatever the order of summation, so the CPU (blocked, rayon) and the
//! GPU (cuBLAS `GemmEx` with `CUBLAS_COMPUTE_32I`, NVRTC kernels) produce the same bytes; every
//! accumulator's range is bounded by the shape limits below, so nothing wraps. Float sums depend
//! on the order of summation (cuBLAS picks its kernel by card and shape), so two honest
//! providers' fp32 outputs differ in the last bits: a `GemmF32` job runs on one provider and is
//! checked by [`crate::freivalds`] against a stated tolerance.
//!
//! ## Formats
//!
//! - `GemmInt8`: inputs `[A, B]`, `A` is `m × k` i8 row-major, `B` is `k × n` i8 row-major.
//! - `GemmF32`: inputs `[A, B]` in the same layout, f32 LE or bf16 LE ([`FloatInput`]).
//! - `MlpFixedPoint`: inputs `[model, X]`: the model as a safetensors file (see
//!   [`crate::mlp::Mlp::from_safetensors`]), `X` is `batch × input width` i8.
//! - `VectorSearch`: inputs `[table, queries]`: `rows × dim` i8 and `queries × dim` i8.

// Shape arithmetic here is on dimensions validated by `JobParams::check` (each ≤ 2^16, every
// matrix ≤ 2^28 elements), so products of two or three dimensions fit in u64/usize; slices are
// indexed after their lengths were checked against the shape.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

pub mod cpu;
pub mod cuda;

use crate::mlp::{Layer, Mlp, MlpError};
pub use airtime_primitives::compute::ExecutorKind;
use codec::{Decode, Encode};
use sp_core::H256;
use thiserror::Error;

/// The largest matrix dimension (`m`, `n`, `k`, rows, dim, batch).
pub const MAX_DIM: u32 = 1 << 16;
/// The largest number of elements in one matrix, input or output (2^28: 1 GiB of i32).
pub const MAX_ELEMENTS: u64 = 1 << 28;
/// The largest `k` of a vector search.
pub const MAX_TOP_K: u32 = 1024;
/// Multiply-accumulates per metered unit.
pub const MACS_PER_UNIT: u64 = 1_000_000;

/// Parameters of a `GemmInt8` job: `C (m × n) = A (m × k) · B (k × n)`.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmParams {
	/// Rows of `A` and `C`.
	pub m: u32,
	/// Columns of `B` and `C`.
	pub n: u32,
	/// Columns of `A`, rows of `B`.
	pub k: u32,
}

/// The element type of a float GEMM's inputs.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatInput {
	/// IEEE-754 binary32, little-endian.
	F32,
	/// bfloat16 (the high half of a binary32), little-endian; widened to f32 exactly.
	Bf16,
}

/// Parameters of a `GemmF32` job.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FloatGemmParams {
	/// The shape.
	pub shape: GemmParams,
	/// The inputs' element type.
	pub input: FloatInput,
}

/// Parameters of an `MlpFixedPoint` job.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct MlpParams {
	/// Input vectors in the batch.
	pub batch: u32,
}

/// Parameters of a `VectorSearch` job.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchParams {
	/// Rows of the embedding table.
	pub rows: u32,
	/// Embedding width.
	pub dim: u32,
	/// Query vectors.
	pub queries: u32,
	/// Results per query (at most `rows` and [`MAX_TOP_K`]).
	pub k: u32,
}

/// A job's parameters, decoded and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobParams {
	/// `GemmInt8`.
	GemmInt8(GemmParams),
	/// `GemmF32`.
	GemmF32(FloatGemmParams),
	/// `MlpFixedPoint`.
	Mlp(MlpParams),
	/// `VectorSearch`.
	Search(SearchParams),
}

/// Why a job cannot run. Each maps to a specific log line and, for a job the worker accepted, an
/// on-chain `report_failure`.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExecError {
	/// The parameters do not decode as the kind's parameter type.
	#[error("parameters do not decode as {kind:?} parameters: {reason}")]
	BadParams {
		/// The job's kind.
		kind: ExecutorKind,
		/// The decoder's complaint.
		reason: String,
	},
	/// A dimension is zero or above [`MAX_DIM`], or a matrix above [`MAX_ELEMENTS`].
	#[error("shape out of range: {0}")]
	BadShape(String),
	/// The job has the wrong number of inputs.
	#[error("expected {expected} inputs, got {got}")]
	InputCount {
		/// What the kind takes.
		expected: usize,
		/// What the job names.
		got: usize,
	},
	/// An input's length does not match the shape.
	#[error("input {index} has {got} bytes, the shape needs {expected}")]
	InputSize {
		/// Which input.
		index: usize,
		/// Bytes the shape needs.
		expected: u64,
		/// Bytes found.
		got: u64,
	},
	/// The model file is not a valid model.
	#[error("model: {0}")]
	Model(String),
	/// The job needs more memory than the device has.
	#[error("the job needs {need} bytes of device memory, the device has {have}")]
	TooLarge {
		/// Bytes the job needs.
		need: u64,
		/// Bytes the device can give.
		have: u64,
	},
	/// The device failed (allocation, launch, driver).
	#[error("device error: {0}")]
	Device(String),
}

impl From<MlpError> for ExecError {
	fn from(e: MlpError) -> Self {
		ExecError::Model(e.to_string())
	}
}

/// A matrix product shape (`usize` for indexing; built only from checked [`GemmParams`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
	/// Rows of `A` and `C`.
	pub m: usize,
	/// Columns of `B` and `C`.
	pub n: usize,
	/// Columns of `A`, rows of `B`.
	pub k: usize,
}

/// What a backend reports about its device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
	/// Model name (`NVIDIA H100 80GB HBM3`, or the CPU's).
	pub model: String,
	/// Memory a job may use, in bytes.
	pub memory_bytes: u64,
	/// Number of devices.
	pub devices: u16,
}

/// A backend: the arithmetic primitives the job kinds are built from. Implementations must be
/// bit-exact for the integer methods (see the module docs).
pub trait Executor: Send + Sync {
	/// `"cpu"` or `"cuda"`.
	fn backend(&self) -> &'static str;
	/// The device.
	fn device(&self) -> DeviceInfo;
	/// `C = A · B`, int8 inputs, exact int32 output (`|C| ≤ 2^14 · k ≤ 2^30`).
	fn gemm_i8(&self, shape: Shape, a: &[i8], b: &[i8]) -> Result<Vec<i32>, ExecError>;
	/// `C = A · B` in fp32.
	fn gemm_f32(&self, shape: Shape, a: &[f32], b: &[f32]) -> Result<Vec<f32>, ExecError>;
	/// One fixed-point layer over a batch: for each of the `batch` rows `x` of `input`
	/// (`batch × layer.inputs`), `y = clamp_i8((clamp_i32(bias + Σ w·x)) >> shift)`, then
	/// `max(y, 0)` when `relu`. Output `batch × layer.outputs`.
	fn mlp_layer(
		&self,
		layer: &Layer,
		input: &[i8],
		batch: usize,
		relu: bool,
	) -> Result<Vec<i8>, ExecError>;
	/// Scores `queries × rows`: `S[q][r] = Σ_d queries[q][d] · table[r][d]`, exact.
	fn dot_scores(
		&self,
		table: &[i8],
		queries: &[i8],
		rows: usize,
		dim: usize,
		nqueries: usize,
	) -> Result<Vec<i32>, ExecError>;
}

/// A job's output and its metered usage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobOutput {
	/// The output bytes.
	pub bytes: Vec<u8>,
	/// blake2-256 of `bytes`: what is attested.
	pub hash: H256,
	/// Metered units (see [`units`]).
	pub units: u64,
}

/// One fixed-point layer on the CPU, the reference every backend matches:
/// `clamp_i8(clamp_i32(bias + Σ w·x) >> shift)`, then ReLU if asked.
pub fn requantize(acc: i64, shift: u32, relu: bool) -> i8 {
	let acc = acc.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
	let scaled = acc.checked_shr(shift).unwrap_or(if acc < 0 { -1 } else { 0 });
	let out = scaled.clamp(i64::from(i8::MIN), i64::from(i8::MAX)) as i8;
	if relu {
		out.max(0)
	} else {
		out
	}
}

fn dim(name: &str, v: u32) -> Result<usize, ExecError> {
	if v == 0 || v > MAX_DIM {
		return Err(ExecError::BadShape(format!("{name} = {v} is outside 1..={MAX_DIM}")));
	}
	usize::try_from(v).map_err(|_| ExecError::BadShape(format!("{name} = {v}")))
}

fn elements(name: &str, a: usize, b: usize) -> Result<usize, ExecError> {
	let n = a.checked_mul(b).ok_or_else(|| ExecError::BadShape(format!("{name} overflows")))?;
	if n as u64 > MAX_ELEMENTS {
		return Err(ExecError::BadShape(format!(
			"{name} has {n} elements, more than {MAX_ELEMENTS}"
		)));
	}
	Ok(n)
}

impl GemmParams {
	/// The checked shape.
	pub fn shape(&self) -> Result<Shape, ExecError> {
		let s = Shape { m: dim("m", self.m)?, n: dim("n", self.n)?, k: dim("k", self.k)? };
		elements("A", s.m, s.k)?;
		elements("B", s.k, s.n)?;
		elements("C", s.m, s.n)?;
		Ok(s)
	}
}

impl JobParams {
	/// Decode and check the parameters of a job of `kind` (the whole buffer must be consumed).
	pub fn decode(kind: ExecutorKind, mut bytes: &[u8]) -> Result<Self, ExecError> {
		let bad = |e: String| ExecError::BadParams { kind, reason: e };
		let params = match kind {
			ExecutorKind::GemmInt8 => {
				JobParams::GemmInt8(GemmParams::decode(&mut bytes).map_err(|e| bad(e.to_string()))?)
			},
			ExecutorKind::GemmF32 => JobParams::GemmF32(
				FloatGemmParams::decode(&mut bytes).map_err(|e| bad(e.to_string()))?,
			),
			ExecutorKind::MlpFixedPoint => {
				JobParams::Mlp(MlpParams::decode(&mut bytes).map_err(|e| bad(e.to_string()))?)
			},
			ExecutorKind::VectorSearch => {
				JobParams::Search(SearchParams::decode(&mut bytes).map_err(|e| bad(e.to_string()))?)
			},
		};
		if !bytes.is_empty() {
			return Err(bad(format!("{} trailing bytes", bytes.len())));
		}
		params.check()?;
		Ok(params)
	}

	/// The kind these parameters belong to.
	pub fn kind(&self) -> ExecutorKind {
		match self {
			JobParams::GemmInt8(_) => ExecutorKind::GemmInt8,
			JobParams::GemmF32(_) => ExecutorKind::GemmF32,
			JobParams::Mlp(_) => ExecutorKind::MlpFixedPoint,
			JobParams::Search(_) => ExecutorKind::VectorSearch,
		}
	}

	fn check(&self) -> Result<(), ExecError> {
		match self {
			JobParams::GemmInt8(p) | JobParams::GemmF32(FloatGemmParams { shape: p, .. }) => {
				p.shape()?;
			},
			JobParams::Mlp(p) => {
				dim("batch", p.batch)?;
			},
			JobParams::Search(p) => {
				let (rows, d, q) =
					(dim("rows", p.rows)?, dim("dim", p.dim)?, dim("queries", p.queries)?);
				elements("table", rows, d)?;
				elements("queries", q, d)?;
				elements("scores", q, rows)?;
				if p.k == 0 || p.k > p.rows.min(MAX_TOP_K) {
					return Err(ExecError::BadShape(format!(
						"k = {} is outside 1..={}",
						p.k,
						p.rows.min(MAX_TOP_K)
					)));
				}
			},
		}
		Ok(())
	}

	/// How many inputs the job takes.
	pub fn input_count(&self) -> usize {
		2
	}

	/// The exact byte length each input must have (`None` for the model file).
	pub fn input_sizes(&self) -> Vec<Option<u64>> {
		let (a, b) = match self {
			JobParams::GemmInt8(p) => {
				(Some(u64::from(p.m) * u64::from(p.k)), Some(u64::from(p.k) * u64::from(p.n)))
			},
			JobParams::GemmF32(p) => {
				let w = match p.input {
					FloatInput::F32 => 4,
					FloatInput::Bf16 => 2,
				};
				(
					Some(u64::from(p.shape.m) * u64::from(p.shape.k) * w),
					Some(u64::from(p.shape.k) * u64::from(p.shape.n) * w),
				)
			},
			JobParams::Mlp(_) => (None, None),
			JobParams::Search(p) => (
				Some(u64::from(p.rows) * u64::from(p.dim)),
				Some(u64::from(p.queries) * u64::from(p.dim)),
			),
		};
		vec![a, b]
	}

	/// Bytes of device memory the job needs at its peak, given its inputs' sizes (inputs, output,
	/// and for float GEMM the widened copies).
	pub fn footprint(&self, input_bytes: u64) -> u64 {
		let out = match self {
			// C, plus the CPU backend's transposed copy of B.
			JobParams::GemmInt8(p) => {
				u64::from(p.m) * u64::from(p.n) * 4 + u64::from(p.k) * u64::from(p.n)
			},
			JobParams::GemmF32(p) => {
				u64::from(p.shape.m) * u64::from(p.shape.n) * 4
					+ (u64::from(p.shape.m) + u64::from(p.shape.n)) * u64::from(p.shape.k) * 4
			},
			// Two activation buffers of the widest layer: bounded by the input (the model
			// carries every layer's weights).
			JobParams::Mlp(p) => u64::from(p.batch) * u64::from(MAX_DIM) * 2,
			JobParams::Search(p) => u64::from(p.queries) * u64::from(p.rows) * 4,
		};
		input_bytes.saturating_add(out)
	}
}

/// Metered units of a job: its multiply-accumulates over [`MACS_PER_UNIT`], rounded up, at least 1.
pub fn units_for_macs(macs: u64) -> u64 {
	macs.div_ceil(MACS_PER_UNIT).max(1)
}

fn input_size(index: usize, expected: u64, got: usize) -> Result<(), ExecError> {
	if expected != got as u64 {
		return Err(ExecError::InputSize { index, expected, got: got as u64 });
	}
	Ok(())
}

/// Widen f32 or bf16 little-endian bytes to f32.
pub fn floats(bytes: &[u8], input: FloatInput) -> Vec<f32> {
	match input {
		FloatInput::F32 => {
			bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
		},
		FloatInput::Bf16 => bytes
			.chunks_exact(2)
			.map(|c| f32::from_bits(u32::from(u16::from_le_bytes([c[0], c[1]])) << 16))
			.collect(),
	}
}

/// View bytes as i8.
#[allow(unsafe_code)]
pub fn as_i8(bytes: &[u8]) -> &[i8] {
	// SAFETY: i8 and u8 have the same size and alignment, every bit pattern is valid.
	unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<i8>(), bytes.len()) }
}

/// The top `k` rows of each query's scores, highest score first, ties to the lower row; encoded
/// as `(row u32 LE, score i32 LE)` pairs, query after query.
pub fn top_k(scores: &[i32], rows: usize, k: usize) -> Vec<u8> {
	let mut out = Vec::with_capacity(scores.len() / rows.max(1) * k * 8);
	for query in scores.chunks_exact(rows) {
		let mut idx: Vec<u32> = (0..rows as u32).collect();
		let by = |a: &u32, b: &u32| {
			let (sa, sb) = (query[*a as usize], query[*b as usize]);
			sb.cmp(&sa).then(a.cmp(b))
		};
		if k < rows {
			idx.select_nth_unstable_by(k - 1, by);
			idx.truncate(k);
		}
		idx.sort_unstable_by(by);
		for r in idx {
			out.extend_from_slice(&r.to_le_bytes());
			out.extend_from_slice(&query[r as usize].to_le_bytes());
		}
	}
	out
}

/// Check a job's inputs against its parameters and `device`, run it on `exec`, and return its
/// output, hash and units.
#[allow(clippy::indexing_slicing)] // input counts are checked first
pub fn run_job(
	exec: &dyn Executor,
	params: &JobParams,
	inputs: &[Vec<u8>],
) -> Result<JobOutput, ExecError> {
	if inputs.len() != params.input_count() {
		return Err(ExecError::InputCount { expected: params.input_count(), got: inputs.len() });
	}
	for (index, (want, got)) in params.input_sizes().iter().zip(inputs).enumerate() {
		if let Some(want) = want {
			input_size(index, *want, got.len())?;
		}
	}
	let input_bytes = inputs.iter().map(|i| i.len() as u64).sum::<u64>();
	let need = params.footprint(input_bytes);
	let have = exec.device().memory_bytes;
	if need > have {
		return Err(ExecError::TooLarge { need, have });
	}
	let (bytes, macs) = match params {
		JobParams::GemmInt8(p) => {
			let s = p.shape()?;
			let c = exec.gemm_i8(s, as_i8(&inputs[0]), as_i8(&inputs[1]))?;
			(c.iter().flat_map(|v| v.to_le_bytes()).collect(), (s.m * s.n * s.k) as u64)
		},
		JobParams::GemmF32(p) => {
			let s = p.shape.shape()?;
			let a = floats(&inputs[0], p.input);
			let b = floats(&inputs[1], p.input);
			let c = exec.gemm_f32(s, &a, &b)?;
			(c.iter().flat_map(|v| v.to_le_bytes()).collect(), (s.m * s.n * s.k) as u64)
		},
		JobParams::Mlp(p) => {
			let model = Mlp::from_safetensors(&inputs[0])?;
			let batch = p.batch as usize;
			for layer in model.layers() {
				elements("activations", batch, layer.inputs.max(layer.outputs))?;
			}
			input_size(1, (batch * model.input_len()) as u64, inputs[1].len())?;
			let mut act = as_i8(&inputs[1]).to_vec();
			let last = model.layers().len().saturating_sub(1);
			let mut macs = 0u64;
			for (i, layer) in model.layers().iter().enumerate() {
				act = exec.mlp_layer(layer, &act, batch, i != last)?;
				macs += (batch * layer.inputs * layer.outputs) as u64;
			}
			(act.iter().map(|v| *v as u8).collect(), macs)
		},
		JobParams::Search(p) => {
			let (rows, d, q) = (p.rows as usize, p.dim as usize, p.queries as usize);
			let scores = exec.dot_scores(as_i8(&inputs[0]), as_i8(&inputs[1]), rows, d, q)?;
			(top_k(&scores, rows, p.k as usize), (rows * d * q) as u64)
		},
	};
	let hash = H256(sp_crypto_hashing::blake2_256(&bytes));
	Ok(JobOutput { bytes, hash, units: units_for_macs(macs) })
}

/// The backend to use: CUDA when the driver, cuBLAS and NVRTC libraries load and a device
/// answers (unless `force_cpu`), otherwise the CPU. Never panics on a machine without CUDA.
pub fn select(force_cpu: bool) -> Box<dyn Executor> {
	if !force_cpu {
		match cuda::CudaExecutor::probe() {
			Ok(Some(gpu)) => {
				tracing::info!(device = %gpu.device().model, "using the CUDA backend");
				return Box::new(gpu);
			},
			Ok(None) => tracing::info!("no CUDA libraries found: using the CPU backend"),
			Err(e) => {
				tracing::warn!(error = %e, "CUDA present but unusable: using the CPU backend")
			},
		}
	}
	Box::new(cpu::CpuExecutor::new())
}
