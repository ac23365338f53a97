#!/usr/bin/env bash
# GPU checks of airtime-worker's CUDA backend (cudarc, which opens the CUDA driver, cuBLAS and
# NVRTC at run time: the binaries build without CUDA and need no Rust on the GPU machine).
#
#   scripts/gpu-check.sh --build   (a machine with cargo) build the CUDA tests (tests/cuda.rs), the
#                                  vectors tests (tests/vectors.rs) and the GPU bench
#                                  (benches/gpu.rs) in release and copy them into the bin
#                                  directory as cuda-tests, vectors-tests and gpu-bench.
#   scripts/gpu-check.sh [--run]   (the GPU machine, no cargo) print nvidia-smi, find the CUDA
#                                  libraries, run the CUDA tests with a GPU required (no
#                                  skipping), the vectors tests, then the GPU bench; everything is
#                                  also written to $OUT/gpu-check.log.
#   scripts/gpu-check.sh --ci      (a machine with cargo, GPU or not) the CUDA code compiles (the
#                                  test and the bench) and the CUDA test passes: it skips cleanly
#                                  where there is no CUDA device.
#
# Environment:
#   AIRTIME_GPU_BIN       the bin directory (default: <repo>/.gpu-bin)
#   OUT                   where gpu-check.log goes (default: /tmp)
#   CARGO_TARGET_DIR      cargo's target directory (default, as scripts/test.sh:
#                         ~/.cache/airtime/target)
#   AIRTIME_VECTORS_FILE  the pinned test vectors (default: <repo>/gpu-worker/fixtures/
#                         test-vectors.json); set because the path compiled into the binaries
#                         is the build machine's
#   AIRTIME_CUDA_LIB_DIRS extra directories (colon-separated) searched first for the libraries
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="${AIRTIME_GPU_BIN:-$REPO_ROOT/.gpu-bin}"

log() { printf '==> %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

need_cargo() {
	command -v cargo >/dev/null 2>&1 || die "cargo is missing: $1 needs a Rust toolchain"
	export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/airtime/target}"
}

# --build: compile the three binaries and copy them into $BIN_DIR.
build() {
	need_cargo --build
	mkdir -p "$BIN_DIR"
	local json tests=(--test cuda)
	if [ -f "$REPO_ROOT/gpu-worker/tests/vectors.rs" ]; then
		tests+=(--test vectors)
	else
		log "gpu-worker/tests/vectors.rs does not exist: building without vectors-tests"
	fi
	json="$(mktemp)"
	log "cargo test --release -p airtime-worker ${tests[*]} --no-run (target dir $CARGO_TARGET_DIR)"
	(cd "$REPO_ROOT" && cargo test --release -p airtime-worker "${tests[@]}" --no-run \
		--message-format=json-render-diagnostics) >"$json"
	log "cargo bench -p airtime-worker --bench gpu --no-run"
	(cd "$REPO_ROOT" && cargo bench -p airtime-worker --bench gpu --no-run \
		--message-format=json-render-diagnostics) >>"$json"
	python3 - "$json" "$BIN_DIR" <<'PY'
import json, os, shutil, sys

path, out = sys.argv[1], sys.argv[2]
want = {("test", "cuda"): "cuda-tests", ("test", "vectors"): "vectors-tests",
        ("bench", "gpu"): "gpu-bench"}
found = {}
with open(path) as f:
    for line in f:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
            continue
        if "airtime-worker" not in msg.get("package_id", ""):
            continue
        target = msg.get("target", {})
        for kind in target.get("kind", []):
            name = want.get((kind, target.get("name")))
            if name:
                found[name] = msg["executable"]
for required in ("cuda-tests", "gpu-bench"):
    if required not in found:
        sys.exit(f"cargo did not report the {required} executable")
for name, src in sorted(found.items()):
    dst = os.path.join(out, name)
    shutil.copy2(src, dst)
    print(f"{dst} ({os.path.getsize(dst) // (1 << 20)} MiB) <- {src}")
PY
	rm -f "$json"
	log "done: copy the repository with $BIN_DIR to the GPU machine and run scripts/gpu-check.sh"
}

