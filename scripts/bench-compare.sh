#!/usr/bin/env bash
# bench-compare.sh — petro's throughput against the consensus ceiling, in one run.
#
# With the same offered rate, duration and block timing, measures in turn:
#   kv1     CometBFT's built-in kvstore app (same CometBFT version), 1 node,
#           loaded by CometBFT's test/loadtime `load` tool (sync broadcast)
#   kv4     the same on 4 validators on loopback ports
#   petro1  petrod, 1 validator (`petrod testnet --validators 1`), `petrod bench`
#   petro4  petrod, 4 validators (`petrod testnet --validators 4`), `petrod bench`
#           sending to all four nodes
#   kv4lat, petro4lat  kv4 and petro4 again at LAT_RATE (1,000 tx/s), both
#           loaded by `petrod bench` (kvstore with --kvstore: unique 222-byte
#           txs over CometBFT RPC broadcast_tx_sync): the latency comparison,
#           p99 submit→commit measured by the same client the same way
# "node CPU µs per committed tx" is the user + system CPU time of all the
# setup's node processes (from /proc) while it was loaded, divided by the txs
# it committed: the cost of a tx to the whole network, whatever the machine's
# load. It prints a table and appends it, with the date, machine and load average, to
# BENCHMARKS.md. Loopback only; every process it starts is stopped on exit.
#
# Settings (environment):
#   DURATION=60        seconds of load per setup
#   RATE=1000          offered tx/s (the same for kv1, kv4, petro1, petro4)
#   LAT_RATE=1000      offered tx/s for kv4lat and petro4lat
#   CONCURRENCY=16     petrod bench workers
#   ACCOUNTS=2000      petrod bench sending accounts (funded from val0 first)
#   TIMEOUT_COMMIT=1s  consensus timeout_commit for every setup
#   MEMPOOL_SIZE=      config.toml [mempool] size for every setup (empty: as
#                      generated: CometBFT's 5000 for kvstore, petrod's default)
#   TX_SIZE=0          loadtime payload bytes (0 = petrod's transfer size: the
#                      petro run's average if it ran first, else 222 bytes)
#   SETUPS="kv1 kv4 petro1 petro4 kv4lat petro4lat"
#   BASE_PORT=21600    first port used (each setup uses up to 40 ports from
#                      here; below Linux's ephemeral range 32768-60999 so no
#                      outgoing connection holds one)
#   OUT=BENCHMARKS.md  file to append to ("" = don't append)
#   KEEP=1             keep the work directory (homes, logs, JSON results)
#   PETROD=path        use this petrod binary instead of building ./cmd/petrod
set -euo pipefail

DURATION=${DURATION:-60}
RATE=${RATE:-1000}
LAT_RATE=${LAT_RATE:-1000}
CONCURRENCY=${CONCURRENCY:-16}
ACCOUNTS=${ACCOUNTS:-2000}
TIMEOUT_COMMIT=${TIMEOUT_COMMIT:-1s}
TX_SIZE=${TX_SIZE:-0}
SETUPS=${SETUPS:-"kv1 kv4 petro1 petro4 kv4lat petro4lat"}
BASE_PORT=${BASE_PORT:-21600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT-$ROOT/BENCHMARKS.md}
WORK=$(mktemp -d -t petro-bench-XXXXXX)
BIN=$WORK/bin
PIDS=()

log() { printf '%s bench-compare: %s\n' "$(date +%T)" "$*" >&2; }

