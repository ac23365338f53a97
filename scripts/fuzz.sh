#!/usr/bin/env bash
# A long run of the whole-runtime fuzzer (runtime/tests/integration/fuzz.rs) on every core.
#
#   scripts/fuzz.sh                                 # 1,000,000 sequences over $(nproc) processes
#   AIRTIME_FUZZ_SEQUENCES=50000 scripts/fuzz.sh    # a shorter run
#   AIRTIME_FUZZ_SEED=0x1234 JOBS=4 scripts/fuzz.sh # another base seed, 4 processes
#   AIRTIME_FUZZ_BIN=<target>/release/deps/integration-<hash> scripts/fuzz.sh  # no build
#
# Builds the fuzz test once (release, `fast-runtime` and `try-runtime`, as CI runs it), then runs
# the test binary directly in JOBS parallel processes: process i fuzzes its share of the sequences
# from seed BASE + i. A failing process prints the seed and sequence that replay the failure:
#
#   AIRTIME_FUZZ_SEED=<seed> AIRTIME_FUZZ_ONLY=<sequence> AIRTIME_FUZZ_VERBOSE=1 \
#     cargo test --release -p airtime-runtime \
#     --features airtime-runtime/fast-runtime,airtime-runtime/try-runtime --test integration -- fuzz:: --nocapture
#
# Prints the totals and appends one line per run (date, commit, seeds, sequences, result) to
# docs/fuzz-runs.md. Exits non-zero when any process failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$REPO_ROOT"

TOTAL="${AIRTIME_FUZZ_SEQUENCES:-1000000}"
# The test's own default seed (`DEFAULT_SEED` in runtime/tests/integration/fuzz.rs), so that process 0 of a
# default run repeats the CI run and extends it.
BASE_SEED="$((${AIRTIME_FUZZ_SEED:-0x5eeda1e726090001}))"
JOBS="${JOBS:-$(nproc)}"
FEATURES="airtime-runtime/fast-runtime,airtime-runtime/try-runtime"
RECORD="docs/fuzz-runs.md"

[[ "$TOTAL" =~ ^[0-9]+$ ]] || die "AIRTIME_FUZZ_SEQUENCES must be a number of sequences: $TOTAL"
[[ "$JOBS" =~ ^[0-9]+$ && "$JOBS" -ge 1 ]] || die "JOBS must be a positive number: $JOBS"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to find the test binary"

if [ -n "${AIRTIME_FUZZ_BIN:-}" ]; then
	# An integration test binary already built with these features (e.g. by scripts/test.sh's
	# workspace build, whose feature set a `-p airtime-runtime` build would not reuse).
	BIN="$AIRTIME_FUZZ_BIN"
else
	log "building the fuzz test ($AIRTIME_PROFILE, features $FEATURES)"
	BIN="$(
		cargo test --locked --profile "$AIRTIME_PROFILE" -p airtime-runtime --features "$FEATURES" \
			--test integration --no-run --message-format=json |
			python3 -c '
import json, sys
for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if (msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "integration"
            and msg.get("profile", {}).get("test") and msg.get("executable")):
        print(msg["executable"])
' | tail -n 1
	)"
fi
[ -n "$BIN" ] && [ -x "$BIN" ] || die "could not find the fuzz test binary in cargo's output"
log "test binary: $BIN"

LOGS="$(mktemp -d "${TMPDIR:-/tmp}/airtime-fuzz.XXXXXX")"
per=$((TOTAL / JOBS))
extra=$((TOTAL % JOBS))
seeds=()
pids=()
logs=()
started=$SECONDS
log "fuzzing $TOTAL sequences in $JOBS processes (logs in $LOGS)"
for ((i = 0; i < JOBS; i++)); do
	n=$((per + (i < extra ? 1 : 0)))
	[ "$n" -gt 0 ] || continue
	# printf prints the seed as unsigned 64-bit hex even when bash's signed arithmetic wrapped.
	seed="$(printf '0x%x' $((BASE_SEED + i)))"
	seeds+=("$seed")
	logs+=("$LOGS/fuzz-$i.log")
	AIRTIME_FUZZ_SEED="$seed" AIRTIME_FUZZ_SEQUENCES="$n" \
		"$BIN" fuzz::fuzz_runtime_sequences_shard --nocapture --test-threads=1 \
		>"$LOGS/fuzz-$i.log" 2>&1 &
	pids+=("$!")
done

failed=()
for index in "${!pids[@]}"; do
	if ! wait "${pids[$index]}"; then
		failed+=("$index")
	fi
done
elapsed=$((SECONDS - started))

# Totals from each process's machine-readable summary line.
sum_field() {
	local field="$1"
	cat "$LOGS"/fuzz-*.log 2>/dev/null |
		sed -n "s/^FUZZ-SUMMARY .*[[:space:]]$field=\([0-9]*\).*/\1/p" |
		awk '{ s += $1 } END { print s + 0 }'
}
sequences="$(sum_field sequences)"
blocks="$(sum_field blocks)"
extrinsics="$(sum_field extrinsics)"
ok="$(sum_field ok)"
dispatch_errors="$(sum_field dispatch_errors)"
refused="$(sum_field refused)"

seed_range="${seeds[0]:-none}"
[ "${#seeds[@]}" -gt 1 ] && seed_range="${seeds[0]}..${seeds[${#seeds[@]} - 1]}"

if [ "${#failed[@]}" -eq 0 ]; then
	result="pass"
else
	failing=()
	for index in "${failed[@]}"; do
		failing+=("${seeds[$index]}")
		printf '\n\033[1;31m==> process %s (seed %s) failed; end of its log:\033[0m\n' \
			"$index" "${seeds[$index]}" >&2
		tail -n 60 "${logs[$index]}" >&2
	done
	result="FAIL (seeds ${failing[*]}; replay lines above)"
fi

log "fuzz totals: $sequences sequences, $blocks blocks, $extrinsics extrinsics ($ok dispatched ok, $dispatch_errors dispatch errors, $refused refused) in ${elapsed} s over $JOBS processes, seeds $seed_range: $result"

if [ ! -f "$RECORD" ]; then
	mkdir -p "$(dirname "$RECORD")"
	cat >"$RECORD" <<'EOF'
# Fuzz runs

Long runs of the whole-runtime fuzzer (`scripts/fuzz.sh`, `runtime/tests/integration/fuzz.rs`), one line per
run. Each run splits its sequences over parallel processes, process *i* seeded with the base seed
plus *i*; a failing sequence replays with `AIRTIME_FUZZ_SEED=<seed> AIRTIME_FUZZ_ONLY=<sequence>`
(the failing process's log names both).

| date (UTC) | commit | seeds | sequences | blocks | extrinsics | seconds | result |
|---|---|---|---|---|---|---|---|
EOF
fi
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit (modified)"
fi
printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$seed_range" "$sequences" "$blocks" \
	"$extrinsics" "$elapsed" "$result" >>"$RECORD"
log "recorded in $RECORD"

[ "${#failed[@]}" -eq 0 ] || die "the fuzzer found a failure (logs in $LOGS)"
rm -rf "$LOGS"