# Directories that may hold the CUDA libraries, most specific first, one per line.
lib_dirs() {
	local d
	if [ -n "${AIRTIME_CUDA_LIB_DIRS:-}" ]; then
		tr ':' '\n' <<<"$AIRTIME_CUDA_LIB_DIRS"
	fi
	for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
		/usr/local/cuda-*/lib64 /usr/local/cuda-*/targets/x86_64-linux/lib \
		/usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 \
		/usr/local/lib/python3*/dist-packages/nvidia/*/lib \
		/usr/local/lib/python3*/site-packages/nvidia/*/lib \
		/usr/lib/python3/dist-packages/nvidia/*/lib \
		/opt/conda/lib/python3*/site-packages/nvidia/*/lib \
		"${HOME:-/nonexistent}"/.local/lib/python3*/site-packages/nvidia/*/lib; do
		[ -d "$d" ] && printf '%s\n' "$d"
	done
	# pip's nvidia-* wheels wherever this machine's python keeps them.
	if command -v python3 >/dev/null 2>&1; then
		python3 - <<'PY' 2>/dev/null || true
import glob, site, sys
roots = list(getattr(site, "getsitepackages", lambda: [])())
roots += [site.getusersitepackages()] + sys.path
seen = set()
for root in roots:
    for d in sorted(glob.glob(root + "/nvidia/*/lib")):
        if d not in seen:
            seen.add(d)
            print(d)
PY
	fi
}

# The newest library (by version in its file name) matching the glob $1 in $2 (a directory) or,
# without $2, in any candidate directory; never a stub. Prints nothing when there is none.
find_lib() {
	local pattern="$1" only="${2:-}" d f
	{
		if [ -n "$only" ]; then
			printf '%s\n' "$only"
		else
			lib_dirs
		fi
	} | while IFS= read -r d; do
		for f in "$d"/$pattern; do
			[ -e "$f" ] || continue
			case "$f" in */stubs/*) continue ;; esac
			printf '%s %s\n' "${f##*/}" "$f"
		done
	done | sort -V -k1,1 | tail -n 1 | cut -d' ' -f2-
}

# Find libcuda, cuBLAS (and cuBLASLt) and NVRTC (and its builtins), link them under the names
# cudarc's cuda-12080 bindings look for (libcuda.so, libcublas.so, libnvrtc.so: it does not try
# the .so.13 names) in a temporary directory, and put it and the libraries' own directories first
# on LD_LIBRARY_PATH.
setup_libs() {
	local libdir cuda cublas cublaslt nvrtc builtins
	cuda="$(ldconfig -p 2>/dev/null |
		awk '/libcuda\.so\.1 / && /x86-64/ { print $NF; exit }' || true)"
	[ -n "$cuda" ] || cuda="$(find_lib 'libcuda.so.1')"
	[ -n "$cuda" ] || cuda="$(find_lib 'libcuda.so.[0-9]*')"
	cublas="$(find_lib 'libcublas.so.[0-9]*')"
	nvrtc="$(find_lib 'libnvrtc.so.[0-9]*')"
	[ -n "$cuda" ] || die "libcuda.so.1 (the NVIDIA driver) not found"
	[ -n "$cublas" ] || die "libcublas.so.* not found (CUDA toolkit or pip nvidia-cublas)"
	[ -n "$nvrtc" ] || die "libnvrtc.so.* not found (CUDA toolkit or pip nvidia-cuda-nvrtc)"
	cublaslt="$(find_lib 'libcublasLt.so.[0-9]*' "$(dirname "$cublas")")"
	[ -n "$cublaslt" ] || cublaslt="$(find_lib 'libcublasLt.so.[0-9]*')"
	builtins="$(find_lib 'libnvrtc-builtins.so.[0-9]*' "$(dirname "$nvrtc")")"
	[ -n "$builtins" ] || builtins="$(find_lib 'libnvrtc-builtins.so.[0-9]*')"

	libdir="$(mktemp -d)"
	ln -sf "$cuda" "$libdir/libcuda.so"
	ln -sf "$cublas" "$libdir/libcublas.so"
	ln -sf "$nvrtc" "$libdir/libnvrtc.so"
	if [ -n "$cublaslt" ]; then
		ln -sf "$cublaslt" "$libdir/libcublasLt.so"
		# libcublas needs libcublasLt by its soname (libcublasLt.so.13 and the like).
		local soname
		soname="$(basename "$cublaslt" | sed -E 's/^(libcublasLt\.so\.[0-9]+).*/\1/')"
		ln -sf "$cublaslt" "$libdir/$soname"
	fi
	if [ -n "$builtins" ]; then
		ln -sf "$builtins" "$libdir/libnvrtc-builtins.so"
		ln -sf "$builtins" "$libdir/$(basename "$builtins")"
	fi
	local dirs="$libdir" d
	for d in "$(dirname "$cublas")" "$(dirname "$nvrtc")" "$(dirname "$cuda")"; do
		case ":$dirs:" in *":$d:"*) ;; *) dirs="$dirs:$d" ;; esac
	done
	export LD_LIBRARY_PATH="$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	printf 'libcuda:        %s\n' "$cuda"
	printf 'libcublas:      %s\n' "$cublas"
	printf 'libcublasLt:    %s\n' "${cublaslt:-(not found: libcublas must find it itself)}"
	printf 'libnvrtc:       %s\n' "$nvrtc"
	printf 'nvrtc-builtins: %s\n' "${builtins:-(not found: NVRTC must find it itself)}"
	printf 'LD_LIBRARY_PATH=%s\n' "$LD_LIBRARY_PATH"
}

