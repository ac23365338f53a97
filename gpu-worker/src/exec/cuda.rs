//! The CUDA backend (cudarc): cuBLAS for the matrix products, NVRTC kernels for the operand
//! layout, the int8 fallback product and the fixed-point epilogue.
//!
//! cudarc is built with `dynamic-loading`: nothing links against CUDA, the driver, cuBLAS and
//! NVRTC are opened at run time, and cudarc panics on first use where a library or one of its
//! symbols is missing. [`CudaExecutor::probe`] therefore checks that the three libraries load,
//! opens the device inside `catch_unwind`, and runs a self-test of every path (which resolves
//! every symbol the jobs use) before the executor is handed out.
//!
//! ## int8 products
//!
//! Every int8 product (`GemmInt8`, the MLP layers, the search scores) is computed in one layout,
//! "TN": `Z (y_rows × x_rows) = Y · Xᵀ`, with `X` and `Y` row-major and sharing their inner
//! dimension. cuBLAS sees the row-major `X` as a column-major `K × M` matrix used transposed and
//! `Y` as a column-major `K × N` one used as is, and writes the column-major `M × N` result, which
//! is `Z` row-major: this is `cublasGemmEx(OP_T, OP_N)` with `CUDA_R_8I` operands, a `CUDA_R_32I`
//! result and `CUBLAS_COMPUTE_32I`, the layout cuBLAS's integer tensor-core kernels take. Each
//! operand is zero-padded on the device to `rows % 4 == 0` and `inner % 16 == 0` (zeros add
//! nothing to an integer sum), so every leading dimension meets the int8 alignment rules.
//!
//! - `GemmInt8`: `X = Bᵀ` (the pack kernel transposes `B` on the device), `Y = A`, `Z = C`.
//! - search: `X = table`, `Y = queries`, `Z = scores`: no transpose at all.
//! - MLP: `X = weights` (`outputs × inputs`), `Y = activations`, then the epilogue kernel adds
//!   the bias in 64 bits and applies [`requantize`] exactly.
//!
//! If cuBLAS refuses a shape (`NOT_SUPPORTED`, `INVALID_VALUE`, `ARCH_MISMATCH`), or fails the
//! self-test at start, the product runs on an exact NVRTC kernel (tiled, int32 accumulation)
//! instead. Sums cannot overflow: `|Σ| ≤ 2^14 · 2^16 = 2^30`.
//!
//! ## fp32 products
//!
//! `cublasSgemm` with the handle in `CUBLAS_DEFAULT_MATH` (no TF32): `Cᵀ = Bᵀ · Aᵀ` in column-major
//! terms, i.e. the row-major operands swapped.
#![allow(unsafe_code)]
// Kernel glue: every dimension is checked against `MAX_DIM` before any arithmetic (so sizes stay
// far below `usize::MAX`), and every index is below a length checked just before.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::{requantize, DeviceInfo, ExecError, Executor, Shape, MAX_DIM, MAX_ELEMENTS};
use crate::mlp::Layer;
use cudarc::{
	cublas::{
		result::CublasError,
		sys::{
			cublasComputeType_t, cublasGemmAlgo_t, cublasMath_t, cublasOperation_t, cublasStatus_t,
			cudaDataType_t,
		},
		CudaBlas, Gemm, GemmConfig,
	},
	driver::{
		sys::CUresult, CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DevicePtr,
		DevicePtrMut, DeviceRepr, DriverError, LaunchConfig, PushKernelArg,
	},
	nvrtc::{compile_ptx_with_opts, CompileOptions, Ptx},
};
use std::{
	ffi::{c_char, c_void, CString},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex, MutexGuard, PoisonError,
	},
	time::Instant,
};

/// The NVRTC kernels (compiled once, in [`CudaExecutor::probe`]).
const KERNELS: &str = r#"
// dst (prows x pcols) = src (rows x cols), zero-padded. Block (32, 8), grid (pcols/32, prows/8).
extern "C" __global__ void pack_i8(const signed char* __restrict__ src, int rows, int cols,
                                   signed char* __restrict__ dst, int prows, int pcols) {
	int c = blockIdx.x * blockDim.x + threadIdx.x;
	int r = blockIdx.y * blockDim.y + threadIdx.y;
	if (r >= prows || c >= pcols) return;
	signed char v = 0;
	if (r < rows && c < cols) v = src[(long long)r * cols + c];
	dst[(long long)r * pcols + c] = v;
}

// dst (prows x pcols) = transpose of src (rows x cols), zero-padded (prows >= cols,
// pcols >= rows). Block (32, 8), grid (prows/32, pcols/32): one 32 x 32 tile per block.
extern "C" __global__ void pack_t_i8(const signed char* __restrict__ src, int rows, int cols,
                                     signed char* __restrict__ dst, int prows, int pcols) {
	__shared__ signed char tile[32][33];
	int src_col0 = blockIdx.x * 32;
	int src_row0 = blockIdx.y * 32;
	for (int j = threadIdx.y; j < 32; j += blockDim.y) {
		int r = src_row0 + j;
		int c = src_col0 + threadIdx.x;
		signed char v = 0;
		if (r < rows && c < cols) v = src[(long long)r * cols + c];
		tile[j][threadIdx.x] = v;
	}
	__syncthreads();
	for (int j = threadIdx.y; j < 32; j += blockDim.y) {
		int dr = src_col0 + j;
		int dc = src_row0 + threadIdx.x;
		if (dr < prows && dc < pcols) dst[(long long)dr * pcols + dc] = tile[threadIdx.x][j];
	}
}

// The same transpose, 4 bytes per thread (char4 loads and stores) for bandwidth: block (16, 16),
// grid (prows/64, pcols/64), one 64 x 64 tile per block. Needs pcols % 4 == 0 (the stores are
// 4-byte words); src rows are read as words when cols % 4 == 0, byte by byte otherwise.
extern "C" __global__ void pack_t4_i8(const signed char* __restrict__ src, int rows, int cols,
                                      signed char* __restrict__ dst, int prows, int pcols) {
	__shared__ signed char tile[64][65];
	int c0 = blockIdx.x * 64;
	int r0 = blockIdx.y * 64;
	int tx = threadIdx.x;
	int ty = threadIdx.y;
	bool words = (cols & 3) == 0;
	for (int i = 0; i < 4; ++i) {
		int lr = ty + 16 * i;
		int r = r0 + lr;
		int c = c0 + 4 * tx;
		char4 v = make_char4(0, 0, 0, 0);
		if (r < rows) {
			const signed char* p = src + (long long)r * cols + c;
			if (words && c + 3 < cols) {
				v = *reinterpret_cast<const char4*>(p);
			} else {
				if (c < cols) v.x = p[0];
				if (c + 1 < cols) v.y = p[1];
				if (c + 2 < cols) v.z = p[2];
				if (c + 3 < cols) v.w = p[3];
			}
		}
		tile[lr][4 * tx] = v.x;
		tile[lr][4 * tx + 1] = v.y;
		tile[lr][4 * tx + 2] = v.z;
		tile[lr][4 * tx + 3] = v.w;
	}
	__syncthreads();
	for (int i = 0; i < 4; ++i) {
		int j = ty + 16 * i;
		int dr = c0 + j;
		int dc = r0 + 4 * tx;
		if (dr < prows && dc < pcols) {
			char4 w = make_char4(tile[4 * tx][j], tile[4 * tx + 1][j], tile[4 * tx + 2][j],
			                     tile[4 * tx + 3][j]);
			*reinterpret_cast<char4*>(dst + (long long)dr * pcols + dc) = w;
		}
	}
}

