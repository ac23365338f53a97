//! The shared test vectors against their pinned hashes, the CPU backend against the reference,
//! `run_job`'s refusals, and a randomised cross-check of the CPU kernels.
#![allow(
	clippy::arithmetic_side_effects,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::unwrap_used
)]

use airtime_worker::{
	exec::{
		cpu::CpuExecutor, floats, run_job, DeviceInfo, ExecError, Executor, ExecutorKind,
		FloatGemmParams, FloatInput, GemmParams, JobParams, MlpParams, SearchParams, Shape,
		MAX_DIM,
	},
	fixtures::{self, Pinned, Vector, BLESS},
	freivalds,
	mlp::{Layer, Mlp},
};
use codec::Encode;
use rand::{rngs::StdRng, Rng, SeedableRng};

fn blessing() -> bool {
	std::env::var("AIRTIME_BLESS_VECTORS").is_ok_and(|v| v == "1")
}

fn pinned_or_panic() -> Vec<Pinned> {
	fixtures::pinned().unwrap_or_else(|e| panic!("{e}; to pin the vectors run `{BLESS}`"))
}

#[test]
fn pinned_hashes_match_the_reference() {
	let vectors = fixtures::vectors();
	let computed: Vec<Pinned> = vectors.iter().map(fixtures::pin).collect();
	if blessing() {
		fixtures::write_pinned(&computed).unwrap();
		eprintln!("pinned {} vectors in {}", computed.len(), fixtures::pinned_path());
		return;
	}
	let pinned = pinned_or_panic();
	for want in &computed {
		let got = pinned.iter().find(|p| p.name == want.name).unwrap_or_else(|| {
			panic!(
				"{} is not pinned in {}; if the vector is new, run `{BLESS}`",
				want.name,
				fixtures::pinned_path()
			)
		});
		assert_eq!(
			got, want,
			"{}: the pinned entry differs from the reference now (generator, parameters or \
			 reference changed?); if the change is intended, run `{BLESS}`",
			want.name
		);
	}
	for p in &pinned {
		assert!(
			computed.iter().any(|c| c.name == p.name),
			"{} is pinned but no longer a vector; run `{BLESS}`",
			p.name
		);
	}
}

/// The element-wise fp32 bound (see `freivalds`): `|x − y| ≤ 2·γ_k·Σ|a||b| + slack` between two
/// fp32 results of the same product, each within `γ_k·Σ|a||b|` of the exact one.
fn assert_close_f32(v: &Vector, got: &[u8], want: &[u8]) {
	let JobParams::GemmF32(p) = v.params else { panic!("{} is not GemmF32", v.name) };
	let (m, n, k) = (p.shape.m as usize, p.shape.n as usize, p.shape.k as usize);
	let (a, b) = (floats(&v.inputs[0], p.input), floats(&v.inputs[1], p.input));
	let (got, want) = (floats(got, FloatInput::F32), floats(want, FloatInput::F32));
	assert_eq!(got.len(), m * n, "{}", v.name);
	let gamma = freivalds::gamma(k);
	for i in 0..m {
		for j in 0..n {
			let bound: f64 =
				(0..k).map(|l| f64::from(a[i * k + l].abs()) * f64::from(b[l * n + j].abs())).sum();
			let diff = (f64::from(got[i * n + j]) - f64::from(want[i * n + j])).abs();
			assert!(
				diff <= 2.0 * gamma * bound + freivalds::ABSOLUTE_SLACK,
				"{} ({i}, {j}): {} vs {}",
				v.name,
				got[i * n + j],
				want[i * n + j]
			);
		}
	}
}

