#!/usr/bin/env bash
# Regenerates the weights of Airtime's own pallets from their benchmarks:
# pallets/<name>/src/weights.rs from pallets/<name>/src/benchmarking.rs.
#
# Builds the node with the `runtime-benchmarks` feature (a separate feature set: it does not
# disturb the build the tests use, but the first build takes about as long as a cold one), then
# runs `airtime-node benchmark pallet` against the runtime it embeds. Directory pallets/<name> is
# benchmarked as `pallet_<name>` (dashes to underscores), the name `runtime/src/benchmarks.rs`
# gives it: pallets/staking (package pallet-airtime-staking) is the runtime's `pallet_staking`.
#
#   scripts/bench.sh                         # every pallet with a benchmarking.rs (compute,
#                                            # credits, data-market, staking), 50 steps x 20
#                                            # repeats (the committed files)
#   scripts/bench.sh data-market             # one pallet
#   STEPS=10 REPEAT=5 scripts/bench.sh       # a quick run
#   SCALING=0 scripts/bench.sh compute       # skip compute's scaling measurements
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
PALLETS=("$@")
if [ ${#PALLETS[@]} -eq 0 ]; then
	for file in pallets/*/src/benchmarking.rs; do
		dir="${file#pallets/}"
		PALLETS+=("${dir%%/*}")
	done
fi
[ ${#PALLETS[@]} -gt 0 ] || die "no pallets/*/src/benchmarking.rs"

# Check every name before the long build.
for name in "${PALLETS[@]}"; do
	[ -f "pallets/$name/src/benchmarking.rs" ] || die "pallets/$name has no benchmarks"
	grep -q "\[pallet_${name//-/_}," runtime/src/benchmarks.rs ||
		die "pallet_${name//-/_} is not in runtime/src/benchmarks.rs"
done

build_bench_node
NODE="$AIRTIME_BENCH_NODE"

for name in "${PALLETS[@]}"; do
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
