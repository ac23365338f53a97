#!/usr/bin/env bash
# Regenerates the weights of every benchmarked pallet in the runtime, all on this machine:
# - Airtime's own pallets: pallets/<name>/src/weights.rs from pallets/<name>/src/benchmarking.rs
#   (template scripts/weight-template.hbs: the pallet's `WeightInfo` trait, `SubstrateWeight<T>`
#   and `()`);
# - the FRAME pallets the runtime composes: runtime/src/weights/<pallet>.rs (the CLI's own
#   template: a `WeightInfo<T>` implementing the pallet's trait), which the runtime's configs
#   use instead of polkadot-sdk's reference-machine weights, so that every call of a block is
#   weighed on the same hardware.
#
# Builds the node with the `runtime-benchmarks` feature (a separate feature set: it does not
# disturb the build the tests use, but the first build takes about as long as a cold one), then
# runs `airtime-node benchmark pallet` against the runtime it embeds. Directory pallets/<name> is
# benchmarked as `pallet_<name>` (dashes to underscores), the name `runtime/src/benchmarks.rs`
# gives it: pallets/staking (package pallet-airtime-staking) is the runtime's `pallet_staking`.
# The block and extrinsic base weights come from scripts/bench-overhead.sh.
#
#   scripts/bench.sh                         # everything, 50 steps x 20 repeats
#   scripts/bench.sh data-market             # one of Airtime's pallets
#   scripts/bench.sh pallet_balances         # one FRAME pallet
#   scripts/bench.sh ours                    # Airtime's pallets only; `frame`: FRAME's only
#   STEPS=10 REPEAT=5 scripts/bench.sh       # a quick run
#   SCALING=0 scripts/bench.sh compute       # skip compute's scaling measurements
#   NODE=<path> scripts/bench.sh             # an already-built runtime-benchmarks node, no build
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
# The FRAME pallets whose weights the runtime reads from runtime/src/weights/ (each listed in
# runtime/src/benchmarks.rs): every one a transfer, a batch, a multisig or a proxy call goes
# through, and the governance pallets (scheduler, preimage, conviction voting, referenda).
# pallet_treasury keeps polkadot-sdk's reference weights, which use the runtime's `DbWeight`: its
# `payout` and `check_status` benchmarks fail on this runtime (`PayoutError`: the spend
# benchmarks assume a paymaster that pays any asset); so do pallet_transaction_payment (no
# benchmark in the runtime) and pallet_parameters (weighed by the runtime's own
# `ParametersWeight`); aura, grandpa and session have no benchmarks of their own.
FRAME_PALLETS=(
	frame_system frame_system_extensions pallet_balances pallet_timestamp pallet_utility
	pallet_multisig pallet_proxy pallet_scheduler pallet_preimage pallet_conviction_voting
	pallet_referenda
)
OURS=()
for file in pallets/*/src/benchmarking.rs; do
	dir="${file#pallets/}"
	OURS+=("${dir%%/*}")
done
[ ${#OURS[@]} -gt 0 ] || die "no pallets/*/src/benchmarking.rs"

PALLETS=()
FRAME=()
[ $# -gt 0 ] || set -- ours frame
for arg in "$@"; do
	case "$arg" in
	ours) PALLETS+=("${OURS[@]}") ;;
	frame) FRAME+=("${FRAME_PALLETS[@]}") ;;
	*)
		if [[ " ${FRAME_PALLETS[*]} " == *" $arg "* ]]; then
			FRAME+=("$arg")
		else
			PALLETS+=("$arg")
		fi
		;;
	esac
done

# Check every name before the long build.
for name in ${PALLETS[@]+"${PALLETS[@]}"}; do
	[ -f "pallets/$name/src/benchmarking.rs" ] ||
		die "pallets/$name has no benchmarks (FRAME pallets: ${FRAME_PALLETS[*]})"
	grep -q "\[pallet_${name//-/_}," runtime/src/benchmarks.rs ||
		die "pallet_${name//-/_} is not in runtime/src/benchmarks.rs"
done
for name in ${FRAME[@]+"${FRAME[@]}"}; do
	grep -q "\[$name," runtime/src/benchmarks.rs || die "$name is not in runtime/src/benchmarks.rs"
done

# NODE=<path> runs an already-built `runtime-benchmarks` node (e.g. a copy kept aside, since the
# tests' build links its own node to the same path) and skips the build.
if [ -z "${NODE:-}" ]; then
	build_bench_node
	NODE="$AIRTIME_BENCH_NODE"
fi

# One pallet's benchmarks into file $2 (extra CLI arguments after it).
bench() {
	local pallet="$1" output="$2"
	shift 2
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
		--output "$output" \
		"$@"
	log "wrote $output"
}

for name in ${PALLETS[@]+"${PALLETS[@]}"}; do
	bench "pallet_${name//-/_}" "pallets/$name/src/weights.rs" \
		--template scripts/weight-template.hbs
done
if [ ${#FRAME[@]} -gt 0 ]; then
	mkdir -p runtime/src/weights
	for pallet in "${FRAME[@]}"; do
		bench "$pallet" "runtime/src/weights/$pallet.rs"
	done
fi

# How the weight of a call changes with the state: accept_job and submit_job with 100 and
# 100,000 other jobs and providers in storage (extra benchmarks, not weights).
if [[ " ${PALLETS[*]-} " == *" compute "* ]] && [ "${SCALING:-1}" = 1 ]; then
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
