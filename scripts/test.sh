#!/usr/bin/env bash
# Runs every Airtime test: pins and formatting checks, the Rust unit/integration tests, the
# end-to-end test against a real node with @polkadot/api, and the zombienet network tests.
#
#   scripts/test.sh
#
# Installs missing prerequisites first. Everything is built once, with one cargo profile, into a
# target directory outside the clone ($CARGO_TARGET_DIR, default ~/.cache/airtime/target).
# Exits non-zero, naming the step, as soon as a step fails.
source "$(dirname "$0")/lib/common.sh"

step_started=$SECONDS
current="setup"
step() {
	log "[$(date +%H:%M:%S)] $* (previous step took $((SECONDS - step_started)) s)"
	current="$*"
	step_started=$SECONDS
}
trap 'rc=$?; [ $rc -eq 0 ] || printf "\033[1;31mFAILED\033[0m in step: %s (exit %s)\n" "$current" "$rc" >&2' EXIT

cd "$REPO_ROOT"
total_started=$SECONDS

step "prerequisites"
ensure_prereqs
ensure_npm_packages

step "pinned polkadot-sdk versions, no RocksDB"
if [ -f ../shared/tools/check-pins.py ]; then
	python3 ../shared/tools/check-pins.py
else
	python3 scripts/ci/check-pins.py
fi
tree="$(cargo tree --locked --workspace -e features --prefix none)"
if grep -i rocksdb <<<"$tree" | head -n 5 | grep .; then
	die "RocksDB is in the dependency graph (lines above): keep sc-cli/sc-service default-features off"
fi

step "formatting"
cargo fmt --all -- --check

step "Docker files (no engine here: parsed and linted, hadolint too when on PATH)"
python3 scripts/ci/lint-docker.py

step "build (one profile: $AIRTIME_PROFILE)"
build_all

step "cargo test (pallet-compute's property test runs ${COMPUTE_PROPTEST_CASES:-10000} sequences)"
cargo test --locked --"$AIRTIME_PROFILE" --workspace --features "$AIRTIME_FEATURES"

step "benchmarks run once as tests on the mocks (runtime-benchmarks feature, Airtime's pallets)"
cargo test --locked --"$AIRTIME_PROFILE" -p pallet-compute -p pallet-data-market -p pallet-credits \
	-p pallet-airtime-staking \
	--features pallet-compute/runtime-benchmarks,pallet-data-market/runtime-benchmarks,pallet-credits/runtime-benchmarks,pallet-airtime-staking/runtime-benchmarks \
	benchmarking

step "end-to-end (@polkadot/api against airtime-node --chain dev)"
(cd e2e && AIRTIME_NODE="$AIRTIME_NODE" npm test)

step "zombienet network tests"
for zndsl in zombienet/*/test.zndsl; do
	log "zombienet: $zndsl"
	PATH="$(dirname "$AIRTIME_NODE"):$PATH" timeout 900 \
		e2e/node_modules/.bin/zombienet -p native -c 1 test "$zndsl"
done

step "done"
log "all tests passed in $((SECONDS - total_started)) s"
