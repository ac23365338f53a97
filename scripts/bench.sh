#!/usr/bin/env bash
# Regenerates the weights of Airtime's own pallets from their benchmarks:
# pallets/<name>/src/weights.rs from pallets/<name>/src/benchmarking.rs.
#
# Builds the node with the `runtime-benchmarks` feature (a separate feature set: it does not
# disturb the build the tests use, but the first build takes about as long as a cold one), then
# runs `airtime-node benchmark pallet` against the runtime it embeds.
#
#   scripts/bench.sh                         # every pallet, 50 steps x 20 repeats (committed files)
#   scripts/bench.sh data-market             # one pallet
#   STEPS=10 REPEAT=5 scripts/bench.sh       # a quick run
#   SCALING=0 scripts/bench.sh compute       # skip compute's scaling measurements
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
PALLETS=("$@")
[ ${#PALLETS[@]} -gt 0 ] || PALLETS=(compute data-market credits)

log "building airtime-node with runtime-benchmarks"
cargo build --locked --profile "$AIRTIME_PROFILE" -p airtime-node --features runtime-benchmarks
NODE="$CARGO_TARGET_DIR/$AIRTIME_PROFILE/airtime-node"

for name in "${PALLETS[@]}"; do
	[ -d "pallets/$name" ] || die "no pallet pallets/$name"
	pallet="pallet_${name//-/_}"
	log "benchmarking $pallet ($STEPS steps x $REPEAT repeats)"
	"$NODE" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--header scripts/bench-header.txt \
		--template scripts/weight-template.hbs \
		--output "pallets/$name/src/weights.rs"
	log "wrote pallets/$name/src/weights.rs"
done

# How the weight of a call changes with the state: accept_job and submit_job with 100 and
# 100,000 other jobs and providers in storage (extra benchmarks, not weights).
if [[ " ${PALLETS[*]} " == *" compute "* ]] && [ "${SCALING:-1}" = 1 ]; then
	out=pallets/compute/benchmarks/scaling.txt
	mkdir -p "$(dirname "$out")"
	: >"$out"
	for ext in scaling_accept_job scaling_submit_job; do
		log "scaling: $ext at n = 100 and n = 100000"
		"$NODE" benchmark pallet \
			--chain dev --pallet pallet_compute --extrinsic "$ext" --extra \
			--steps 2 --low 100 --high 100000 --repeat "${SCALING_REPEAT:-5}" \
			--wasm-execution compiled --heap-pages 4096 \
			| tee -a "$out"
	done
	log "wrote $out"
fi
