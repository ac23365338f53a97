//! Benchmarks of the CPU executor and of Freivalds' check against a full recomputation.
//!
//! Throughput is `Elements(2·n³)`: criterion's elements per second read as operations per second,
//! counting a multiply-accumulate as 2 operations (so for int8 "FLOP/s" means 2 integer ops per
//! MAC). `freivalds_vs_full` reports the same count for both, so the check's rate is the
//! effective rate at which it certifies products.
//!
//! `AIRTIME_BENCH_MAX_FULL_N` (default 4096) skips `full_recompute_i8` above that size; the
//! check then runs on a product known without computing it (`B` a signed permutation).
#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use airtime_worker::{
	exec::{as_i8, cpu::CpuExecutor, floats, Executor, FloatInput, Shape},
	fixtures, freivalds,
};
use criterion::{
	criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use rand::{rngs::StdRng, SeedableRng};
use std::{hint::black_box, time::Duration};

/// `2·n³`: operations of an `n × n × n` product.
fn ops(n: usize) -> Throughput {
	Throughput::Elements(2 * (n as u64).pow(3))
}

fn cpu_gemm_i8(c: &mut Criterion) {
	let cpu = CpuExecutor::new();
	let mut group = c.benchmark_group("cpu_gemm_i8");
	group
		.sample_size(10)
		.warm_up_time(Duration::from_secs(1))
		.measurement_time(Duration::from_secs(3))
		.sampling_mode(SamplingMode::Flat);
	for n in [128usize, 256, 512, 1024, 2048] {
		let (a, b) = (fixtures::i8s(1, n * n), fixtures::i8s(2, n * n));
		let shape = Shape { m: n, n, k: n };
		group.throughput(ops(n));
		group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
			bench.iter(|| cpu.gemm_i8(shape, as_i8(black_box(&a)), as_i8(black_box(&b))).unwrap())
		});
	}
	group.finish();
}

fn cpu_gemm_f32(c: &mut Criterion) {
	let cpu = CpuExecutor::new();
	let mut group = c.benchmark_group("cpu_gemm_f32");
	group
		.sample_size(10)
		.warm_up_time(Duration::from_secs(1))
		.measurement_time(Duration::from_secs(3))
		.sampling_mode(SamplingMode::Flat);
	for n in [128usize, 256, 512, 1024] {
		let a = floats(&fixtures::f32s(3, n * n), FloatInput::F32);
		let b = floats(&fixtures::f32s(4, n * n), FloatInput::F32);
		let shape = Shape { m: n, n, k: n };
		group.throughput(ops(n));
		group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
			bench.iter(|| cpu.gemm_f32(shape, black_box(&a), black_box(&b)).unwrap())
		});
	}
	group.finish();
}

/// `B` (`n × n`) with `B[l][(l + 1) % n] = ±1` and `C = A·B` (`C[i][(l + 1) % n] = ±A[i][l]`),
/// in `O(n²)`.
fn permutation_product(a: &[i8], n: usize) -> (Vec<i8>, Vec<i32>) {
	let mut b = vec![0i8; n * n];
	let mut c = vec![0i32; n * n];
	for l in 0..n {
		let sign = if l % 2 == 0 { 1 } else { -1 };
		b[l * n + (l + 1) % n] = sign;
		for i in 0..n {
			c[i * n + (l + 1) % n] = i32::from(sign) * i32::from(a[i * n + l]);
		}
	}
	(b, c)
}

fn freivalds_vs_full(c: &mut Criterion) {
	let max_full: usize =
		std::env::var("AIRTIME_BENCH_MAX_FULL_N").ok().and_then(|v| v.parse().ok()).unwrap_or(4096);
	let cpu = CpuExecutor::new();
	let mut group = c.benchmark_group("freivalds_vs_full");
	group
		.sample_size(10)
		.warm_up_time(Duration::from_secs(1))
		.measurement_time(Duration::from_secs(5))
		.sampling_mode(SamplingMode::Flat);
	for n in [512usize, 1024, 2048, 4096] {
		let shape = Shape { m: n, n, k: n };
		let a: Vec<i8> = as_i8(&fixtures::i8s(5, n * n)).to_vec();
		let full = n <= max_full;
		let (b, product) = if full {
			let b = as_i8(&fixtures::i8s(6, n * n)).to_vec();
			let product = cpu.gemm_i8(shape, &a, &b).unwrap();
			(b, product)
		} else {
			permutation_product(&a, n)
		};
		group.throughput(ops(n));
		group.bench_with_input(BenchmarkId::new("freivalds_i8_20_bits", n), &n, |bench, _| {
			let mut rng = StdRng::seed_from_u64(7);
			bench.iter(|| {
				freivalds::check_i8(
					shape,
					black_box(&a),
					black_box(&b),
					black_box(&product),
					freivalds::DEFAULT_ROUNDS,
					&mut rng,
				)
				.unwrap()
			})
		});
		if full {
			group.bench_with_input(BenchmarkId::new("full_recompute_i8", n), &n, |bench, _| {
				bench.iter(|| cpu.gemm_i8(shape, black_box(&a), black_box(&b)).unwrap())
			});
		}
	}
	group.finish();
}

criterion_group!(benches, cpu_gemm_i8, cpu_gemm_f32, freivalds_vs_full);
criterion_main!(benches);
