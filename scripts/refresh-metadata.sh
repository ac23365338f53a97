#!/usr/bin/env bash
# Refreshes the worker's committed runtime metadata (gpu-worker/artifacts/metadata.scale, the input
# of its subxt static codegen) from a running node.
#
#   scripts/refresh-metadata.sh [http://127.0.0.1:9944]
#
# Asks the node for metadata V15 (`state_call Metadata_metadata_at_version(15)`), strips the
# `Option` and length prefixes, and writes the bare metadata. Without a node, the runtime's
# `metadata` test does the same from the runtime built in the workspace:
#   AIRTIME_BLESS_METADATA=1 cargo test --release -p airtime-runtime \
#     --features airtime-runtime/fast-runtime,airtime-runtime/try-runtime --test integration -- metadata::
# (that test fails whenever the committed file is stale).
set -euo pipefail
url="${1:-http://127.0.0.1:9944}"
out="$(cd "$(dirname "$0")/.." && pwd)/gpu-worker/artifacts/metadata.scale"
python3 - "$url" "$out" <<'PY'
import json, sys, urllib.request
url, out = sys.argv[1], sys.argv[2]
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "state_call",
                   "params": ["Metadata_metadata_at_version", "0x0f000000"]}).encode()
req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
reply = json.load(urllib.request.urlopen(req, timeout=30))
if "error" in reply:
    sys.exit(f"node refused: {reply['error']}")
raw = bytes.fromhex(reply["result"][2:])
if not raw or raw[0] != 1:
    sys.exit("the node has no metadata V15")
raw = raw[1:]
# SCALE compact length prefix of the OpaqueMetadata bytes.
mode = raw[0] & 3
skip = {0: 1, 1: 2, 2: 4}.get(mode, (raw[0] >> 2) + 5)
meta = raw[skip:]
if meta[:4] != b"meta":
    sys.exit("unexpected metadata encoding (no 'meta' magic)")
open(out, "wb").write(meta)
print(f"wrote {len(meta)} bytes to {out}")
PY
