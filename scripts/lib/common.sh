#!/usr/bin/env bash
# Shared by scripts/run-dev.sh and scripts/test.sh: prerequisites, the shared cargo target
# directory and the one build every step uses. Source it; do not run it.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# One target directory outside the clone, reused by every run and every clone on this machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/airtime/target}"
# The one cargo profile shared by the node, the tests, the e2e and zombienet runs.
export AIRTIME_PROFILE=release
export AIRTIME_NODE="${AIRTIME_NODE:-$CARGO_TARGET_DIR/$AIRTIME_PROFILE/airtime-node}"
# The one feature set, likewise: the `fast-runtime` runtime (governance periods of a few blocks,
# so end-to-end referenda finish in minutes; it also builds the `upgrade-test` wasm) with
# `try-runtime` (migrations' pre/post checks and every pallet's try_state run in the tests).
# A production node is built without them: `cargo build --release -p airtime-node`.
export AIRTIME_FEATURES="${AIRTIME_FEATURES-airtime-node/fast-runtime,airtime-node/try-runtime}"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else die "need root to run '$*': install sudo or run as root"
	fi
}

# Installs what a fresh Debian/Ubuntu machine with only rustup, node/npm and apt lacks.
# Idempotent: each step checks first and does nothing when the tool is already there.
ensure_prereqs() {
	command -v rustup >/dev/null 2>&1 ||
		die "rustup is missing: install it with 'curl https://sh.rustup.rs -sSf | sh' (https://rustup.rs)"
	local missing=()
	command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
	command -v clang >/dev/null 2>&1 || missing+=(clang libclang-dev)
	command -v cc >/dev/null 2>&1 || missing+=(build-essential)
	command -v git >/dev/null 2>&1 || missing+=(git)
	command -v curl >/dev/null 2>&1 || missing+=(curl)
	command -v python3 >/dev/null 2>&1 || missing+=(python3)
	if [ "${#missing[@]}" -gt 0 ]; then
		command -v apt-get >/dev/null 2>&1 ||
			die "missing ${missing[*]} and no apt-get: install them with your package manager"
		log "installing ${missing[*]} (apt)"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi

	# The toolchain, wasm target and rust-src named in rust-toolchain.toml.
	local channel
	channel="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$REPO_ROOT/rust-toolchain.toml")"
	if ! rustup run "$channel" rustc --print target-list >/dev/null 2>&1 ||
		! rustup target list --installed --toolchain "$channel" 2>/dev/null | grep -qx wasm32v1-none ||
		! rustup component list --installed --toolchain "$channel" 2>/dev/null | grep -q '^rust-src'; then
		log "installing Rust $channel with wasm32v1-none and rust-src"
		rustup toolchain install "$channel" --profile minimal \
			--component rust-src,clippy,rustfmt --target wasm32v1-none
	fi
}

# npm packages of the end-to-end tests, exactly as the committed lockfile pins them.
ensure_npm_packages() {
	command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 ||
		die "node/npm are missing: install Node.js 18+ (e.g. 'apt-get install nodejs npm')"
	node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
		die "Node.js $(node --version) is too old: the e2e tests need 18+ (https://nodejs.org)"
	local stamp="$REPO_ROOT/e2e/node_modules/.airtime-lock"
	if [ ! -f "$stamp" ] || ! cmp -s "$REPO_ROOT/e2e/package-lock.json" "$stamp"; then
		log "installing e2e npm packages (npm ci)"
		(cd "$REPO_ROOT/e2e" && npm ci --no-audit --no-fund --loglevel=error)
		cp "$REPO_ROOT/e2e/package-lock.json" "$stamp"
	fi
}

# The one build: every workspace crate, with the shared profile. The node, the tests and the
# e2e runs all use what it produces, so nothing is compiled twice.
build_all() {
	log "cargo build --$AIRTIME_PROFILE --workspace --features $AIRTIME_FEATURES (target dir $CARGO_TARGET_DIR)"
	(cd "$REPO_ROOT" && cargo build --locked --"$AIRTIME_PROFILE" --workspace --all-targets \
		--features "$AIRTIME_FEATURES")
	[ -x "$AIRTIME_NODE" ] || die "the build did not produce $AIRTIME_NODE"
}

# The node with the `runtime-benchmarks` feature and no other (the production runtime, not
# `fast-runtime`), for scripts/bench.sh and scripts/bench-overhead.sh, at $AIRTIME_BENCH_NODE.
# Cargo keeps its artifacts apart from the tests' feature set, but links the binary to the same
# path as `build_all`: until the next `build_all`, that path holds the benchmarking node.
AIRTIME_BENCH_NODE="$CARGO_TARGET_DIR/$AIRTIME_PROFILE/airtime-node"
build_bench_node() {
	log "building airtime-node with runtime-benchmarks"
	(cd "$REPO_ROOT" && cargo build --locked --profile "$AIRTIME_PROFILE" -p airtime-node \
		--features runtime-benchmarks)
	[ -x "$AIRTIME_BENCH_NODE" ] || die "the build did not produce $AIRTIME_BENCH_NODE"
}

# Waits until the node's RPC on port $1 answers `system_health`, or fails after $2 seconds
# (default 120) or as soon as process $3 (optional) has exited.
wait_rpc() {
	local port="$1" timeout="${2:-120}" pid="${3:-}" start=$SECONDS
	until curl -sf -m 2 -H 'content-type: application/json' \
		-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
		"http://127.0.0.1:$port" >/dev/null 2>&1; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
		if [ $((SECONDS - start)) -ge "$timeout" ]; then return 1; fi
		sleep 0.5
	done
}