// z[j * ldz + i] = sum_t x[i * ldx + t] * y[j * ldy + t] for i < m, j < n: exact int32.
// Block (16, 16), grid (m/16, n/16).
extern "C" __global__ void gemm_tn_i8(const signed char* __restrict__ x,
                                      const signed char* __restrict__ y, int* __restrict__ z,
                                      int m, int n, int k, int ldx, int ldy, int ldz) {
	__shared__ int xs[16][17];
	__shared__ int ys[16][17];
	int tx = threadIdx.x;
	int ty = threadIdx.y;
	int i0 = blockIdx.x * 16;
	int j0 = blockIdx.y * 16;
	int acc = 0;
	for (int k0 = 0; k0 < k; k0 += 16) {
		int xi = i0 + ty;
		int yj = j0 + ty;
		int kk = k0 + tx;
		xs[ty][tx] = (xi < m && kk < k) ? (int)x[(long long)xi * ldx + kk] : 0;
		ys[ty][tx] = (yj < n && kk < k) ? (int)y[(long long)yj * ldy + kk] : 0;
		__syncthreads();
		for (int t = 0; t < 16; ++t) acc += xs[tx][t] * ys[ty][t];
		__syncthreads();
	}
	int i = i0 + tx;
	int j = j0 + ty;
	if (i < m && j < n) z[(long long)j * ldz + i] = acc;
}

// out[b][o] = requantize(bias[o] + acc[b * ld + o], shift, relu), exactly as the CPU reference:
// 64-bit sum, clamp to int32, arithmetic shift, clamp to int8, then ReLU.
extern "C" __global__ void requant_i8(const int* __restrict__ acc, int ld,
                                      const int* __restrict__ bias, signed char* __restrict__ out,
                                      int batch, int outputs, unsigned int shift, int relu) {
	long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
	long long total = (long long)batch * outputs;
	if (idx >= total) return;
	long long b = idx / outputs;
	long long o = idx - b * outputs;
	long long a = (long long)bias[o] + (long long)acc[b * ld + o];
	if (a < -2147483648LL) a = -2147483648LL;
	if (a > 2147483647LL) a = 2147483647LL;
	long long s;
	if (shift >= 63u) {
		s = a < 0 ? -1 : 0;
	} else {
		s = a >> shift;
	}
	if (s < -128) s = -128;
	if (s > 127) s = 127;
	if (relu && s < 0) s = 0;
	out[idx] = (signed char)s;
}
"#;

/// Rows of an int8 TN operand are padded to a multiple of this (the result's leading dimension
/// is the padded `x` row count: 4 int32 are 16 bytes).
const ROW_ALIGN: usize = 4;
/// The inner dimension of an int8 TN operand is padded to a multiple of this (16 bytes).
const DEPTH_ALIGN: usize = 16;
/// Threads per block of the one-dimensional epilogue kernel.
const EPILOGUE_THREADS: u32 = 256;

/// Which int8 product a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
	/// cuBLAS when it passed the self-test, the kernel when it did not or refuses the shape.
	Auto,
	/// The NVRTC kernel.
	Kernel,
	/// cuBLAS whatever the self-test found, the kernel when it refuses the shape (the self-test).
	Blas,
}

/// The padded dimensions of a TN product `Z (y_rows × x_rows) = Y · Xᵀ`.
#[derive(Clone, Copy, Debug)]
struct Tn {
	/// Padded rows of `X`, the leading dimension of `Z`.
	mp: usize,
	/// Padded rows of `Y`, the rows of `Z`.
	np: usize,
	/// Padded inner dimension, the leading dimension of `X` and `Y`.
	kp: usize,
	/// `mp` as a C int.
	mp_c: i32,
	/// `np` as a C int.
	np_c: i32,
	/// `kp` as a C int.
	kp_c: i32,
}

impl Tn {
	fn new(x_rows: usize, y_rows: usize, depth: usize) -> Result<Self, ExecError> {
		let (mp, np, kp) = (
			x_rows.div_ceil(ROW_ALIGN) * ROW_ALIGN,
			y_rows.div_ceil(ROW_ALIGN) * ROW_ALIGN,
			depth.div_ceil(DEPTH_ALIGN) * DEPTH_ALIGN,
		);
		Ok(Tn { mp, np, kp, mp_c: c_int(mp)?, np_c: c_int(np)?, kp_c: c_int(kp)? })
	}

	/// Bytes of the padded operands and the int32 result.
	fn bytes(&self) -> u64 {
		((self.mp + self.np) * self.kp + self.np * self.mp * 4) as u64
	}
}

/// The compiled kernels.
struct Kernels {
	/// `pack_i8`.
	pack: CudaFunction,
	/// `pack_t_i8`.
	pack_t: CudaFunction,
	/// `pack_t4_i8`.
	pack_t4: CudaFunction,
	/// `gemm_tn_i8`.
	gemm_tn: CudaFunction,
	/// `requant_i8`.
	requant: CudaFunction,
	/// How the module was built: `cubin sm_XY` or `ptx`.
	build: String,
}

impl Kernels {
	/// Compile the kernels for the device's architecture (a cubin, which needs no PTX JIT and so
	/// no driver at least as new as NVRTC); fall back to PTX for NVRTC's default architecture.
	fn load(ctx: &Arc<CudaContext>, (major, minor): (i32, i32)) -> Result<Self, ExecError> {
		let arch = format!("sm_{major}{minor}");
		let cubin_err = match compile_cubin(&format!("--gpu-architecture={arch}")) {
			Ok(cubin) => match ctx.load_module(Ptx::from_binary(cubin)) {
				Ok(module) => return Self::from_module(&module, format!("cubin {arch}")),
				Err(e) => format!("loading the {arch} cubin: {e}"),
			},
			Err(e) => e,
		};
		let ptx = compile_ptx_with_opts(KERNELS, CompileOptions::default()).map_err(|e| {
			ExecError::Device(format!("NVRTC: compiling the kernels to PTX: {e} ({cubin_err})"))
		})?;
		let module = ctx.load_module(ptx).map_err(|e| {
			ExecError::Device(format!("loading the kernels' PTX: {e} ({cubin_err})"))
		})?;
		Self::from_module(&module, "ptx".into())
	}

	fn from_module(module: &Arc<CudaModule>, build: String) -> Result<Self, ExecError> {
		let function =
			|name: &str| module.load_function(name).map_err(|e| dev(&format!("kernel {name}"), e));
		Ok(Kernels {
			pack: function("pack_i8")?,
			pack_t: function("pack_t_i8")?,
			pack_t4: function("pack_t4_i8")?,
			gemm_tn: function("gemm_tn_i8")?,
			requant: function("requant_i8")?,
			build,
		})
	}
}

