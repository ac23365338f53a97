#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]
//! The CUDA backend against the pinned test vectors, the CPU backend and exact references.
//!
//! Without CUDA (a missing driver, cuBLAS or NVRTC library, or no device) every test prints
//! `skipped: no CUDA device` and passes, unless `AIRTIME_REQUIRE_GPU=1`, which makes them fail
//! instead (`scripts/gpu-check.sh` sets it). Timings go to stderr; run with `--test-threads=1`
//! (and `--nocapture` to see them) for meaningful numbers.

use airtime_worker::{
	exec::{
		self, cpu::CpuExecutor, cuda::CudaExecutor, requantize, ExecError, Executor,
		FloatGemmParams, FloatInput, GemmParams, JobParams, Shape,
	},
	fixtures, freivalds,
	mlp::Layer,
};
use rand::{rngs::StdRng, Rng, RngCore, SeedableRng};
use std::{sync::OnceLock, time::Instant};

fn required() -> bool {
	std::env::var("AIRTIME_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

fn gpu() -> Option<&'static CudaExecutor> {
	static GPU: OnceLock<Option<CudaExecutor>> = OnceLock::new();
	GPU.get_or_init(|| {
		let started = Instant::now();
		match CudaExecutor::probe() {
			Ok(Some(gpu)) => {
				let info = gpu.device();
				eprintln!(
					"CUDA: {} ({} of {} bytes usable), kernels {}, int8 on {}, opened in {:?}",
					info.model,
					info.memory_bytes,
					gpu.total_memory(),
					gpu.kernel_build(),
					if gpu.uses_cublas_int8() { "cuBLAS" } else { "the NVRTC kernel" },
					started.elapsed()
				);
				Some(gpu)
			},
			Ok(None) => None,
			Err(e) => {
				assert!(!required(), "AIRTIME_REQUIRE_GPU=1 but CUDA is unusable: {e}");
				eprintln!("CUDA present but unusable: {e}");
				None
			},
		}
	})
	.as_ref()
}

/// The executor, or `None` after printing the skip line (a failure when a GPU is required).
fn gpu_or_skip() -> Option<&'static CudaExecutor> {
	let gpu = gpu();
	if gpu.is_none() {
		assert!(
			!required(),
			"AIRTIME_REQUIRE_GPU=1 but there is no CUDA device (or the CUDA driver, cuBLAS or \
			 NVRTC library does not load: see LD_LIBRARY_PATH)"
		);
		eprintln!("skipped: no CUDA device");
	}
	gpu
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
	let mut v = vec![0u8; len];
	StdRng::seed_from_u64(seed).fill_bytes(&mut v);
	v
}

fn random_i8(len: usize, seed: u64) -> Vec<i8> {
	random_bytes(len, seed).into_iter().map(|b| b as i8).collect()
}