stop_pids() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	PIDS=()
}
cleanup() {
	local rc=$?
	stop_pids
	if [[ "${KEEP:-}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in jq curl awk go; do command -v $t >/dev/null || { echo "bench-compare: $t is required" >&2; exit 1; }; done

log "building petrod and CometBFT's cometbft, load, report (tools module) into $BIN"
mkdir -p "$BIN"
if [[ -n "${PETROD:-}" ]]; then cp "$PETROD" "$BIN/petrod"; else (cd "$ROOT" && go build -o "$BIN/petrod" ./cmd/petrod); fi
(cd "$ROOT/tools" && go build -o "$BIN/" github.com/cometbft/cometbft/cmd/cometbft \
	github.com/cometbft/cometbft/test/loadtime/cmd/load github.com/cometbft/cometbft/test/loadtime/cmd/report)

height() { curl -fsS "$1/status" 2>/dev/null | jq -r '.result.sync_info.latest_block_height' 2>/dev/null || echo 0; }
wait_height() { # URL MIN TIMEOUT_S
	local i
	for i in $(seq 1 $(($3 * 5))); do
		[[ $(height "$1") -ge $2 ]] && return 0
		sleep 0.2
	done
	echo "bench-compare: $1 did not reach height $2 in $3 s" >&2
	return 1
}

# committed_txs URL FROM TO: txs in blocks FROM..TO (kvstore accepts every loadtime tx).
committed_txs() {
	local url=$1 from=$2 to=$3 lo n=0 c
	for ((lo = from; lo <= to; lo += 20)); do
		c=$(curl -fsS "$url/blockchain?minHeight=$lo&maxHeight=$((lo + 19 < to ? lo + 19 : to))" |
			jq '[.result.block_metas[].num_txs | tonumber] | add // 0')
		n=$((n + c))
	done
	echo $n
}

# percentiles of column 3 (ns) of a loadtime report CSV, as "p50 p95 p99" in ms.
csv_pcts() {
	tail -n +2 "$1" | cut -d, -f3 | sort -n | awk '{a[NR]=$1} END {
		if (NR == 0) { print "- - -"; exit }
		split("50 95 99", ps, " ")
		for (i = 1; i <= 3; i++) { r = int(ps[i] / 100 * NR); if (r < ps[i] / 100 * NR) r++; if (r < 1) r = 1
			printf "%s%.0f", (i > 1 ? " " : ""), a[r] / 1e6 }
		print "" }'
}

# cometbft config edits for loopback node I of a setup at port base B.
kv_config() { # HOME B I PEERS
	local cfg=$1/config/config.toml p2p=$(($2 + 10 * $3)) rpc=$(($2 + 10 * $3 + 1))
	sed -i \
		-e "s|^laddr = \"tcp://0.0.0.0:26656\"|laddr = \"tcp://127.0.0.1:$p2p\"|" \
		-e "s|^laddr = \"tcp://127.0.0.1:26657\"|laddr = \"tcp://127.0.0.1:$rpc\"|" \
		-e "s|^proxy_app = .*|proxy_app = \"kvstore\"|" \
		-e "s|^timeout_commit = .*|timeout_commit = \"$TIMEOUT_COMMIT\"|" \
		-e "s|^db_backend = .*|db_backend = \"goleveldb\"|" \
		-e "s|^allow_duplicate_ip = .*|allow_duplicate_ip = true|" \
		-e "s|^addr_book_strict = .*|addr_book_strict = false|" \
		-e "s|^persistent_peers = .*|persistent_peers = \"$4\"|" \
		-e "s|^prometheus = .*|prometheus = false|" \
		-e "s|^log_level = .*|log_level = \"info\"|" \
		"$cfg"
	# CometBFT's defaults that differ from petrod testnet's are left as they are
	# except the ones above; both use the default mempool and block size.
}

# cpu_ticks: user + system CPU clock ticks used so far by the running setup's node processes.
cpu_ticks() {
	local p t=0
	for p in "${PIDS[@]}"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
	echo $t
}
# us_per_tx TICKS TXS: node CPU µs per committed tx.
us_per_tx() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN{ if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "-" }'; }

# set_mempool CONFIG_TOML: apply MEMPOOL_SIZE (the only "size = " key is [mempool]'s).
set_mempool() {
	[[ -n "${MEMPOOL_SIZE:-}" ]] || return 0
	[[ $(grep -c '^size = ' "$1") == 1 ]] || { echo "bench-compare: cannot find [mempool] size in $1" >&2; exit 1; }
	sed -i "s|^size = .*|size = $MEMPOOL_SIZE|" "$1"
}

RESULTS=$WORK/results.tsv
: >"$RESULTS"

run_kv() { # NAME VALIDATORS BASE RATE [DRIVER: loadtime (default) | bench]
	local name=$1 n=$2 base=$3 rate=$4 driver=${5:-loadtime} dir=$WORK/$1 i peers ids=() rpc h0 h1 c
	log "$name: kvstore, $n node(s)"
	if [[ $n == 1 ]]; then
		"$BIN/cometbft" init --home "$dir/node0" >/dev/null 2>&1
	else
		"$BIN/cometbft" testnet --v "$n" --o "$dir" --populate-persistent-peers=false >/dev/null 2>&1
	fi
	for ((i = 0; i < n; i++)); do ids+=("$("$BIN/cometbft" show-node-id --home "$dir/node$i")"); done
	for ((i = 0; i < n; i++)); do
		peers=""
		for ((j = 0; j < n; j++)); do
			[[ $j == "$i" ]] && continue
			peers+="${peers:+,}${ids[$j]}@127.0.0.1:$((base + 10 * j))"
		done
		kv_config "$dir/node$i" "$base" "$i" "$peers"
		set_mempool "$dir/node$i/config/config.toml"
	done
	for ((i = 0; i < n; i++)); do
		"$BIN/cometbft" start --home "$dir/node$i" --proxy_app=kvstore >"$dir/node$i.log" 2>&1 &
		PIDS+=($!)
	done
	rpc=http://127.0.0.1:$((base + 1))
	wait_height "$rpc" 2 60
	local size=$TX_SIZE
	[[ $size -gt 0 ]] || size=${PETRO_TX_SIZE:-222}
	if [[ $driver == bench ]]; then
		local urls=""
		for ((i = 0; i < n; i++)); do urls+="${urls:+,}http://127.0.0.1:$((base + 10 * i + 1))"; done
		bench_setup "$name" "kvstore ×$n (petrod bench --kvstore, $CONCURRENCY workers)" "$rate" \
			--kvstore --tx-size "$size" --node "$urls" --node-rpc "$rpc"
		return
	fi
	h0=$(height "$rpc")
	local t0 t1 eps=""
	t0=$(cpu_ticks)
	for ((i = 0; i < n; i++)); do eps+="${eps:+,}ws://127.0.0.1:$((base + 10 * i + 1))/websocket"; done
	# loadtime sends -r tx/s on each connection to each endpoint: one
	# connection to every node (as petrod bench sends to every node), RATE/n each.
	"$BIN/load" -c 1 -T "$DURATION" -r "$(( ${rate%.*} / n ))" -s "$size" --broadcast-tx-method sync \
		--endpoints "$eps" >"$dir/load.log" 2>&1 || log "$name: load exited $? (see $dir/load.log)"
	h1=$(height "$rpc")
	t1=$(cpu_ticks)
	c=$(committed_txs "$rpc" $((h0 + 1)) "$h1")
	sleep 3
	stop_pids
	"$BIN/report" --database-type goleveldb --data-dir "$dir/node0/data" --csv "$dir/latency.csv" >"$dir/report.txt" 2>&1 || true
	read -r p50 p95 p99 < <(csv_pcts "$dir/latency.csv")
	printf '%s\t%s\t%s\t%.1f\t-\t-\t-\t%s\t%s\t%s\t%s\t%s\n' "$name" "kvstore ×$n (loadtime load, sync)" "$rate" \
		"$(awk -v c="$c" -v d="$DURATION" 'BEGIN{print c/d}')" "$p50" "$p95" "$p99" "$size" "$(us_per_tx $((t1 - t0)) "$c")" >>"$RESULTS"
	log "$name: $c txs committed in heights $((h0 + 1))..$h1; latency (header) p50/p95/p99 $p50/$p95/$p99 ms"
}

run_petro() { # NAME VALIDATORS BASE RATE
	local name=$1 n=$2 base=$3 rate=$4 dir=$WORK/$1 i nodes
	log "$name: petrod, $n validator(s)"
	"$BIN/petrod" testnet --validators "$n" --output "$dir" --base-port "$base" --timeout-commit "$TIMEOUT_COMMIT" >/dev/null
	for ((i = 0; i < n; i++)); do set_mempool "$dir/node$i/config/config.toml"; done
	for ((i = 0; i < n; i++)); do
		"$BIN/petrod" start --home "$dir/node$i" --log_level error >"$dir/node$i.log" 2>&1 &
		PIDS+=($!)
	done
	nodes=$(jq -r '[.nodes[].grpc] | join(",")' "$dir/testnet.json")
	wait_height "http://127.0.0.1:$((base + 1))" 2 60
	bench_setup "$name" "petrod ×$n (petrod bench, $CONCURRENCY workers, $ACCOUNTS accounts)" "$rate" \
		--node "$nodes" --node-rpc "http://127.0.0.1:$((base + 1))" \
		--home "$dir" --keyring-backend test --fund-from val0 --accounts "$ACCOUNTS"
	[[ -n "${PETRO_TX_SIZE:-}" ]] || PETRO_TX_SIZE=$(jq -r '.tx_bytes_avg|round' "$WORK/$name/bench.json")
}

# bench_setup NAME SETUP RATE BENCH-ARGS…: runs petrod bench against the
# running setup (its processes in PIDS), stops it and records the row. Node
# CPU is counted from when the load starts (after funding and signing) to
# when bench is done (the mempool drained).
bench_setup() {
	local name=$1 setup=$2 rate=$3 dir=$WORK/$1 t0 t1 bpid
	shift 3
	mkdir -p "$dir"
	"$BIN/petrod" bench "$@" --rate "$rate" --duration "${DURATION}s" --concurrency "$CONCURRENCY" --progress=true \
		-o json >"$dir/bench.json" 2>"$dir/bench.log" &
	bpid=$!
	while kill -0 "$bpid" 2>/dev/null && ! grep -q '^bench: sending' "$dir/bench.log"; do sleep 0.1; done
	t0=$(cpu_ticks)
	wait "$bpid" || { log "$name: petrod bench failed:"; tail -n 5 "$dir/bench.log" >&2; exit 1; }
	t1=$(cpu_ticks)
	stop_pids
	jq -r --arg name "$name" --arg setup "$setup" --arg rate "$rate" \
		'[$name, $setup, $rate, (.committed_tps*10|round/10), (.latency_ms.p50|round), (.latency_ms.p95|round), (.latency_ms.p99|round),
		  (.latency_header_ms.p50|round), (.latency_header_ms.p95|round), (.latency_header_ms.p99|round), (.tx_bytes_avg|round),
		  $cpu] | @tsv' --arg cpu "$(us_per_tx $((t1 - t0)) "$(jq -r .committed "$dir/bench.json")")" \
		"$dir/bench.json" >>"$RESULTS"
	log "$name: $(jq -c '{committed_tps, submitted_tps, committed, not_committed, latency_ms, checktx_rejects, block_rejects}' "$dir/bench.json")"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u +%FT%TZ)
port=$BASE_PORT
for s in $SETUPS; do
	case $s in
	kv1) run_kv kv1 1 "$port" "$RATE" ;;
	kv4) run_kv kv4 4 "$port" "$RATE" ;;
	petro1) run_petro petro1 1 "$port" "$RATE" ;;
	petro4) run_petro petro4 4 "$port" "$RATE" ;;
	kv4lat) run_kv kv4lat 4 "$port" "$LAT_RATE" bench ;;
	petro4lat) run_petro petro4lat 4 "$port" "$LAT_RATE" ;;
	*) echo "bench-compare: unknown setup $s" >&2; exit 2 ;;
	esac
	port=$((port + 50))
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