/// Compile [`KERNELS`] to a cubin with NVRTC (`cudarc::nvrtc::compile_ptx*` only return PTX).
fn compile_cubin(arch_option: &str) -> Result<Vec<u8>, String> {
	let src = CString::new(KERNELS).map_err(|e| e.to_string())?;
	let name = CString::new("airtime_kernels.cu").map_err(|e| e.to_string())?;
	let prog = cudarc::nvrtc::result::create_program(&src, Some(name.as_c_str()))
		.map_err(|e| format!("nvrtcCreateProgram: {e}"))?;
	let cubin = cubin_of(prog, arch_option);
	// SAFETY: `prog` was created above, is destroyed once, and is not used afterwards.
	let _ = unsafe { cudarc::nvrtc::result::destroy_program(prog) };
	cubin
}

fn cubin_of(prog: cudarc::nvrtc::sys::nvrtcProgram, arch_option: &str) -> Result<Vec<u8>, String> {
	let options = [arch_option.to_owned()];
	// SAFETY: `prog` is a live program created by `create_program`; the options outlive the call.
	if let Err(e) = unsafe { cudarc::nvrtc::result::compile_program(prog, &options) } {
		// SAFETY: as above; the log is read after the failed compilation.
		let log = unsafe { cudarc::nvrtc::result::get_program_log(prog) }
			.map(|log| c_text(&log))
			.unwrap_or_default();
		return Err(format!("nvrtcCompileProgram {arch_option}: {e}: {log}"));
	}
	let mut size = 0usize;
	// SAFETY: `prog` compiled successfully; `size` is a valid place for the size.
	unsafe { cudarc::nvrtc::sys::nvrtcGetCUBINSize(prog, &mut size) }
		.result()
		.map_err(|e| format!("nvrtcGetCUBINSize: {e}"))?;
	if size == 0 {
		return Err("NVRTC produced an empty cubin".into());
	}
	let mut cubin = vec![0u8; size];
	// SAFETY: `cubin` has exactly the size NVRTC reported for this program's cubin.
	unsafe { cudarc::nvrtc::sys::nvrtcGetCUBIN(prog, cubin.as_mut_ptr().cast::<c_char>()) }
		.result()
		.map_err(|e| format!("nvrtcGetCUBIN: {e}"))?;
	Ok(cubin)
}

/// A NUL-terminated C string in a `c_char` buffer, as text.
fn c_text(buf: &[c_char]) -> String {
	let bytes: Vec<u8> = buf.iter().map(|c| *c as u8).take_while(|b| *b != 0).collect();
	String::from_utf8_lossy(&bytes).trim().to_owned()
}

fn dev(what: &str, e: impl std::fmt::Display) -> ExecError {
	ExecError::Device(format!("{what}: {e}"))
}

fn c_int(v: usize) -> Result<i32, ExecError> {
	i32::try_from(v).map_err(|_| ExecError::BadShape(format!("{v} does not fit a C int")))
}

fn blocks(n: usize, per_block: usize) -> Result<u32, ExecError> {
	u32::try_from(n.div_ceil(per_block))
		.map_err(|_| ExecError::BadShape(format!("{n} elements need too many thread blocks")))
}

/// `v` in `1..=MAX_DIM`, as the CPU backend requires.
fn check_dim(name: &str, v: usize) -> Result<(), ExecError> {
	if v == 0 || v > MAX_DIM as usize {
		return Err(ExecError::BadShape(format!("{name} = {v} is outside 1..={MAX_DIM}")));
	}
	Ok(())
}

/// An output of `rows × cols` elements (dimensions already checked) is at most [`MAX_ELEMENTS`].
fn check_elements(what: &str, rows: usize, cols: usize) -> Result<(), ExecError> {
	if (rows * cols) as u64 > MAX_ELEMENTS {
		return Err(ExecError::BadShape(format!(
			"{what} has {rows} × {cols} elements, more than {MAX_ELEMENTS}"
		)));
	}
	Ok(())
}

/// `got` must be `rows × cols` (dimensions already checked, so the product cannot overflow).
fn check_len(what: &str, got: usize, rows: usize, cols: usize) -> Result<(), ExecError> {
	if got != rows * cols {
		return Err(ExecError::BadShape(format!(
			"{what} has {got} elements, the shape needs {rows} × {cols} = {}",
			rows * cols
		)));
	}
	Ok(())
}

fn check_gemm(s: Shape, a: usize, b: usize) -> Result<(), ExecError> {
	check_dim("m", s.m)?;
	check_dim("n", s.n)?;
	check_dim("k", s.k)?;
	check_len("A", a, s.m, s.k)?;
	check_len("B", b, s.k, s.n)?;
	check_elements("C", s.m, s.n)
}

fn check_layer(layer: &Layer, input: usize, batch: usize) -> Result<(), ExecError> {
	check_dim("layer inputs", layer.inputs)?;
	check_dim("layer outputs", layer.outputs)?;
	check_dim("batch", batch)?;
	check_len("the weights", layer.weights.len(), layer.outputs, layer.inputs)?;
	check_len("the biases", layer.bias.len(), layer.outputs, 1)?;
	check_len("the input", input, batch, layer.inputs)?;
	check_elements("the layer output", batch, layer.outputs)
}

fn check_scores(
	table: usize,
	queries: usize,
	rows: usize,
	dim: usize,
	nqueries: usize,
) -> Result<(), ExecError> {
	check_dim("rows", rows)?;
	check_dim("dim", dim)?;
	check_dim("queries", nqueries)?;
	check_len("the table", table, rows, dim)?;
	check_len("the queries", queries, nqueries, dim)?;
	check_elements("the scores", nqueries, rows)
}

/// The top-left `rows × cols` of a row-major matrix with `ld` columns.
fn strip<T: Copy>(mut z: Vec<T>, ld: usize, rows: usize, cols: usize) -> Vec<T> {
	if ld == cols {
		z.truncate(rows * cols);
		return z;
	}
	let mut out = Vec::with_capacity(rows * cols);
	for row in z.chunks_exact(ld).take(rows) {
		out.extend_from_slice(&row[..cols]);
	}
	out
}

/// Deterministic pseudo-random bytes (xorshift64): benchmark and self-test data.
fn noise(len: usize, seed: u64) -> impl Iterator<Item = u64> {
	let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
	(0..len).map(move |_| {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		s
	})
}

fn random_i8(len: usize, seed: u64) -> Vec<i8> {
	noise(len, seed).map(|v| (v >> 56) as u8 as i8).collect()
}