#[test]
fn cpu_backend_matches_pinned_hashes() {
	let cpu = CpuExecutor::new();
	// While blessing, the other test rewrites the file: compare with the reference only.
	let pinned = (!blessing()).then(pinned_or_panic);
	let mut rng = StdRng::seed_from_u64(1);
	for v in fixtures::vectors() {
		let out = run_job(&cpu, &v.params, &v.inputs).unwrap_or_else(|e| panic!("{}: {e}", v.name));
		let reference = fixtures::reference(&v);
		if v.kind().is_bit_exact() {
			if let Some(at) = out.bytes.iter().zip(&reference).position(|(x, y)| x != y) {
				panic!("{}: the CPU output differs from the reference at byte {at}", v.name);
			}
			assert_eq!(out.bytes.len(), reference.len(), "{}", v.name);
			assert_eq!(fixtures::output_hash(&out.bytes), fixtures::hex0x(out.hash.as_bytes()));
			if let Some(pinned) = &pinned {
				let entry = pinned
					.iter()
					.find(|p| p.name == v.name)
					.unwrap_or_else(|| panic!("{} is not pinned; run `{BLESS}`", v.name));
				assert_eq!(
					fixtures::output_hash(&out.bytes),
					entry.hash,
					"{}: CPU output hash differs from the pinned one",
					v.name
				);
			}
		} else {
			assert_close_f32(&v, &out.bytes, &reference);
			let verdict = freivalds::check_claim(
				&v.params,
				&v.inputs,
				&out.bytes,
				freivalds::DEFAULT_ROUNDS,
				&mut rng,
			);
			assert_eq!(verdict, Ok(true), "{}: Freivalds refuses the CPU result", v.name);
			// 1 % off in the largest entry is far above fp32 rounding at these sizes.
			let mut c = floats(&out.bytes, FloatInput::F32);
			let at = (0..c.len()).max_by(|x, y| c[*x].abs().total_cmp(&c[*y].abs())).unwrap();
			c[at] *= 1.01;
			let wrong: Vec<u8> = c.iter().flat_map(|x| x.to_le_bytes()).collect();
			let verdict = freivalds::check_claim(
				&v.params,
				&v.inputs,
				&wrong,
				freivalds::DEFAULT_ROUNDS,
				&mut rng,
			);
			assert_eq!(verdict, Ok(false), "{}: Freivalds accepts a wrong entry", v.name);
			let verdict = freivalds::check_claim(&v.params, &v.inputs, &wrong[4..], 1, &mut rng);
			assert_eq!(verdict, Ok(false), "{}: an output of the wrong length", v.name);
		}
	}
}

#[test]
fn freivalds_checks_int8_claims_and_refuses_other_kinds() {
	let mut rng = StdRng::seed_from_u64(2);
	for v in fixtures::vectors() {
		let out = fixtures::reference(&v);
		let verdict =
			freivalds::check_claim(&v.params, &v.inputs, &out, freivalds::DEFAULT_ROUNDS, &mut rng);
		match v.kind() {
			ExecutorKind::GemmInt8 => {
				assert_eq!(verdict, Ok(true), "{}", v.name);
				let mut wrong = out.clone();
				wrong[out.len() / 2] ^= 1;
				let verdict = freivalds::check_claim(
					&v.params,
					&v.inputs,
					&wrong,
					freivalds::DEFAULT_ROUNDS,
					&mut rng,
				);
				assert_eq!(verdict, Ok(false), "{}", v.name);
			},
			ExecutorKind::GemmF32 => assert_eq!(verdict, Ok(true), "{}", v.name),
			kind => assert_eq!(verdict, Err(freivalds::FreivaldsError::NotAGemm(kind))),
		}
	}
}

/// A CPU backend that claims a tiny device.
struct Tiny(CpuExecutor);