kv_of() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n {print $c}' "$RESULTS"; } # NAME COLUMN
TABLE=$(
	echo "| setup | offered tx/s | committed tx/s | p50 / p95 / p99 ms (client-observed) | p50 / p95 / p99 ms (header time) | tx bytes | node CPU µs per committed tx | committed ÷ kvstore's | p99 (client-observed) ÷ kvstore's |"
	echo "|---|---|---|---|---|---|---|---|---|"
	while IFS=$'\t' read -r name setup rate tps o50 o95 o99 h50 h95 h99 size cpu; do
		ref="" ratio="—" lat="—"
		case $name in petro1) ref=kv1 ;; petro4) ref=kv4 ;; petro4lat) ref=kv4lat ;; esac
		if [[ -n "$ref" ]]; then
			r=$(kv_of "$ref" 4)
			[[ -n "$r" && "$r" != 0 ]] && ratio=$(awk -v a="$tps" -v b="$r" 'BEGIN{printf "%.2f", a/b}')
			r=$(kv_of "$ref" 7)
			[[ -n "$r" && "$r" != 0 && "$r" != - ]] && lat=$(awk -v a="$o99" -v b="$r" 'BEGIN{printf "%.2f", a/b}')
		fi
		obs="$o50 / $o95 / $o99"
		[[ $o50 == - ]] && obs="n/a"
		echo "| $name: $setup | $rate | $tps | $obs | $h50 / $h95 / $h99 | $size | $cpu | $ratio | $lat |"
	done <"$RESULTS"
)
MACHINE="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3), load average $LOAD_BEFORE before / $LOAD_AFTER after"
REPORT="### bench-compare $START

$MACHINE. DURATION=${DURATION}s per setup, RATE=$RATE, LAT_RATE=$LAT_RATE, TIMEOUT_COMMIT=$TIMEOUT_COMMIT, MEMPOOL_SIZE=${MEMPOOL_SIZE:-default}, CONCURRENCY=$CONCURRENCY, ACCOUNTS=$ACCOUNTS, commit $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet 2>/dev/null || echo ' (+ local changes)').

$TABLE
"
echo "$REPORT"
if [[ -n "$OUT" ]]; then
	printf '\n%s' "$REPORT" >>"$OUT"
	log "appended to $OUT"
fi