run_checks() {
	set -e
	local b failed=()
	for b in cuda-tests gpu-bench; do
		[ -x "$BIN_DIR/$b" ] ||
			die "$BIN_DIR/$b is missing: build it with 'scripts/gpu-check.sh --build' (needs cargo)"
	done
	log "$(date -u +%FT%TZ) on $(hostname)"
	log "nvidia-smi"
	if command -v nvidia-smi >/dev/null 2>&1; then
		nvidia-smi || true
	else
		echo "nvidia-smi not found"
	fi
	log "CUDA libraries"
	setup_libs
	local vectors="$REPO_ROOT/gpu-worker/fixtures/test-vectors.json"
	export AIRTIME_VECTORS_FILE="${AIRTIME_VECTORS_FILE:-$vectors}"
	[ -f "$AIRTIME_VECTORS_FILE" ] || log "warning: $AIRTIME_VECTORS_FILE does not exist"
	cd "$REPO_ROOT"

	log "CUDA tests (AIRTIME_REQUIRE_GPU=1)"
	AIRTIME_REQUIRE_GPU=1 "$BIN_DIR/cuda-tests" --test-threads=1 --nocapture || failed+=(cuda-tests)
	if [ -x "$BIN_DIR/vectors-tests" ]; then
		log "vectors tests"
		AIRTIME_REQUIRE_GPU=1 "$BIN_DIR/vectors-tests" --test-threads=1 || failed+=(vectors-tests)
	else
		log "no $BIN_DIR/vectors-tests: skipped"
	fi
	log "GPU bench"
	"$BIN_DIR/gpu-bench" --bench || failed+=(gpu-bench)

	if [ "${#failed[@]}" -gt 0 ]; then
		printf 'gpu-check: FAILED: %s\n' "${failed[*]}"
		return 1
	fi
	echo "gpu-check: all passed"
}

# --ci: the CUDA code compiles and its test passes (skipping where there is no GPU).
ci() {
	need_cargo --ci
	cd "$REPO_ROOT"
	log "cargo test --release -p airtime-worker --test cuda (skips without a CUDA device)"
	cargo test --release -p airtime-worker --test cuda -- --nocapture
	log "cargo bench -p airtime-worker --bench gpu --no-run"
	cargo bench -p airtime-worker --bench gpu --no-run
}

case "${1:---run}" in
--build) build ;;
--ci) ci ;;
--run)
	out_dir="${OUT:-/tmp}"
	mkdir -p "$out_dir"
	log "logging to $out_dir/gpu-check.log"
	set +e
	run_checks 2>&1 | tee "$out_dir/gpu-check.log"
	status="${PIPESTATUS[0]}"
	set -e
	exit "$status"
	;;
-h | --help) sed -n '2,26p' "$0" ;;
*) die "unknown mode '$1' (--build, --run, --ci or --help)" ;;
esac
