#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! GPU throughput of the CUDA backend, against the device's own cuBLAS.
//!
//! For each `n` in 1024, 2048, 4096, 8192, one markdown table row:
//!
//! - **int8 ours**: the device-resident path of `gemm_i8` (the layout kernels, then cuBLAS
//!   `GemmEx` TN or the fallback kernel), without host copies;
//! - **int8 cuBLAS best**: a bare `cublasGemmEx` on operands already in the TN layout
//!   (`CUBLAS_GEMM_DEFAULT_TENSOR_OP`), and ours as a fraction of it;
//! - **f32 ours / cuBLAS**: `cublasSgemm` as `gemm_f32` calls it, against the faster of a bare
//!   NN and TN `cublasSgemm` (true fp32: no TF32);
//! - **int8 end-to-end**: `Executor::gemm_i8` from host slices to a host vector (copies included).
//!
//! Operations count `2·n³` per product. Then a criterion group times the end-to-end `gemm_i8` at
//! `n = 2048`. Without a CUDA device it prints `no CUDA device: skipped` and exits 0.
//!
//! `cargo bench -p airtime-worker --bench gpu` (or the prebuilt binary with `--bench`).

use airtime_worker::exec::{cuda::CudaExecutor, Executor, Shape};
use criterion::{Criterion, Throughput};
use rand::{rngs::StdRng, RngCore, SeedableRng};
use std::{hint::black_box, time::Instant};

/// `(n, int8 iterations, fp32 iterations, end-to-end iterations)`: about a second per row.
const SIZES: [(usize, usize, usize, usize); 4] =
	[(1024, 200, 50, 10), (2048, 100, 20, 5), (4096, 40, 8, 3), (8192, 20, 4, 2)];

fn random_i8(len: usize, seed: u64) -> Vec<i8> {
	let mut v = vec![0u8; len];
	StdRng::seed_from_u64(seed).fill_bytes(&mut v);
	v.into_iter().map(|b| b as i8).collect()
}

/// End-to-end int8 GEMM rate (operations per second) through the `Executor` trait.
fn end_to_end(gpu: &CudaExecutor, n: usize, iters: usize) -> f64 {
	let shape = Shape { m: n, n, k: n };
	let (a, b) = (random_i8(n * n, 1), random_i8(n * n, 2));
	black_box(gpu.gemm_i8(shape, &a, &b).expect("gemm_i8"));
	let started = Instant::now();
	for _ in 0..iters {
		black_box(gpu.gemm_i8(shape, &a, &b).expect("gemm_i8"));
	}
	2.0 * (n as f64).powi(3) * iters as f64 / started.elapsed().as_secs_f64()
}

fn main() {
	let gpu = match CudaExecutor::probe() {
		Ok(Some(gpu)) => gpu,
		Ok(None) => {
			println!("no CUDA device: skipped");
			return;
		},
		Err(e) => {
			println!("no CUDA device: skipped (CUDA is present but unusable: {e})");
			return;
		},
	};
	let info = gpu.device();
	println!(
		"device: {} ({} of {} bytes usable), kernels {}, int8 on {}",
		info.model,
		info.memory_bytes,
		gpu.total_memory(),
		gpu.kernel_build(),
		if gpu.uses_cublas_int8() {
			"cuBLAS"
		} else {
			"the NVRTC kernel (cuBLAS failed its self-test)"
		}
	);
	println!();
	println!(
		"| n | int8 ours TOPS | int8 cuBLAS best TOPS | fraction | f32 ours TFLOP/s | \
		 f32 cuBLAS TFLOP/s | fraction | int8 end-to-end (with copies) TOPS |"
	);
	println!("|---|---|---|---|---|---|---|---|");
	for (n, i8_iters, f32_iters, e2e_iters) in SIZES {
		let (i8_ours, i8_best) = gpu.gemm_i8_device_bench(n, i8_iters).expect("int8 bench");
		let (f32_ours, f32_best) = gpu.gemm_f32_device_bench(n, f32_iters).expect("fp32 bench");
		let e2e = end_to_end(&gpu, n, e2e_iters);
		println!(
			"| {n} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} | {:.2} | {:.1} |",
			i8_ours / 1e12,
			i8_best / 1e12,
			i8_ours / i8_best,
			f32_ours / 1e12,
			f32_best / 1e12,
			f32_ours / f32_best,
			e2e / 1e12
		);
	}
	println!();

	let mut c = Criterion::default().configure_from_args();
	let n = 2048usize;
	let shape = Shape { m: n, n, k: n };
	let (a, b) = (random_i8(n * n, 3), random_i8(n * n, 4));
	let mut group = c.benchmark_group("gpu");
	group.sample_size(10);
	group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
	group.bench_function("gemm_i8 end-to-end n=2048", |bench| {
		bench.iter(|| black_box(gpu.gemm_i8(shape, &a, &b).expect("gemm_i8")))
	});
	group.finish();
	c.final_summary();
}
