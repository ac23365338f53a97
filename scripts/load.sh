#!/usr/bin/env bash
# Load test (issue 9): starts a dev node (`airtime-node --dev`, one validator, fast-runtime) on a
# temporary base path with a large transaction pool, runs `airtime-loadgen --scenario both`
# (transfers only, then the mixed workload of transfers, compute jobs, credits redeems and
# data purchases, on the same node: their TPS ratio is the headline figure) and then
# `--scenario bad-input` (malformed and invalid transactions must be refused, the node must
# keep working), prints the results and stops the node.
#
#   scripts/load.sh                              # 200 accounts, 1000 tx/s target, 60 s each
#   scripts/load.sh --rate 2000 --duration 120   # more
#   scripts/load.sh --accounts 400 -- --senders 128 --mix 60,20,10,10   # loadgen options
#
# Runs the one build of scripts/lib/common.sh first (a no-op when nothing changed). JSON results
# go to $LOAD_OUT (default $CARGO_TARGET_DIR/load); the Markdown rows printed at the end are what
# the README's load table holds. Exits non-zero when a bad-input expectation fails or the node
# dies.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

rate=1000
duration=60
accounts=200
port=9955
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
		--rate) rate="$2"; shift 2 ;;
		--duration) duration="$2"; shift 2 ;;
		--accounts) accounts="$2"; shift 2 ;;
		--port) port="$2"; shift 2 ;;
		--) shift; extra=("$@"); break ;;
		-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
		*) die "unknown argument '$1' (see --help)" ;;
	esac
done

loadgen="$CARGO_TARGET_DIR/$AIRTIME_PROFILE/airtime-loadgen"
# Always the one build (a no-op when nothing changed): it also puts the `fast-runtime` node back
# at $AIRTIME_NODE after scripts/bench.sh linked its `runtime-benchmarks` node to the same path.
ensure_prereqs
build_all
[ -x "$loadgen" ] || die "the build did not produce $loadgen"

out="${LOAD_OUT:-$CARGO_TARGET_DIR/load}"
mkdir -p "$out"
base="$(mktemp -d -t airtime-load-XXXXXX)"
node_pid=""
cleanup() {
	if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; fi
	wait 2>/dev/null || true
	# The node's log stays with the results (block authoring times, empty blocks, pool limits).
	cp "$base/node.log" "$out/node.log" 2>/dev/null || true
	rm -rf "$base"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

for p in "$port" $((port + 1)); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		die "port $p is taken: pass --port"
	fi
done

# A pool that holds a minute of load (the defaults, 8192 transactions and 20 MiB, would refuse
# most of it), connections and request sizes for the load generator, no RPC rate limit.
log "starting airtime-node --dev (RPC ws://127.0.0.1:$port, log $base/node.log)"
"$AIRTIME_NODE" --dev --base-path "$base/node" --rpc-port "$port" --port $((port + 1)) \
	--no-prometheus --no-telemetry --no-mdns \
	--pool-limit 200000 --pool-kbytes 1048576 \
	--rpc-max-connections 1000 --rpc-max-request-size 64 --rpc-max-response-size 64 \
	--rpc-message-buffer-capacity-per-connection 4096 \
	>"$base/node.log" 2>&1 &
node_pid=$!
wait_rpc "$port" 120 "$node_pid" || { tail -n 30 "$base/node.log" >&2; die "the node did not start"; }

url="ws://127.0.0.1:$port"
status=0
cmd=("$loadgen" --url "$url" --scenario both --accounts "$accounts" --rate "$rate"
	--duration "$duration" --json "$out/both.json" --markdown "${extra[@]}")
log "${cmd[*]}"
"${cmd[@]}" || status=$?

bad=("$loadgen" --url "$url" --scenario bad-input --no-fund --json "$out/bad-input.json")
log "${bad[*]}"
"${bad[@]}" || status=$?

if ! kill -0 "$node_pid" 2>/dev/null; then
	tail -n 40 "$base/node.log" >&2
	die "the node exited during the load test"
fi
# Undecodable bytes make the runtime's `validate_transaction` trap inside the wasm executor:
# sp-api's own message for it ("Bad input data provided to validate_transaction ... Nothing bad
# happened: someone sent an invalid transaction to the node") is expected from the bad-input
# scenario and is answered with RPC error 1002. Any other panic fails the run.
panics="$(python3 - "$base/node.log" <<'PY'
import sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
for i, line in enumerate(lines):
    if "panicked" not in line:
        continue
    after = " ".join(lines[i:i + 2])
    if not ("validate_transaction" in after
            and "Nothing bad happened: someone sent an invalid transaction" in after):
        print("\n".join(lines[i:i + 4]))
PY
)"
if [ -n "$panics" ]; then
	printf '%s\n' "$panics" | head -n 20 >&2
	die "the node logged a panic"
fi
log "results: $out/both.json, $out/bad-input.json"
[ "$status" = 0 ] || die "the load generator failed (status $status)"
