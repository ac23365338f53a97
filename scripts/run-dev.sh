#!/usr/bin/env bash
# Runs a local Airtime network and prints the polkadot.js apps link to connect to it.
#
#   scripts/run-dev.sh            one-validator `dev` chain (Alice), RPC on ws://127.0.0.1:9944
#   scripts/run-dev.sh --local    four validators (Alice, Bob, Charlie, Dave) on the `local`
#                                 chain, RPC on ports 9944-9947
#   scripts/run-dev.sh --worker   the dev chain plus a compute provider: Bob's `airtime-worker`
#                                 registers (1,000 AIR stake, every executor offered) and runs
#                                 beside the node, outputs and /metrics on http://127.0.0.1:8490;
#                                 put job inputs in the printed inputs directory
#
# Installs missing prerequisites, builds the node (once; later runs reuse the build), and runs
# until Ctrl-C. State lives in a temporary directory removed on exit.
source "$(dirname "$0")/lib/common.sh"

mode=dev
worker=0
for arg in "$@"; do
	case "$arg" in
		--local) mode=local ;;
		--dev) mode=dev ;;
		--worker) worker=1 ;;
		-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
		*) die "unknown argument '$arg' (use --local, --dev or --worker)" ;;
	esac
done
[ "$worker" = 0 ] || [ "$mode" = dev ] || die "--worker runs beside the dev chain only"

ensure_prereqs
build_all

base="$(mktemp -d -t airtime-net-XXXXXX)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$base"
}
trap cleanup EXIT INT TERM

for port in 9944 30333; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "port $port is taken (another node running?): stop it first"
	fi
done

start_validator() { # name rpc-port p2p-port extra-args...
	local name="$1" rpc="$2" p2p="$3"
	shift 3
	"$AIRTIME_NODE" --chain "$mode" --"$name" --validator --base-path "$base/$name" \
		--rpc-port "$rpc" --port "$p2p" --prometheus-port $((rpc - 9944 + 9615)) \
		--rpc-cors all --no-telemetry "$@" >"$base/$name.log" 2>&1 &
	pids+=("$!")
	wait_rpc "$rpc" 120 "$!" || { tail -n 30 "$base/$name.log" >&2; die "$name did not start"; }
	log "$name is up: ws://127.0.0.1:$rpc (log: $base/$name.log)"
}

if [ "$mode" = dev ]; then
	start_validator alice 9944 30333 --force-authoring --unsafe-force-node-key-generation
else
	# Alice's node key is generated here so the others can name her as their bootnode.
	alice_peer="$("$AIRTIME_NODE" key generate-node-key --file "$base/alice.key" 2>&1 >/dev/null | tail -n1)"
	start_validator alice 9944 30333 --node-key-file "$base/alice.key"
	boot="/ip4/127.0.0.1/tcp/30333/p2p/$alice_peer"
	i=1
	for name in bob charlie dave; do
		start_validator "$name" $((9944 + i)) $((30333 + i)) --bootnodes "$boot" \
			--unsafe-force-node-key-generation
		i=$((i + 1))
	done
fi

if [ "$worker" = 1 ]; then
	worker_bin="$(dirname "$AIRTIME_NODE")/airtime-worker"
	mkdir -p "$base/worker/inputs"
	cat >"$base/worker/worker.toml" <<TOML
rpc = "ws://127.0.0.1:9944"
seed = "//Bob"
data_dir = "$base/worker/data"
listen = "127.0.0.1:8490"
backend = "auto"
inputs = ["$base/worker/inputs"]
stake = "1000000000000000"
[[offers]]
kind = "GemmInt8"
max_units = 10000000
price_per_unit = "1000000"
[[offers]]
kind = "GemmF32"
max_units = 10000000
price_per_unit = "2000000"
[[offers]]
kind = "MlpFixedPoint"
max_units = 10000000
price_per_unit = "1000000"
[[offers]]
kind = "VectorSearch"
max_units = 10000000
price_per_unit = "1000000"
TOML
	"$worker_bin" --config "$base/worker/worker.toml" register >"$base/worker/register.json" \
		2>"$base/worker.log" || { tail -n 20 "$base/worker.log" >&2; die "worker registration failed"; }
	RUST_LOG=info "$worker_bin" --config "$base/worker/worker.toml" run >>"$base/worker.log" 2>&1 &
	pids+=("$!")
	log "Bob's worker runs: $(cat "$base/worker/register.json")"
	log "  inputs directory: $base/worker/inputs (files named by blake2-256 hex), log: $base/worker.log"
fi

cat <<MSG

Airtime $mode network is running. Connect polkadot.js apps:

  https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944#/explorer

Dev accounts (Alice, Bob, ...) hold 1,000,000 AIR each. Ctrl-C stops the network and removes
its state ($base).
MSG

# Exit (and clean up) as soon as any validator dies.
wait -n "${pids[@]}" || true
for log_file in "$base"/*.log; do
	printf '\n--- %s ---\n' "$log_file" >&2
	tail -n 20 "$log_file" >&2
done
die "a validator or the worker exited (logs above)"