impl Executor for Tiny {
	fn backend(&self) -> &'static str {
		self.0.backend()
	}
	fn device(&self) -> DeviceInfo {
		DeviceInfo { memory_bytes: 1024, ..self.0.device() }
	}
	fn gemm_i8(&self, shape: Shape, a: &[i8], b: &[i8]) -> Result<Vec<i32>, ExecError> {
		self.0.gemm_i8(shape, a, b)
	}
	fn gemm_f32(&self, shape: Shape, a: &[f32], b: &[f32]) -> Result<Vec<f32>, ExecError> {
		self.0.gemm_f32(shape, a, b)
	}
	fn mlp_layer(
		&self,
		layer: &Layer,
		input: &[i8],
		batch: usize,
		relu: bool,
	) -> Result<Vec<i8>, ExecError> {
		self.0.mlp_layer(layer, input, batch, relu)
	}
	fn dot_scores(
		&self,
		table: &[i8],
		queries: &[i8],
		rows: usize,
		dim: usize,
		nqueries: usize,
	) -> Result<Vec<i32>, ExecError> {
		self.0.dot_scores(table, queries, rows, dim, nqueries)
	}
}

#[test]
fn bad_jobs_are_refused_with_their_specific_error() {
	let cpu = CpuExecutor::new();
	let gemm = JobParams::GemmInt8(GemmParams { m: 2, n: 3, k: 4 });
	let (a, b) = (fixtures::i8s(1, 8), fixtures::i8s(2, 12));

	assert_eq!(
		run_job(&cpu, &gemm, std::slice::from_ref(&a)),
		Err(ExecError::InputCount { expected: 2, got: 1 })
	);
	assert_eq!(
		run_job(&cpu, &gemm, &[a.clone(), b.clone(), b.clone()]),
		Err(ExecError::InputCount { expected: 2, got: 3 })
	);
	assert_eq!(
		run_job(&cpu, &gemm, &[a.clone(), b[..11].to_vec()]),
		Err(ExecError::InputSize { index: 1, expected: 12, got: 11 })
	);
	assert_eq!(
		run_job(&cpu, &gemm, &[a[..7].to_vec(), b.clone()]),
		Err(ExecError::InputSize { index: 0, expected: 8, got: 7 })
	);
	assert!(run_job(&cpu, &gemm, &[a.clone(), b.clone()]).is_ok());

	// Trailing bytes after the parameters.
	let mut bytes = GemmParams { m: 2, n: 3, k: 4 }.encode();
	bytes.push(0);
	assert!(matches!(
		JobParams::decode(ExecutorKind::GemmInt8, &bytes),
		Err(ExecError::BadParams { kind: ExecutorKind::GemmInt8, .. })
	));
	// Too few bytes.
	assert!(matches!(
		JobParams::decode(ExecutorKind::VectorSearch, &[1, 2, 3]),
		Err(ExecError::BadParams { kind: ExecutorKind::VectorSearch, .. })
	));

	let shape_error = |kind: ExecutorKind, bytes: Vec<u8>| {
		let got = JobParams::decode(kind, &bytes);
		assert!(matches!(got, Err(ExecError::BadShape(_))), "{kind:?}: {got:?}");
	};
	for (m, n, k) in [(0, 1, 1), (1, 0, 1), (1, 1, 0), (MAX_DIM + 1, 1, 1), (1, 1, MAX_DIM + 1)] {
		shape_error(ExecutorKind::GemmInt8, GemmParams { m, n, k }.encode());
		let float = FloatGemmParams { shape: GemmParams { m, n, k }, input: FloatInput::Bf16 };
		shape_error(ExecutorKind::GemmF32, float.encode());
	}
	// Each dimension in range, but C above MAX_ELEMENTS.
	shape_error(ExecutorKind::GemmInt8, GemmParams { m: MAX_DIM, n: MAX_DIM, k: 1 }.encode());
	shape_error(ExecutorKind::MlpFixedPoint, MlpParams { batch: 0 }.encode());
	shape_error(ExecutorKind::MlpFixedPoint, MlpParams { batch: MAX_DIM + 1 }.encode());
	let search = SearchParams { rows: 10, dim: 4, queries: 2, k: 11 };
	shape_error(ExecutorKind::VectorSearch, search.encode());
	shape_error(ExecutorKind::VectorSearch, SearchParams { k: 0, ..search }.encode());
	shape_error(ExecutorKind::VectorSearch, SearchParams { dim: 0, ..search }.encode());
	let fits = SearchParams { k: 10, ..search }.encode();
	assert!(JobParams::decode(ExecutorKind::VectorSearch, &fits).is_ok());

	// A garbage model file.
	let mlp = JobParams::Mlp(MlpParams { batch: 1 });
	let got = run_job(&cpu, &mlp, &[b"not a model".to_vec(), vec![0; 4]]);
	assert!(matches!(got, Err(ExecError::Model(_))), "{got:?}");
	// A valid model, an input of the wrong width.
	let model = Mlp::from_seed(3, &[4, 2]).unwrap().to_safetensors().unwrap();
	assert_eq!(
		run_job(&cpu, &mlp, &[model.clone(), vec![0; 5]]),
		Err(ExecError::InputSize { index: 1, expected: 4, got: 5 })
	);
	assert!(run_job(&cpu, &mlp, &[model, vec![0; 4]]).is_ok());

	// A device too small for the job.
	let tiny = Tiny(CpuExecutor::new());
	let big = JobParams::GemmInt8(GemmParams { m: 32, n: 32, k: 32 });
	let inputs = [fixtures::i8s(3, 1024), fixtures::i8s(4, 1024)];
	assert!(matches!(
		run_job(&tiny, &big, &inputs),
		Err(ExecError::TooLarge { have: 1024, need }) if need > 1024
	));
	assert!(run_job(&cpu, &big, &inputs).is_ok());
}

