// petro standalone audit page: runs petroAudit (petro-audit.wasm) and
// shows only what it verified. Query parameters prefill the form
// (rest, rpc, chain_id, trust_height, trust_hash, max_lag_seconds);
// auto=1 verifies at once.
"use strict";
const $ = (id) => document.getElementById(id);
const units = (u) => { const s = String(u).padStart(9, "0"); const w = s.slice(0, -8), f = s.slice(-8).replace(/0+$/, ""); return f ? w + "." + f : w; };
const pct = (bps) => (bps / 100).toFixed(2) + " %";
let lastRounds = [];

function row(table, cells) {
  const tr = document.createElement("tr");
  for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
  $(table).appendChild(tr);
}

function chart(rounds) {
  const svg = $("chart"), w = 600, h = 120;
  svg.innerHTML = "";
  if (!rounds.length) return;
  const max = Math.max(...rounds.map((r) => r.coverage_bps), 1);
  const pts = rounds.map((r, i) => `${rounds.length === 1 ? w / 2 : (i * (w - 20)) / (rounds.length - 1) + 10},${h - 10 - ((h - 20) * r.coverage_bps) / max}`);
  svg.innerHTML = `<polyline fill="none" stroke="#064" stroke-width="2" points="${pts.join(" ")}"/>` +
    pts.map((p) => `<circle class="point" r="3" cx="${p.split(",")[0]}" cy="${p.split(",")[1]}"/>`).join("");
}

function csv() {
  const head = "round_id,settled_height,observed_at,reserve_barrels,price_usd,supply_ptr,coverage_pct,status,header_hash,app_hash";
  const lines = lastRounds.map((r) => [r.id, r.settled_height, r.observed_at, units(r.reserve_barrels), units(r.price), units(r.supply),
    (r.coverage_bps / 100).toFixed(2), r.status, r.header_hash, r.app_hash].join(","));
  return [head, ...lines].join("\n") + "\n";
}

async function verify(cfg) {
  $("figures").hidden = true; $("failure").hidden = true; $("progress").textContent = "verifying…";
  try {
    const res = JSON.parse(await petroAudit(JSON.stringify(cfg)));
    $("height").textContent = res.height; $("header").textContent = res.header_hash; $("apphash").textContent = res.app_hash;
    $("time").textContent = res.header_time;
    $("witnessed").textContent = res.witnessed ? "WITNESSED" : "UNWITNESSED";
    $("witnessed").className = "badge " + (res.witnessed ? "verified" : "failed");
    $("assumption").textContent = "assumption: " + res.assumption; $("status").textContent = res.status; $("supply").textContent = units(res.supply);
    $("capacity").textContent = units(res.capacity); $("coverage").textContent = pct(res.coverage_bps);
    $("headroom").textContent = res.status === "OK" ? units(res.issuable_headroom) : "blocked: backing is " + res.status;
    $("headroom").className = res.status === "OK" ? "" : "blocked";
    lastRounds = res.rounds;
    for (const r of res.rounds) row("rounds", [r.id, r.settled_height, units(r.reserve_barrels), units(r.price), units(r.supply), pct(r.coverage_bps), r.status]);
    for (const r of res.redemptions) row("redemptions", [r.id, r.owner, units(r.amount), r.status]);
    chart(res.rounds);
    $("nav").textContent = "…";
    fetch(cfg.rest.replace(/\/$/, "") + "/petro/reserve/v1/status").then((r) => r.json()).then((s) => { $("nav").textContent = (s.backing && s.backing.nav) || "-"; }, () => { $("nav").textContent = "-"; });
    $("figures").hidden = false;
    document.body.dataset.result = "verified";
  } catch (e) {
    $("reason").textContent = String((e && e.message) || e);
    $("failure").hidden = false;
    document.body.dataset.result = "failed";
  }
  $("progress").textContent = "";
}

function config() {
  const f = new FormData($("cfg")), c = {};
  for (const [k, v] of f) c[k] = v;
  c.trust_height = Number(c.trust_height); c.max_lag_seconds = Number(c.max_lag_seconds);
  c.witnesses = (c.witnesses || "").split(",").map((s) => s.trim()).filter((s) => s);
  return c;
}

$("csv").addEventListener("click", () => {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([csv()], { type: "text/csv" }));
  a.download = "petro-rounds.csv"; a.click();
});

const go = new Go();
const ready = WebAssembly.instantiateStreaming(fetch("petro-audit.wasm"), go.importObject).then((r) => { go.run(r.instance); });
$("cfg").addEventListener("submit", (ev) => { ev.preventDefault(); ready.then(() => verify(config())); });
const q = new URLSearchParams(location.search);
for (const [k, v] of q) if ($("cfg").elements[k]) $("cfg").elements[k].value = v;
if (q.get("auto") === "1") ready.then(() => verify(config()));
