//! `airtime-worker`: placeholder binary until the gpu-worker issue lands.

fn main() {
	println!(
		"airtime-worker {}: the compute worker is not implemented yet (see the gpu-worker issue).",
		env!("CARGO_PKG_VERSION")
	);
}