fn random_f32(len: usize, seed: u64) -> Vec<f32> {
	noise(len, seed).map(|v| (v >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0).collect()
}

/// Exact host reference of the row-major product (self-test only: small shapes).
fn host_gemm_i8(s: Shape, a: &[i8], b: &[i8]) -> Vec<i32> {
	let mut c = vec![0i32; s.m * s.n];
	for i in 0..s.m {
		for t in 0..s.k {
			let av = i32::from(a[i * s.k + t]);
			for j in 0..s.n {
				c[i * s.n + j] += av * i32::from(b[t * s.n + j]);
			}
		}
	}
	c
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
	p.downcast_ref::<&str>()
		.map(|s| (*s).to_owned())
		.or_else(|| p.downcast_ref::<String>().cloned())
		.unwrap_or_else(|| "unknown panic".to_owned())
}

/// The CUDA backend: device 0 of the machine, its cuBLAS handle and the NVRTC kernels. Jobs are
/// serialised on the device (one stream, one handle).
pub struct CudaExecutor {
	ctx: Arc<CudaContext>,
	stream: Arc<CudaStream>,
	blas: CudaBlas,
	kernels: Kernels,
	model: String,
	total_memory: u64,
	memory_bytes: u64,
	devices: u16,
	/// Whether int8 products use cuBLAS (it passed the self-test).
	cublas_i8: AtomicBool,
	/// Serialises jobs: the stream, the handle and the timing loops are shared.
	lock: Mutex<()>,
}

impl CudaExecutor {
	/// Open device 0 if the CUDA driver, cuBLAS and NVRTC libraries load and a device answers:
	/// `Ok(None)` when a library is missing or there is no device, `Err` when CUDA is there but
	/// unusable (a missing symbol, a failed context, compilation or self-test). Never panics.
	pub fn probe() -> Result<Option<Self>, ExecError> {
		// SAFETY: these only try to open the libraries by their candidate names (running their
		// initialisers, which is what loading CUDA means); no CUDA function is called.
		let present = unsafe {
			cudarc::driver::sys::is_culib_present()
				&& cudarc::cublas::sys::is_culib_present()
				&& cudarc::nvrtc::sys::is_culib_present()
		};
		if !present {
			return Ok(None);
		}
		match std::panic::catch_unwind(Self::open) {
			Ok(result) => result,
			Err(p) => Err(ExecError::Device(format!(
				"the CUDA libraries load but are unusable: {}",
				panic_text(&*p)
			))),
		}
	}

	fn open() -> Result<Option<Self>, ExecError> {
		let count = match CudaContext::device_count() {
			Ok(count) => count,
			Err(e)
				if matches!(
					e.0,
					CUresult::CUDA_ERROR_NO_DEVICE | CUresult::CUDA_ERROR_STUB_LIBRARY
				) =>
			{
				return Ok(None)
			},
			Err(e) => return Err(dev("cuInit", e)),
		};
		if count <= 0 {
			return Ok(None);
		}
		let ctx = CudaContext::new(0).map_err(|e| dev("context on device 0", e))?;
		let model = ctx.name().map_err(|e| dev("device name", e))?;
		let total_memory = ctx.total_mem().map_err(|e| dev("device memory", e))? as u64;
		let capability = ctx.compute_capability().map_err(|e| dev("compute capability", e))?;
		// SAFETY: the executor uses this one stream for every allocation, copy, kernel and cuBLAS
		// call, so no cross-stream synchronisation (what event tracking provides) is needed.
		unsafe { ctx.disable_event_tracking() };
		// Jobs allocate and free buffers of similar sizes again and again: keep freed memory in
		// the stream-ordered pool (up to a quarter of the device) instead of returning it to the
		// driver at every synchronisation.
		// SAFETY: `cu_device` is this context's device; the attribute takes a u64.
		let kept = unsafe {
			cudarc::driver::result::device::get_default_mem_pool(ctx.cu_device()).and_then(|pool| {
				let mut threshold = total_memory / 4;
				cudarc::driver::result::mem_pool::set_attribute(
					pool,
					cudarc::driver::sys::CUmemPool_attribute::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
					(&mut threshold as *mut u64).cast(),
				)
			})
		};
		if let Err(e) = kept {
			tracing::debug!(error = %e, "cannot keep freed memory in the pool");
		}
		let stream = ctx.default_stream();
		let blas = CudaBlas::new(stream.clone()).map_err(|e| dev("cuBLAS handle", e))?;
		// SAFETY: the handle was just created and is valid; the mode is a valid enum value.
		unsafe {
			cudarc::cublas::sys::cublasSetMathMode(
				*blas.handle(),
				cublasMath_t::CUBLAS_DEFAULT_MATH,
			)
		}
		.result()
		.map_err(|e| dev("cuBLAS math mode", e))?;
		let kernels = Kernels::load(&ctx, capability)?;
		let exec = CudaExecutor {
			ctx,
			stream,
			blas,
			kernels,
			model,
			total_memory,
			memory_bytes: total_memory.saturating_sub(total_memory / 10),
			devices: u16::try_from(count).unwrap_or(u16::MAX),
			cublas_i8: AtomicBool::new(true),
			lock: Mutex::new(()),
		};
		let blas_ok = exec.self_test()?;
		exec.cublas_i8.store(blas_ok, Ordering::Relaxed);
		tracing::info!(
			device = %exec.model,
			kernels = %exec.kernels.build,
			cublas_int8 = blas_ok,
			"CUDA backend ready"
		);
		Ok(Some(exec))
	}

	/// Whether int8 products run on cuBLAS (`false`: it failed the self-test, and they run on
	/// the NVRTC kernel).
	pub fn uses_cublas_int8(&self) -> bool {
		self.cublas_i8.load(Ordering::Relaxed)
	}

	/// How the kernels were built: `cubin sm_XY` (for the device) or `ptx` (JIT by the driver).
	pub fn kernel_build(&self) -> &str {
		&self.kernels.build
	}

	/// Total device memory in bytes (`device().memory_bytes` keeps 10 % of it as headroom).
	pub fn total_memory(&self) -> u64 {
		self.total_memory
	}

	/// Allocate `bytes` of device memory and free it again: `ExecError::TooLarge` when the device
	/// cannot give them now. The executor stays usable either way.
	pub fn try_reserve(&self, bytes: u64) -> Result<(), ExecError> {
		let _guard = self.enter()?;
		let len = usize::try_from(bytes)
			.map_err(|_| ExecError::TooLarge { need: bytes, have: self.memory_bytes })?;
		// SAFETY: the memory is never read; it is freed when `buf` drops.
		let buf = unsafe { self.stream.alloc::<u8>(len) }
			.map_err(|e| self.mem_err("allocation", bytes, e))?;
		drop(buf);
		self.sync()
	}

	/// Device-resident int8 GEMM throughput at `n × n × n` (`2·n³` operations per product), in
	/// operations per second: `(ours, cublas)`. `ours` is the path [`Executor::gemm_i8`] takes
	/// minus the host transfers (layout kernels, cuBLAS `GemmEx` or the fallback kernel, result
	/// allocation); `cublas` is a bare `cublasGemmEx` on operands already in the TN layout with
	/// `CUBLAS_GEMM_DEFAULT_TENSOR_OP`, the device's int8 cuBLAS peak for the shape. Two warm-up
	/// products, then `iters` timed ones between stream synchronisations.
	pub fn gemm_i8_device_bench(&self, n: usize, iters: usize) -> Result<(f64, f64), ExecError> {
		check_dim("n", n)?;
		let _guard = self.enter()?;
		let s = Shape { m: n, n, k: n };
		let d = Tn::new(n, n, n)?;
		let need = (2 * n * n) as u64 + 2 * d.bytes();
		let a = self.upload(&random_i8(n * n, 1), need)?;
		let b = self.upload(&random_i8(n * n, 2), need)?;
		let ops = 2.0 * (n as f64).powi(3);
		let ours = self
			.time(ops, iters, || self.gemm_i8_device(s, &a, &b, &d, Path::Auto, need).map(drop))?;
		drop((a, b));
		let x = self.upload(&random_i8(d.mp * d.kp, 3), need)?;
		let y = self.upload(&random_i8(d.np * d.kp, 4), need)?;
		// SAFETY: the product below writes every element (beta = 0); it is never read.
		let mut z = unsafe { self.stream.alloc::<i32>(d.np * d.mp) }
			.map_err(|e| self.mem_err("allocation", need, e))?;
		let best = self.time(ops, iters, || {
			self.blas_tn(&x, &y, &mut z, &d, cublasGemmAlgo_t::CUBLAS_GEMM_DEFAULT_TENSOR_OP)
				.map_err(|e| self.blas_err("cublasGemmEx int8", need, e))
		})?;
		Ok((ours, best))
	}

	/// Device-resident fp32 GEMM throughput at `n × n × n`, in floating-point operations per
	/// second: `(ours, cublas)`. `ours` is the path [`Executor::gemm_f32`] takes minus the host
	/// transfers (result allocation and `cublasSgemm` on the swapped row-major operands);
	/// `cublas` is the faster of a bare `cublasSgemm` in the NN and the TN layout.
	pub fn gemm_f32_device_bench(&self, n: usize, iters: usize) -> Result<(f64, f64), ExecError> {
		check_dim("n", n)?;
		let _guard = self.enter()?;
		let s = Shape { m: n, n, k: n };
		let need = (4 * 4 * n * n) as u64;
		let a = self.upload(&random_f32(n * n, 5), need)?;
		let b = self.upload(&random_f32(n * n, 6), need)?;
		let ops = 2.0 * (n as f64).powi(3);
		let ours = self.time(ops, iters, || {
			// SAFETY: `sgemm_rm` writes every element (beta = 0); it is never read.
			let mut c = unsafe { self.stream.alloc::<f32>(n * n) }
				.map_err(|e| self.mem_err("allocation", need, e))?;
			self.sgemm_rm(s, &a, &b, &mut c, need)
		})?;
		// SAFETY: the products below write every element (beta = 0); it is never read.
		let mut c = unsafe { self.stream.alloc::<f32>(n * n) }
			.map_err(|e| self.mem_err("allocation", need, e))?;
		let mut best = 0.0f64;
		for transa in [cublasOperation_t::CUBLAS_OP_N, cublasOperation_t::CUBLAS_OP_T] {
			let nc = c_int(n)?;
			let cfg = GemmConfig {
				transa,
				transb: cublasOperation_t::CUBLAS_OP_N,
				m: nc,
				n: nc,
				k: nc,
				alpha: 1.0f32,
				lda: nc,
				ldb: nc,
				beta: 0.0f32,
				ldc: nc,
			};
			let rate = self.time(ops, iters, || {
				// SAFETY: all three matrices are n × n with leading dimension n, as configured.
				unsafe { self.blas.gemm(cfg, &a, &b, &mut c) }
					.map_err(|e| self.blas_err("cublasSgemm", need, e))
			})?;
			best = best.max(rate);
		}
		Ok((ours, best))
	}

	/// Lock the device for one job and make its context current on this thread.
	fn enter(&self) -> Result<MutexGuard<'_, ()>, ExecError> {
		let guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
		self.ctx.bind_to_thread().map_err(|e| dev("binding the CUDA context", e))?;
		Ok(guard)
	}

	fn sync(&self) -> Result<(), ExecError> {
		self.stream.synchronize().map_err(|e| dev("stream synchronize", e))
	}

	/// Rate of `f` (`ops` operations per call): two warm-up calls, then `iters` timed ones.
	fn time(
		&self,
		ops: f64,
		iters: usize,
		mut f: impl FnMut() -> Result<(), ExecError>,
	) -> Result<f64, ExecError> {
		f()?;
		f()?;
		self.sync()?;
		let start = Instant::now();
		for _ in 0..iters {
			f()?;
		}
		self.sync()?;
		let secs = start.elapsed().as_secs_f64().max(1e-9);
		Ok(ops * iters as f64 / secs)
	}

	/// A driver error of an allocation (or of a call that allocates): out of memory is
	/// `TooLarge`, anything else a device error.
	fn mem_err(&self, what: &str, need: u64, e: DriverError) -> ExecError {
		if e.0 == CUresult::CUDA_ERROR_OUT_OF_MEMORY {
			ExecError::TooLarge { need, have: self.memory_bytes }
		} else {
			dev(what, e)
		}
	}

	fn blas_err(&self, what: &str, need: u64, e: CublasError) -> ExecError {
		if e.0 == cublasStatus_t::CUBLAS_STATUS_ALLOC_FAILED {
			ExecError::TooLarge { need, have: self.memory_bytes }
		} else {
			dev(what, e)
		}
	}

	fn upload<T: DeviceRepr>(&self, host: &[T], need: u64) -> Result<CudaSlice<T>, ExecError> {
		self.stream.clone_htod(host).map_err(|e| self.mem_err("copy to the device", need, e))
	}

	fn download<T: DeviceRepr + Clone + Default>(
		&self,
		dev_buf: &CudaSlice<T>,
	) -> Result<Vec<T>, ExecError> {
		let host = self.stream.clone_dtoh(dev_buf).map_err(|e| dev("copy to the host", e))?;
		self.sync()?;
		Ok(host)
	}

	/// `src` (`rows × cols` int8) laid out as a zero-padded `prows × pcols` matrix, transposed
	/// first when `transpose` (then `prows ≥ cols` and `pcols ≥ rows`).
	#[allow(clippy::too_many_arguments)]
	fn pack(
		&self,
		src: &CudaSlice<i8>,
		rows: usize,
		cols: usize,
		transpose: bool,
		prows: usize,
		pcols: usize,
		need: u64,
	) -> Result<CudaSlice<i8>, ExecError> {
		let (rows_c, cols_c, prows_c, pcols_c) =
			(c_int(rows)?, c_int(cols)?, c_int(prows)?, c_int(pcols)?);
		let (func, cfg) = if transpose && pcols.is_multiple_of(4) {
			let grid = (blocks(prows, 64)?, blocks(pcols, 64)?, 1);
			(
				&self.kernels.pack_t4,
				LaunchConfig { grid_dim: grid, block_dim: (16, 16, 1), shared_mem_bytes: 0 },
			)
		} else if transpose {
			let grid = (blocks(prows, 32)?, blocks(pcols, 32)?, 1);
			(
				&self.kernels.pack_t,
				LaunchConfig { grid_dim: grid, block_dim: (32, 8, 1), shared_mem_bytes: 0 },
			)
		} else {
			let grid = (blocks(pcols, 32)?, blocks(prows, 8)?, 1);
			(
				&self.kernels.pack,
				LaunchConfig { grid_dim: grid, block_dim: (32, 8, 1), shared_mem_bytes: 0 },
			)
		};
		// SAFETY: the pack kernels write every element of the `prows × pcols` result.
		let mut dst = unsafe { self.stream.alloc::<i8>(prows * pcols) }
			.map_err(|e| self.mem_err("allocation", need, e))?;
		{
			let mut launch = self.stream.launch_builder(func);
			launch.arg(src).arg(&rows_c).arg(&cols_c).arg(&mut dst).arg(&prows_c).arg(&pcols_c);
			// SAFETY: the arguments match the kernel's signature (const signed char*, int, int,
			// signed char*, int, int); it reads `src` only below `rows × cols` (its length) and
			// writes `dst` only below `prows × pcols` (its length).
			unsafe { launch.launch(cfg) }.map_err(|e| self.mem_err("pack kernel", need, e))?;
		}
		Ok(dst)
	}

	/// `src` padded to `prows × pcols`, or `None` when it already has that shape.
	fn padded(
		&self,
		src: &CudaSlice<i8>,
		rows: usize,
		cols: usize,
		prows: usize,
		pcols: usize,
		need: u64,
	) -> Result<Option<CudaSlice<i8>>, ExecError> {
		if rows == prows && cols == pcols {
			return Ok(None);
		}
		self.pack(src, rows, cols, false, prows, pcols, need).map(Some)
	}

	/// `cublasGemmEx` TN: `z (np × mp) = y (np × kp) · x (mp × kp)ᵀ`, all row-major.
	fn blas_tn(
		&self,
		x: &CudaSlice<i8>,
		y: &CudaSlice<i8>,
		z: &mut CudaSlice<i32>,
		d: &Tn,
		algo: cublasGemmAlgo_t,
	) -> Result<(), CublasError> {
		let (alpha, beta) = (1i32, 0i32);
		let (xp, _x_record) = x.device_ptr(&self.stream);
		let (yp, _y_record) = y.device_ptr(&self.stream);
		let (zp, _z_record) = z.device_ptr_mut(&self.stream);
		// SAFETY: `x` holds mp × kp, `y` np × kp int8 and `z` np × mp int32 (checked by the
		// callers' allocations); in cuBLAS's column-major terms A = x is kp × mp (lda = kp) used
		// transposed, B = y is kp × np (ldb = kp), C = z is mp × np (ldc = mp). alpha and beta are
		// int32 host values, as CUBLAS_COMPUTE_32I takes; the handle runs on `self.stream`, the
		// stream the pointers were taken for.
		unsafe {
			cudarc::cublas::result::gemm_ex(
				*self.blas.handle(),
				cublasOperation_t::CUBLAS_OP_T,
				cublasOperation_t::CUBLAS_OP_N,
				d.mp_c,
				d.np_c,
				d.kp_c,
				(&alpha as *const i32).cast::<c_void>(),
				xp as *const c_void,
				cudaDataType_t::CUDA_R_8I,
				d.kp_c,
				yp as *const c_void,
				cudaDataType_t::CUDA_R_8I,
				d.kp_c,
				(&beta as *const i32).cast::<c_void>(),
				zp as *mut c_void,
				cudaDataType_t::CUDA_R_32I,
				d.mp_c,
				cublasComputeType_t::CUBLAS_COMPUTE_32I,
				algo,
			)
		}
	}

	/// The NVRTC kernel's TN product, same layout as [`Self::blas_tn`].
	fn kernel_tn(
		&self,
		x: &CudaSlice<i8>,
		y: &CudaSlice<i8>,
		z: &mut CudaSlice<i32>,
		d: &Tn,
		need: u64,
	) -> Result<(), ExecError> {
		let cfg = LaunchConfig {
			grid_dim: (blocks(d.mp, 16)?, blocks(d.np, 16)?, 1),
			block_dim: (16, 16, 1),
			shared_mem_bytes: 0,
		};
		let mut launch = self.stream.launch_builder(&self.kernels.gemm_tn);
		launch
			.arg(x)
			.arg(y)
			.arg(&mut *z)
			.arg(&d.mp_c)
			.arg(&d.np_c)
			.arg(&d.kp_c)
			.arg(&d.kp_c)
			.arg(&d.kp_c)
			.arg(&d.mp_c);
		// SAFETY: the arguments match the kernel's signature (const signed char*, const signed
		// char*, int*, then six ints); it reads x below mp × kp, y below np × kp and writes z
		// below np × mp, the three buffers' lengths.
		unsafe { launch.launch(cfg) }.map_err(|e| self.mem_err("int8 product kernel", need, e))?;
		Ok(())
	}

	/// The TN product of packed operands into a new `np × mp` int32 buffer.
	fn tn_device(
		&self,
		x: &CudaSlice<i8>,
		y: &CudaSlice<i8>,
		d: &Tn,
		path: Path,
		need: u64,
	) -> Result<CudaSlice<i32>, ExecError> {
		// SAFETY: every element is written by the product below (cuBLAS with beta = 0, or the
		// kernel, whose grid covers the whole padded result) before anything reads it.
		let mut z = unsafe { self.stream.alloc::<i32>(d.np * d.mp) }
			.map_err(|e| self.mem_err("allocation", need, e))?;
		let use_blas = match path {
			Path::Auto => self.cublas_i8.load(Ordering::Relaxed),
			Path::Kernel => false,
			Path::Blas => true,
		};
		if use_blas {
			match self.blas_tn(x, y, &mut z, d, cublasGemmAlgo_t::CUBLAS_GEMM_DEFAULT) {
				Ok(()) => return Ok(z),
				Err(e)
					if matches!(
						e.0,
						cublasStatus_t::CUBLAS_STATUS_NOT_SUPPORTED
							| cublasStatus_t::CUBLAS_STATUS_INVALID_VALUE
							| cublasStatus_t::CUBLAS_STATUS_ARCH_MISMATCH
					) =>
				{
					let (mp, np, kp) = (d.mp, d.np, d.kp);
					tracing::debug!(error = %e, mp, np, kp, "cuBLAS refused: int8 on the kernel");
				},
				Err(e) => return Err(self.blas_err("cublasGemmEx int8", need, e)),
			}
		}
		self.kernel_tn(x, y, &mut z, d, need)?;
		Ok(z)
	}

	/// The int8 product of device-resident row-major `a` (`m × k`) and `b` (`k × n`): an
	/// `np × mp` buffer whose top-left `m × n` is `C` (`mp`, `np` of `d = Tn::new(n, m, k)`).
	fn gemm_i8_device(
		&self,
		s: Shape,
		a: &CudaSlice<i8>,
		b: &CudaSlice<i8>,
		d: &Tn,
		path: Path,
		need: u64,
	) -> Result<CudaSlice<i32>, ExecError> {
		let x = self.pack(b, s.k, s.n, true, d.mp, d.kp, need)?;
		let y_padded = self.padded(a, s.m, s.k, d.np, d.kp, need)?;
		let y = y_padded.as_ref().unwrap_or(a);
		self.tn_device(&x, y, d, path, need)
	}

	fn gemm_i8_with(
		&self,
		s: Shape,
		a: &[i8],
		b: &[i8],
		path: Path,
	) -> Result<Vec<i32>, ExecError> {
		check_gemm(s, a.len(), b.len())?;
		let d = Tn::new(s.n, s.m, s.k)?;
		let need = (a.len() + b.len()) as u64 + d.bytes();
		let a_dev = self.upload(a, need)?;
		let b_dev = self.upload(b, need)?;
		let z = self.gemm_i8_device(s, &a_dev, &b_dev, &d, path, need)?;
		drop((a_dev, b_dev));
		Ok(strip(self.download(&z)?, d.mp, s.m, s.n))
	}

	/// Row-major fp32 `c = a · b` with `cublasSgemm`: column-major `cᵀ = bᵀ · aᵀ`.
	fn sgemm_rm(
		&self,
		s: Shape,
		a: &CudaSlice<f32>,
		b: &CudaSlice<f32>,
		c: &mut CudaSlice<f32>,
		need: u64,
	) -> Result<(), ExecError> {
		let (m, n, k) = (c_int(s.m)?, c_int(s.n)?, c_int(s.k)?);
		let cfg = GemmConfig {
			transa: cublasOperation_t::CUBLAS_OP_N,
			transb: cublasOperation_t::CUBLAS_OP_N,
			m: n,
			n: m,
			k,
			alpha: 1.0f32,
			lda: n,
			ldb: k,
			beta: 0.0f32,
			ldc: n,
		};
		// SAFETY: column-major, `b` is n × k (lda = n), `a` is k × m (ldb = k) and `c` is n × m
		// (ldc = n): exactly the lengths of the row-major k × n, m × k and m × n buffers.
		unsafe { self.blas.gemm(cfg, b, a, c) }.map_err(|e| self.blas_err("cublasSgemm", need, e))
	}

	fn gemm_f32_with(&self, s: Shape, a: &[f32], b: &[f32]) -> Result<Vec<f32>, ExecError> {
		check_gemm(s, a.len(), b.len())?;
		let need = ((a.len() + b.len() + s.m * s.n) * 4) as u64;
		let a_dev = self.upload(a, need)?;
		let b_dev = self.upload(b, need)?;
		// SAFETY: cuBLAS writes every element (beta = 0) before it is read.
		let mut c_dev = unsafe { self.stream.alloc::<f32>(s.m * s.n) }
			.map_err(|e| self.mem_err("allocation", need, e))?;
		self.sgemm_rm(s, &a_dev, &b_dev, &mut c_dev, need)?;
		self.download(&c_dev)
	}

	fn mlp_layer_with(
		&self,
		layer: &Layer,
		input: &[i8],
		batch: usize,
		relu: bool,
		path: Path,
	) -> Result<Vec<i8>, ExecError> {
		check_layer(layer, input.len(), batch)?;
		let (inputs, outputs) = (layer.inputs, layer.outputs);
		let d = Tn::new(outputs, batch, inputs)?;
		let need =
			(layer.weights.len() + input.len() + outputs * 4 + batch * outputs) as u64 + d.bytes();
		let w_dev = self.upload(&layer.weights, need)?;
		let x_dev = self.upload(input, need)?;
		let bias_dev = self.upload(&layer.bias, need)?;
		let w_padded = self.padded(&w_dev, outputs, inputs, d.mp, d.kp, need)?;
		let x_padded = self.padded(&x_dev, batch, inputs, d.np, d.kp, need)?;
		let acc = self.tn_device(
			w_padded.as_ref().unwrap_or(&w_dev),
			x_padded.as_ref().unwrap_or(&x_dev),
			&d,
			path,
			need,
		)?;
		drop((w_padded, x_padded));
		let total = batch * outputs;
		// SAFETY: the epilogue kernel writes every one of the `batch × outputs` elements.
		let mut out = unsafe { self.stream.alloc::<i8>(total) }
			.map_err(|e| self.mem_err("allocation", need, e))?;
		let (ld, batch_c, outputs_c) = (d.mp_c, c_int(batch)?, c_int(outputs)?);
		let relu_c = i32::from(relu);
		let cfg = LaunchConfig {
			grid_dim: (blocks(total, EPILOGUE_THREADS as usize)?, 1, 1),
			block_dim: (EPILOGUE_THREADS, 1, 1),
			shared_mem_bytes: 0,
		};
		{
			let mut launch = self.stream.launch_builder(&self.kernels.requant);
			launch
				.arg(&acc)
				.arg(&ld)
				.arg(&bias_dev)
				.arg(&mut out)
				.arg(&batch_c)
				.arg(&outputs_c)
				.arg(&layer.shift)
				.arg(&relu_c);
			// SAFETY: the arguments match the kernel's signature (const int*, int, const int*,
			// signed char*, int, int, unsigned int, int); it reads acc below batch × ld (np × mp
			// allocated, batch ≤ np, outputs ≤ mp = ld), bias below outputs, and writes out below
			// batch × outputs, its length.
			unsafe { launch.launch(cfg) }.map_err(|e| self.mem_err("epilogue kernel", need, e))?;
		}
		self.download(&out)
	}

	fn dot_scores_with(
		&self,
		table: &[i8],
		queries: &[i8],
		rows: usize,
		dim: usize,
		nqueries: usize,
		path: Path,
	) -> Result<Vec<i32>, ExecError> {
		check_scores(table.len(), queries.len(), rows, dim, nqueries)?;
		let d = Tn::new(rows, nqueries, dim)?;
		let need = (table.len() + queries.len()) as u64 + d.bytes();
		let t_dev = self.upload(table, need)?;
		let q_dev = self.upload(queries, need)?;
		let t_padded = self.padded(&t_dev, rows, dim, d.mp, d.kp, need)?;
		let q_padded = self.padded(&q_dev, nqueries, dim, d.np, d.kp, need)?;
		let z = self.tn_device(
			t_padded.as_ref().unwrap_or(&t_dev),
			q_padded.as_ref().unwrap_or(&q_dev),
			&d,
			path,
			need,
		)?;
		drop((t_padded, q_padded, t_dev, q_dev));
		Ok(strip(self.download(&z)?, d.mp, nqueries, rows))
	}

	/// Check every path against the host on small shapes, including the extreme sums (±2^30).
	/// `Err` when the kernels or the fp32 path are wrong; `Ok(false)` when only cuBLAS's int8
	/// product is wrong or fails (then the kernel computes every int8 product). A shape cuBLAS
	/// refuses runs on the kernel here as in a job, and is not held against it.
	fn self_test(&self) -> Result<bool, ExecError> {
		let wrong =
			|what: &str| ExecError::Device(format!("self-test: {what} disagrees with the host"));
		let mut blas_ok = true;
		let cases: [(usize, usize, usize, i8, i8); 5] = [
			(5, 3, 7, 0, 0),
			(33, 17, 100, 0, 0),
			(64, 64, 64, 0, 0),
			(4, 4, 1 << 16, i8::MIN, i8::MIN),
			(3, 5, 1 << 16, i8::MIN, i8::MAX),
		];
		for (seed, (m, n, k, fill_a, fill_b)) in (1u64..).zip(cases) {
			let s = Shape { m, n, k };
			let (a, b) = if fill_a == 0 {
				(random_i8(m * k, seed), random_i8(k * n, seed + 100))
			} else {
				(vec![fill_a; m * k], vec![fill_b; k * n])
			};
			let want = host_gemm_i8(s, &a, &b);
			if self.gemm_i8_with(s, &a, &b, Path::Kernel)? != want {
				return Err(wrong(&format!("the int8 kernel at {m}×{n}×{k}")));
			}
			if blas_ok {
				match self.gemm_i8_with(s, &a, &b, Path::Blas) {
					Ok(got) if got == want => {},
					Ok(_) => {
						tracing::warn!(m, n, k, "cuBLAS int8 is inexact: using the NVRTC kernel");
						blas_ok = false;
					},
					Err(e) => {
						tracing::warn!(error = %e, m, n, k, "cuBLAS int8 failed: NVRTC kernel");
						blas_ok = false;
					},
				}
			}
		}
		// fp32: small integers, exact in any summation order.
		let s = Shape { m: 3, n: 5, k: 7 };
		let a: Vec<f32> = (0..21).map(|v| (v % 5) as f32 - 2.0).collect();
		let b: Vec<f32> = (0..35).map(|v| (v % 7) as f32 - 3.0).collect();
		let ai: Vec<i8> = a.iter().map(|v| *v as i8).collect();
		let bi: Vec<i8> = b.iter().map(|v| *v as i8).collect();
		let want: Vec<f32> = host_gemm_i8(s, &ai, &bi).iter().map(|v| *v as f32).collect();
		if self.gemm_f32_with(s, &a, &b)? != want {
			return Err(wrong("cublasSgemm"));
		}
		// The epilogue: biases at the clamps, every shift regime, both ReLU settings.
		let (inputs, outputs, batch) = (37, 9, 6);
		let weights = random_i8(inputs * outputs, 7);
		let input = random_i8(inputs * batch, 8);
		let bias = vec![i32::MIN, i32::MAX, -(1 << 30), 1 << 30, 0, -1, 12345, -54321, 7];
		for (shift, relu) in [(0, false), (7, true), (31, false), (40, true)] {
			let layer =
				Layer { inputs, outputs, weights: weights.clone(), bias: bias.clone(), shift };
			let mut want = Vec::with_capacity(batch * outputs);
			for x in input.chunks_exact(inputs) {
				for (w, b) in weights.chunks_exact(inputs).zip(&bias) {
					let dot: i64 =
						w.iter().zip(x).map(|(w, x)| i64::from(*w) * i64::from(*x)).sum();
					want.push(requantize(i64::from(*b) + dot, shift, relu));
				}
			}
			let path = if blas_ok { Path::Blas } else { Path::Kernel };
			if self.mlp_layer_with(&layer, &input, batch, relu, path)? != want {
				return Err(wrong(&format!("the MLP epilogue (shift {shift}, relu {relu})")));
			}
		}
		// Scores: the product without a transpose.
		let (rows, dim, nq) = (19, 21, 3);
		let table = random_i8(rows * dim, 9);
		let queries = random_i8(nq * dim, 10);
		let table_rows: &[i8] = &table;
		let want: Vec<i32> = queries
			.chunks_exact(dim)
			.flat_map(move |q| {
				table_rows.chunks_exact(dim).map(move |t| {
					t.iter().zip(q).map(|(t, q)| i32::from(*t) * i32::from(*q)).sum::<i32>()
				})
			})
			.collect();
		for path in [Path::Kernel, if blas_ok { Path::Blas } else { Path::Kernel }] {
			if self.dot_scores_with(&table, &queries, rows, dim, nq, path)? != want {
				return Err(wrong("the search scores"));
			}
		}
		Ok(blas_ok)
	}
}

