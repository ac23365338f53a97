#!/usr/bin/env bash
# Regenerates pallets/compute/src/weights.rs from the benchmarks in
# pallets/compute/src/benchmarking.rs.
#
# Builds the node with the `runtime-benchmarks` feature (a separate feature set: it does not
# disturb the build the tests use, but the first build takes about as long as a cold one), then
# runs `airtime-node benchmark pallet` against the runtime it embeds.
#
#   scripts/bench-compute.sh            # 50 steps x 20 repeats (what the committed file used)
#   STEPS=10 REPEAT=5 scripts/bench-compute.sh   # a quick run
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"

log "building airtime-node with runtime-benchmarks"
cargo build --locked --profile "$AIRTIME_PROFILE" -p airtime-node --features runtime-benchmarks

log "benchmarking pallet_compute ($STEPS steps x $REPEAT repeats)"
"$CARGO_TARGET_DIR/$AIRTIME_PROFILE/airtime-node" benchmark pallet \
	--chain dev \
	--pallet pallet_compute \
	--extrinsic '*' \
	--steps "$STEPS" \
	--repeat "$REPEAT" \
	--wasm-execution compiled \
	--heap-pages 4096 \
	--header scripts/bench-header.txt \
	--template scripts/weight-template.hbs \
	--output pallets/compute/src/weights.rs
cargo fmt -p pallet-compute 2>/dev/null || true
log "wrote pallets/compute/src/weights.rs"