fn naive_gemm(s: Shape, a: &[i8], b: &[i8]) -> Vec<i32> {
	let mut c = vec![0i32; s.m * s.n];
	for i in 0..s.m {
		for t in 0..s.k {
			for j in 0..s.n {
				c[i * s.n + j] += i32::from(a[i * s.k + t]) * i32::from(b[t * s.n + j]);
			}
		}
	}
	c
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
	bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// fp32 outputs agree element-wise within `(1e-4 + k·2^-24) · (1 + |cpu|)`.
fn assert_close(name: &str, gpu: &[u8], cpu: &[u8], k: usize) {
	assert_eq!(gpu.len(), cpu.len(), "{name}: output lengths differ");
	let slack = 1e-4 + k as f64 / 16_777_216.0;
	for (i, (g, c)) in f32s(gpu).into_iter().zip(f32s(cpu)).enumerate() {
		if g == c || (g.is_nan() && c.is_nan()) {
			continue;
		}
		let (g, c) = (f64::from(g), f64::from(c));
		assert!(
			(g - c).abs() <= slack * (1.0 + c.abs()),
			"{name}: element {i} is {g} on the GPU and {c} on the CPU"
		);
	}
}

/// A random int8 GEMM through `run_job` on the GPU and the CPU: same bytes, same hash.
fn gemm_matches_cpu(gpu: &CudaExecutor, m: u32, n: u32, k: u32, seed: u64) {
	let params = JobParams::GemmInt8(GemmParams { m, n, k });
	let (mu, nu, ku) = (m as usize, n as usize, k as usize);
	let inputs = vec![random_bytes(mu * ku, seed), random_bytes(ku * nu, seed + 1)];
	let started = Instant::now();
	let on_gpu = exec::run_job(gpu, &params, &inputs).expect("the GPU runs the GEMM");
	let gpu_time = started.elapsed();
	let started = Instant::now();
	let on_cpu = exec::run_job(&CpuExecutor::new(), &params, &inputs).expect("the CPU runs it");
	let cpu_time = started.elapsed();
	assert!(on_gpu.bytes == on_cpu.bytes, "gemm_i8 {m}×{n}×{k}: GPU and CPU bytes differ");
	assert_eq!(on_gpu.hash, on_cpu.hash);
	assert_eq!(on_gpu.units, on_cpu.units);
	eprintln!("gemm_i8 {m}×{n}×{k}: GPU {gpu_time:?} (with copies), CPU {cpu_time:?}");
}

#[test]
fn vectors_match_the_pins_and_the_cpu() {
	let Some(gpu) = gpu_or_skip() else { return };
	let cpu = CpuExecutor::new();
	let pinned = fixtures::pinned().expect("the pinned test vectors load");
	let vectors = fixtures::vectors();
	assert!(!vectors.is_empty(), "no test vectors");
	let mut rng = StdRng::seed_from_u64(0x00a1_4714);
	for v in &vectors {
		let started = Instant::now();
		let out =
			exec::run_job(gpu, &v.params, &v.inputs).unwrap_or_else(|e| panic!("{}: {e}", v.name));
		let gpu_time = started.elapsed();
		let on_cpu = exec::run_job(&cpu, &v.params, &v.inputs)
			.unwrap_or_else(|e| panic!("{} on the CPU: {e}", v.name));
		if v.params.kind().is_bit_exact() {
			let pin = pinned
				.iter()
				.find(|p| p.name == v.name)
				.unwrap_or_else(|| panic!("{}: not in the pinned vectors file", v.name));
			assert_eq!(
				format!("0x{}", hex::encode(out.hash.0)),
				pin.hash,
				"{}: the GPU's output hash is not the pinned one",
				v.name
			);
			assert!(out.bytes == on_cpu.bytes, "{}: GPU and CPU bytes differ", v.name);
			assert!(
				out.bytes == fixtures::reference(v),
				"{}: the GPU's bytes differ from the reference",
				v.name
			);
		} else {
			let k = match v.params {
				JobParams::GemmF32(p) => p.shape.k as usize,
				other => panic!("{}: {other:?} is not bit-exact but not GemmF32", v.name),
			};
			assert!(
				matches!(
					freivalds::check_claim(
						&v.params,
						&v.inputs,
						&out.bytes,
						freivalds::DEFAULT_ROUNDS,
						&mut rng
					),
					Ok(true)
				),
				"{}: Freivalds' check rejects the GPU's fp32 product",
				v.name
			);
			assert_close(v.name, &out.bytes, &on_cpu.bytes, k);
		}
		eprintln!("{}: {:?} on the GPU (with copies)", v.name, gpu_time);
	}
}

#[test]
fn large_random_int8_gemm_matches_the_cpu() {
	let Some(gpu) = gpu_or_skip() else { return };
	gemm_matches_cpu(gpu, 1000, 1500, 2000, 11);
	gemm_matches_cpu(gpu, 333, 517, 1001, 13);
}

#[test]
fn odd_shapes_are_exact() {
	let Some(gpu) = gpu_or_skip() else { return };
	let started = Instant::now();
	for (seed, (m, n, k)) in
		(100u64..).zip([(3, 5, 7), (1, 1, 1), (1, 17, 33), (65, 3, 1), (7, 129, 15), (2, 2, 257)])
	{
		let s = Shape { m, n, k };
		let (a, b) = (random_i8(m * k, seed), random_i8(k * n, seed + 1000));
		let got = gpu.gemm_i8(s, &a, &b).expect("gemm_i8");
		assert_eq!(got, naive_gemm(s, &a, &b), "gemm_i8 {m}×{n}×{k}");
	}
	gemm_matches_cpu(gpu, 3, 5, 7, 17);
	// Search scores: S = Q · Tᵀ at shapes that need padding on every side.
	for (seed, (rows, dim, queries)) in (200u64..).zip([(1, 1, 1), (19, 21, 3), (1001, 77, 13)]) {
		let table = random_i8(rows * dim, seed);
		let q = random_i8(queries * dim, seed + 1000);
		let got = gpu.dot_scores(&table, &q, rows, dim, queries).expect("dot_scores");
		let want: Vec<i32> = q
			.chunks_exact(dim)
			.flat_map(|q| {
				table.chunks_exact(dim).map(move |t| {
					t.iter().zip(q).map(|(t, q)| i32::from(*t) * i32::from(*q)).sum::<i32>()
				})
			})
			.collect();
		assert_eq!(got, want, "dot_scores rows {rows}, dim {dim}, queries {queries}");
	}
	eprintln!("odd shapes: {:?}", started.elapsed());
}

#[test]
fn extreme_sums_are_exact() {
	let Some(gpu) = gpu_or_skip() else { return };
	let started = Instant::now();
	let k = 1usize << 16;
	let s = Shape { m: 3, n: 5, k };
	let min = gpu.gemm_i8(s, &vec![i8::MIN; 3 * k], &vec![i8::MIN; k * 5]).expect("gemm_i8");
	assert_eq!(min, vec![1i32 << 30; 15]);
	let mixed = gpu.gemm_i8(s, &vec![i8::MIN; 3 * k], &vec![i8::MAX; k * 5]).expect("gemm_i8");
	assert_eq!(mixed, vec![-128 * 127 * (1i32 << 16); 15]);
	eprintln!("extreme sums (k = 2^16): {:?}", started.elapsed());
}

#[test]
fn mlp_layer_is_requantize_exactly() {
	let Some(gpu) = gpu_or_skip() else { return };
	let cpu = CpuExecutor::new();
	let started = Instant::now();
	let mut rng = StdRng::seed_from_u64(21);
	for (inputs, outputs, batch) in [(53, 37, 5), (1, 1, 1), (256, 64, 32), (1000, 3, 2)] {
		let weights = random_i8(inputs * outputs, rng.gen());
		let input = random_i8(inputs * batch, rng.gen());
		let extremes = [i32::MIN, i32::MAX, -(1 << 30), 1 << 30, 0, -1];
		let bias: Vec<i32> = (0..outputs)
			.map(|o| extremes.get(o).copied().unwrap_or_else(|| rng.gen_range(-(1 << 20)..1 << 20)))
			.collect();
		for (shift, relu) in [(0, false), (5, true), (12, false), (31, true), (31, false)] {
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
			let got = gpu.mlp_layer(&layer, &input, batch, relu).expect("mlp_layer");
			assert_eq!(got, want, "layer {inputs}→{outputs}, batch {batch}, shift {shift}");
			let on_cpu = cpu.mlp_layer(&layer, &input, batch, relu).expect("CPU mlp_layer");
			assert_eq!(got, on_cpu, "GPU and CPU, layer {inputs}→{outputs}, shift {shift}");
		}
	}
	eprintln!("MLP layers: {:?}", started.elapsed());
}

#[test]
fn fp32_gemm_passes_freivalds_and_matches_the_cpu() {
	let Some(gpu) = gpu_or_skip() else { return };
	let mut rng = StdRng::seed_from_u64(31);
	for (m, n, k) in [(129u32, 257u32, 511u32), (1, 1, 1), (64, 64, 4096)] {
		let params = JobParams::GemmF32(FloatGemmParams {
			shape: GemmParams { m, n, k },
			input: FloatInput::F32,
		});
		let floats = |len: u32, rng: &mut StdRng| -> Vec<u8> {
			(0..len).flat_map(|_| rng.gen_range(-1.0f32..1.0).to_le_bytes()).collect()
		};
		let inputs = vec![floats(m * k, &mut rng), floats(k * n, &mut rng)];
		let started = Instant::now();
		let out = exec::run_job(gpu, &params, &inputs).expect("the GPU runs the fp32 GEMM");
		let gpu_time = started.elapsed();
		let on_cpu = exec::run_job(&CpuExecutor::new(), &params, &inputs).expect("the CPU runs it");
		assert!(
			matches!(
				freivalds::check_claim(
					&params,
					&inputs,
					&out.bytes,
					freivalds::DEFAULT_ROUNDS,
					&mut rng
				),
				Ok(true)
			),
			"gemm_f32 {m}×{n}×{k}: Freivalds' check rejects the GPU's product (TF32?)"
		);
		assert_close(&format!("gemm_f32 {m}×{n}×{k}"), &out.bytes, &on_cpu.bytes, k as usize);
		eprintln!("gemm_f32 {m}×{n}×{k}: GPU {gpu_time:?} (with copies)");
	}
}

#[test]
fn an_allocation_beyond_the_device_is_too_large_and_the_device_still_works() {
	let Some(gpu) = gpu_or_skip() else { return };
	let started = Instant::now();
	let info = gpu.device();
	assert_eq!(gpu.backend(), "cuda");
	assert!(!info.model.is_empty());
	assert!(info.memory_bytes > 0 && info.memory_bytes < gpu.total_memory());
	let err = gpu
		.try_reserve(gpu.total_memory() + (4 << 30))
		.expect_err("an allocation beyond the device's memory fails");
	assert!(matches!(err, ExecError::TooLarge { .. }), "expected TooLarge, got {err}");
	let c = gpu
		.gemm_i8(Shape { m: 2, n: 2, k: 2 }, &[1, 2, 3, 4], &[5, 6, 7, 8])
		.expect("the executor works after an allocation failure");
	assert_eq!(c, vec![19, 22, 43, 50]);
	gpu.try_reserve(1 << 20).expect("a small allocation succeeds");
	eprintln!("allocation failure and recovery: {:?}", started.elapsed());
}

#[test]
fn wrong_lengths_are_refused_before_the_device() {
	let Some(gpu) = gpu_or_skip() else { return };
	let bad = |r: Result<Vec<i32>, ExecError>| matches!(r, Err(ExecError::BadShape(_)));
	assert!(bad(gpu.gemm_i8(Shape { m: 2, n: 2, k: 2 }, &[1, 2, 3], &[1, 2, 3, 4])));
	assert!(bad(gpu.gemm_i8(Shape { m: 0, n: 2, k: 2 }, &[], &[1, 2, 3, 4])));
	assert!(bad(gpu.dot_scores(&[1, 2, 3], &[1, 2], 2, 2, 1)));
	let layer = Layer { inputs: 2, outputs: 2, weights: vec![1; 4], bias: vec![0], shift: 0 };
	assert!(matches!(gpu.mlp_layer(&layer, &[1, 2], 1, false), Err(ExecError::BadShape(_))));
	let f = gpu.gemm_f32(Shape { m: 1, n: 1, k: 2 }, &[1.0], &[1.0, 2.0]);
	assert!(matches!(f, Err(ExecError::BadShape(_))));
}