impl Executor for CudaExecutor {
	fn backend(&self) -> &'static str {
		"cuda"
	}

	fn device(&self) -> DeviceInfo {
		DeviceInfo {
			model: self.model.clone(),
			memory_bytes: self.memory_bytes,
			devices: self.devices,
		}
	}

	fn gemm_i8(&self, shape: Shape, a: &[i8], b: &[i8]) -> Result<Vec<i32>, ExecError> {
		check_gemm(shape, a.len(), b.len())?;
		let _guard = self.enter()?;
		self.gemm_i8_with(shape, a, b, Path::Auto)
	}

	fn gemm_f32(&self, shape: Shape, a: &[f32], b: &[f32]) -> Result<Vec<f32>, ExecError> {
		check_gemm(shape, a.len(), b.len())?;
		let _guard = self.enter()?;
		self.gemm_f32_with(shape, a, b)
	}

	fn mlp_layer(
		&self,
		layer: &Layer,
		input: &[i8],
		batch: usize,
		relu: bool,
	) -> Result<Vec<i8>, ExecError> {
		check_layer(layer, input.len(), batch)?;
		let _guard = self.enter()?;
		self.mlp_layer_with(layer, input, batch, relu, Path::Auto)
	}

	fn dot_scores(
		&self,
		table: &[i8],
		queries: &[i8],
		rows: usize,
		dim: usize,
		nqueries: usize,
	) -> Result<Vec<i32>, ExecError> {
		check_scores(table.len(), queries.len(), rows, dim, nqueries)?;
		let _guard = self.enter()?;
		self.dot_scores_with(table, queries, rows, dim, nqueries, Path::Auto)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn strip_keeps_the_top_left_block() {
		let z: Vec<i32> = (0..12).collect();
		assert_eq!(strip(z.clone(), 4, 2, 3), vec![0, 1, 2, 4, 5, 6]);
		assert_eq!(strip(z, 4, 3, 4).len(), 12);
	}

	#[test]
	fn tn_pads_rows_to_four_and_depth_to_sixteen() {
		let d = Tn::new(3, 5, 7).ok();
		let d = d.as_ref().map(|d| (d.mp, d.np, d.kp, d.mp_c, d.np_c, d.kp_c));
		assert_eq!(d, Some((4, 8, 16, 4, 8, 16)));
	}

	#[test]
	fn host_reference_multiplies() {
		let s = Shape { m: 2, n: 2, k: 2 };
		assert_eq!(host_gemm_i8(s, &[1, 2, 3, 4], &[5, 6, 7, 8]), vec![19, 22, 43, 50]);
	}

	#[test]
	fn probe_never_panics() {
		// On a machine without CUDA this is Ok(None); with CUDA, whatever it is, it returns.
		let _ = CudaExecutor::probe();
	}
}