/// Seeded random shapes through `run_job` on the CPU against the naive reference, for both of
/// the CPU kernels' work splits (by rows, by columns).
#[test]
fn randomized_cpu_cross_check() {
	let mut rng = StdRng::seed_from_u64(0x5eed);
	let executors =
		[CpuExecutor::new(), CpuExecutor::with_threads(1), CpuExecutor::with_threads(64)];
	for round in 0..40u64 {
		let cpu = &executors[round as usize % executors.len()];
		let seed = 1000 + 10 * round;
		let (m, n) = (rng.gen_range(1..=70u32), rng.gen_range(1..=70u32));
		let k = rng.gen_range(1..=300u32);
		let gemm = Vector {
			name: "random gemm_i8",
			params: JobParams::GemmInt8(GemmParams { m, n, k }),
			inputs: vec![
				fixtures::i8s(seed, (m * k) as usize),
				fixtures::i8s(seed + 1, (k * n) as usize),
			],
		};
		let rows = rng.gen_range(1..=70u32);
		let (dim, queries) = (rng.gen_range(1..=300u32), rng.gen_range(1..=8u32));
		let top = rng.gen_range(1..=rows);
		let search = Vector {
			name: "random search",
			params: JobParams::Search(SearchParams { rows, dim, queries, k: top }),
			inputs: vec![
				fixtures::i8s(seed + 2, (rows * dim) as usize),
				fixtures::i8s(seed + 3, (queries * dim) as usize),
			],
		};
		let depth = rng.gen_range(2..=4usize);
		let widths: Vec<usize> = (0..depth).map(|_| rng.gen_range(1..=70usize)).collect();
		let batch = rng.gen_range(1..=9u32);
		let model = Mlp::from_seed(seed, &widths).unwrap();
		let mlp = Vector {
			name: "random mlp",
			params: JobParams::Mlp(MlpParams { batch }),
			inputs: vec![
				model.to_safetensors().unwrap(),
				fixtures::i8s(seed + 4, batch as usize * widths[0]),
			],
		};
		for v in [gemm, search, mlp] {
			let out = run_job(cpu, &v.params, &v.inputs)
				.unwrap_or_else(|e| panic!("{} {:?}: {e}", v.name, v.params));
			assert!(
				out.bytes == fixtures::reference(&v),
				"round {round}, {} {:?} ({} threads)",
				v.name,
				v.params,
				cpu.threads()
			);
		}
	}
}
