#!/bin/bash
# The containers' HEALTHCHECK, with nothing but bash and coreutils: the runtime images carry no
# curl or wget (one package less to patch), and bash's /dev/tcp is enough for one HTTP request.
#
#   airtime-healthcheck rpc  [PORT]         POST `system_health` to the node's JSON-RPC server
#                                           (PORT: $AIRTIME_RPC_PORT, else 9944); healthy when it
#                                           answers with a JSON-RPC `result`.
#   airtime-healthcheck http [PORT] [PATH]  GET PATH (default /health) from the worker's HTTP
#                                           server (PORT: from $AIRTIME_LISTEN, else 8490);
#                                           healthy on `200`.
#
# Why `system_health` for the node rather than Prometheus' GET /metrics on 9615: the RPC server is
# always on (Prometheus can be turned off with --no-prometheus), its answer is a few bytes (the
# metrics page is tens of kilobytes), and `system_health` is answered by the network service
# (peers, syncing), so a hung network task fails the check where a metrics scrape would not.
# It is the same probe scripts/lib/common.sh (wait_rpc) uses. It checks liveness only: a node
# with 0 peers or still syncing is "healthy" (a lone node legitimately has no peers).
set -euo pipefail

mode="${1:-rpc}"
case "$mode" in
rpc)
	port="${2:-${AIRTIME_RPC_PORT:-9944}}"
	body='{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}'
	request="POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\nConnection: close\r\n\r\n${body}"
	expect='"result"'
	;;
http)
	listen="${AIRTIME_LISTEN:-0.0.0.0:8490}"
	port="${2:-${listen##*:}}"
	path="${3:-/health}"
	request="GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n"
	expect='^HTTP/1\.[01] 200 '
	;;
*)
	echo "usage: airtime-healthcheck rpc [PORT] | http [PORT] [PATH]" >&2
	exit 2
	;;
esac

# The servers listen on 0.0.0.0 (or 127.0.0.1) inside the container: loopback reaches both.
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf '%b' "$request" >&3
timeout 5 grep -q -m 1 -e "$expect" <&3
