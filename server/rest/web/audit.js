// petro audit page: polls the node's REST/JSON gateway and renders the
// backing of PTR. No framework, no build step, no third-party code.
// Every query after the first is pinned to the height the status answered
// at, so one render is one consistent snapshot of committed state.
"use strict";

(function () {
  const API = "/petro";
  const params = new URLSearchParams(location.search);
  const REFRESH_MS = Math.max(1, Number(params.get("refresh")) || 5) * 1000;
  const HISTORY_POINTS = 200;
  const ROUND_ROWS = 10;
  const SVGNS = "http://www.w3.org/2000/svg";

  const $ = (id) => document.getElementById(id);

  // ---- formatting (exact: amounts are uint64 strings, so BigInt) ----

  const big = (v) => {
    try { return BigInt(v == null || v === "" ? 0 : v); } catch (e) { return 0n; }
  };
  const group = (s) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

  // fixed renders v (an integer of 10^-scale units) with at most maxFrac
  // and at least minFrac decimals, rounding half up.
  function fixed(v, scale, maxFrac, minFrac) {
    let neg = v < 0n;
    if (neg) v = -v;
    let s = scale;
    if (maxFrac < scale) {
      const d = 10n ** BigInt(scale - maxFrac);
      v = (v + d / 2n) / d;
      s = maxFrac;
    }
    const b = 10n ** BigInt(s);
    let frac = s > 0 ? (v % b).toString().padStart(s, "0") : "";
    while (frac.length > minFrac && frac.endsWith("0")) frac = frac.slice(0, -1);
    const out = group((v / b).toString()) + (frac ? "." + frac : "");
    return (neg && out.replace(/[0.,]/g, "") !== "" ? "−" : "") + out;
  }

  let decimals = 8;
  let denom = "PTR";
  const ptr = (v) => fixed(big(v), decimals, decimals, 0) + " " + denom;
  const bbl = (v) => fixed(big(v), 8, 8, 0) + " bbl";
  const usd = (v, scale) => "$" + fixed(big(v), scale == null ? 8 : scale, 2, 2);
  const pct = (bps) => fixed(big(bps), 2, 2, 2) + " %";
  const short = (a) => (a && a.length > 20 ? a.slice(0, 10) + "…" + a.slice(-6) : a || "");
  const enumName = (v, prefix) => (v || "").replace(prefix, "");

  function utc(unix) {
    const n = Number(unix);
    if (!n) return "—";
    return new Date(n * 1000).toISOString().replace("T", " ").slice(0, 19);
  }

  function age(seconds) {
    let s = Math.max(0, Number(seconds) || 0);
    if (s < 90) return s + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    if (s < 172800) return (s / 3600).toFixed(1) + " h";
    return (s / 86400).toFixed(1) + " d";
  }

  // ---- DOM helpers ----

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null) continue;
      if (k === "class") e.className = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v != null) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  }

  function fillBody(table, rows, cols, emptyText) {
    const tb = $(table).tBodies[0];
    tb.replaceChildren();
    if (!rows.length) {
      tb.append(el("tr", { class: "empty-row" }, el("td", { class: "empty", colspan: String(cols) }, emptyText)));
      return;
    }
    for (const r of rows) tb.append(r);
  }

  function addr(a) {
    return el("span", { class: "addr", title: a }, short(a));
  }

  // ---- data ----

  async function get(path, query) {
    const u = new URL(API + path, location.origin);
    for (const [k, v] of Object.entries(query || {})) u.searchParams.append(k, v);
    const r = await fetch(u, { cache: "no-store", headers: { Accept: "application/json" } });
    let body = {};
    try { body = await r.json(); } catch (e) { /* keep {} */ }
    if (!r.ok) throw new Error(path + ": " + (body.message || r.status + " " + r.statusText));
    return body;
  }

  async function load() {
    const st = await get("/reserve/v1/status");
    const h = { height: st.height };
    const page = (limit) => ({ height: st.height, "pagination.reverse": "true", "pagination.limit": String(limit) });
    const [history, rounds, oracles, requested, accepted, tparams, rparams, totals, invariants, lots, tranches] = await Promise.all([
      get("/reserve/v1/history", page(HISTORY_POINTS)),
      get("/reserve/v1/rounds", page(ROUND_ROWS)),
      get("/reserve/v1/oracles", h),
      get("/token/v1/redemptions", { height: st.height, status: "REQUESTED" }),
      get("/token/v1/redemptions", { height: st.height, status: "ACCEPTED" }),
      get("/token/v1/params", h),
      get("/reserve/v1/params", h),
      get("/token/v1/totals", h),
      get("/token/v1/invariants", h),
      get("/reserve/v1/lots", h),
      get("/token/v1/tranches", h),
    ]);
    return { st, history, rounds, oracles, requested, accepted, tparams, rparams, totals, invariants, lots, tranches };
  }

  // ---- render ----

  function renderStatus(b, rp) {
    const s = enumName(b.status, "BACKING_STATUS_") || "UNKNOWN";
    const badge = $("status");
    badge.textContent = s === "UNSPECIFIED" ? "UNKNOWN" : s;
    badge.dataset.status = s;
    const parts = ["since block " + b.since_height];
    if (b.halted) parts.push("halted: " + (b.halt_reason || "by the council"));
    if (big(b.latest_round) > 0n) {
      parts.push("round #" + b.latest_round + " observed " + age(b.attestation_age_seconds) + " ago (max " + age(rp.max_age_seconds) + ")");
    } else {
      parts.push("no round settled yet");
    }
    $("status-detail").textContent = parts.join(" · ");
  }

  function renderFigures(b, rp, totals) {
    const cov = $("coverage");
    cov.dataset.bps = b.coverage_bps;
    cov.textContent = big(b.supply) === 0n ? "n/a" : pct(b.coverage_bps);
    cov.title = big(b.supply) === 0n ? "no PTR in existence" : "";

    const res = $("reserve");
    res.dataset.barrels = b.available_barrels;
    res.textContent = bbl(b.available_barrels);
    $("reserve-hint").textContent = big(b.delivered_barrels) > 0n
      ? bbl(b.delivered_barrels) + " delivered since the round"
      : "at round #" + b.latest_round;

    const sup = $("supply");
    sup.dataset.supply = b.supply;
    sup.textContent = ptr(b.supply);
    $("supply-hint").textContent = "of which " + ptr(totals.totals && totals.totals.escrow) + " in escrow";

    const nav = $("nav");
    nav.dataset.nav = b.nav || "0";
    nav.textContent = usd(b.nav || "0", 16);
    const price = $("price");
    price.dataset.price = b.price;
    price.textContent = big(b.price) > 0n ? "at " + usd(b.price) + " / bbl" : "no price yet";

    // Reserve vs supply, in PTR base units.
    const bpt = big(rp.barrels_per_token) || 1n;
    const unit = 10n ** BigInt(decimals);
    const reservePTR = (big(b.available_barrels) * unit) / bpt;
    const capacity = big(b.capacity), supply = big(b.supply);
    let max = reservePTR;
    if (capacity > max) max = capacity;
    if (supply > max) max = supply;
    const width = (v) => (max === 0n ? "0%" : (Number((v * 100000n) / max) / 1000).toFixed(2) + "%");
    $("bar-reserve").style.width = width(reservePTR);
    $("bar-capacity").style.width = width(capacity);
    $("bar-supply").style.width = width(supply);
    $("bar-reserve-value").textContent = ptr(reservePTR.toString());
    $("bar-capacity-value").textContent = ptr(b.capacity);
    $("bar-supply-value").textContent = ptr(b.supply);

    const headroom = capacity > supply ? capacity - supply : 0n;
    const facts = [
      ["Barrels per PTR", fixed(bpt, 8, 8, 0) + " bbl"],
      ["Safety margin", pct(rp.margin_bps)],
      ["Issuable headroom", ptr(headroom.toString())],
      ["Oil price (median)", big(b.price) > 0n ? usd(b.price) + " / bbl" : "—"],
      ["Latest round", big(b.latest_round) > 0n ? "#" + b.latest_round : "—"],
      ["Attestation age", big(b.latest_round) > 0n ? age(b.attestation_age_seconds) : "—"],
      ["Quorum", rp.quorum + " oracles, ±" + pct(rp.max_deviation_bps)],
      ["Status computed", "block " + b.computed_height + ", " + utc(b.computed_time_unix)],
    ];
    $("facts").replaceChildren(...facts.map(([k, v]) => el("div", null, el("dt", null, k), el("dd", { title: v }, v))));
  }

  function niceStep(range, ticks) {
    const raw = range / ticks;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const n = raw / mag;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * mag;
  }

  function timeLabel(unix, span) {
    const iso = new Date(unix * 1000).toISOString();
    if (span < 86400) return iso.slice(11, 19);
    if (span < 86400 * 60) return iso.slice(5, 10) + " " + iso.slice(11, 16);
    return iso.slice(0, 10);
  }

  function renderChart(entries) {
    const chart = $("coverage-chart");
    const W = Math.max(480, Math.round(chart.getBoundingClientRect().width) || 900);
    const H = 280;
    chart.setAttribute("viewBox", "0 0 " + W + " " + H);
    chart.replaceChildren();
    const pts = entries.slice().sort((a, b) => Number(big(a.round_id) - big(b.round_id)));
    chart.dataset.points = String(pts.length);
    if (!pts.length) {
      chart.append(svg("text", { class: "empty", x: W / 2, y: H / 2, "text-anchor": "middle" }, "No round has settled yet"));
      return;
    }
    const m = { l: 64, r: 20, t: 18, b: 34 };
    const iw = W - m.l - m.r, ih = H - m.t - m.b;
    const covPct = (e) => Number(big(e.coverage_bps)) / 100;
    const withSupply = pts.filter((e) => big(e.supply) > 0n);
    let top = Math.max(110, ...withSupply.map((e) => covPct(e) * 1.1));
    const step = niceStep(top, 5);
    top = Math.ceil(top / step) * step;
    const y = (p) => m.t + ih - (Math.min(p, top) / top) * ih;

    const times = pts.map((e) => Number(e.observed_at_unix));
    const t0 = Math.min(...times), t1 = Math.max(...times);
    const byTime = t1 > t0 && new Set(times).size === times.length;
    const x = (e, i) => {
      if (pts.length === 1) return m.l + iw / 2;
      if (byTime) return m.l + ((Number(e.observed_at_unix) - t0) / (t1 - t0)) * iw;
      return m.l + (i / (pts.length - 1)) * iw;
    };

    // grid and y axis
    for (let v = 0; v <= top + 1e-9; v += step) {
      chart.append(svg("line", { class: "grid", x1: m.l, x2: W - m.r, y1: y(v), y2: y(v) }));
      const label = v >= 10000 ? Math.round(v).toLocaleString("en-US") : v % 1 ? v.toFixed(1) : String(v);
      chart.append(svg("text", { class: "axis", x: m.l - 8, y: y(v) + 4, "text-anchor": "end" }, label + " %"));
    }
    // x axis labels
    const nx = Math.min(pts.length, 6);
    for (let k = 0; k < nx; k++) {
      const i = nx === 1 ? 0 : Math.round((k * (pts.length - 1)) / (nx - 1));
      const e = pts[i];
      const label = byTime ? timeLabel(Number(e.observed_at_unix), t1 - t0) : "#" + e.round_id;
      const anchor = pts.length === 1 ? "middle" : k === 0 ? "start" : k === nx - 1 ? "end" : "middle";
      chart.append(svg("text", { class: "axis", x: x(e, i), y: H - 10, "text-anchor": anchor }, label));
    }
    // 100 % = fully backed
    chart.append(svg("line", { class: "ref", x1: m.l, x2: W - m.r, y1: y(100), y2: y(100) }));
    chart.append(svg("text", { class: "ref-label", x: W - m.r - 4, y: y(100) - 6, "text-anchor": "end" }, "100 % fully backed"));

    const xy = pts.map((e, i) => [x(e, i), big(e.supply) > 0n ? y(covPct(e)) : y(top)]);
    if (pts.length > 1) {
      const d = xy.map(([px, py], i) => (i ? "L" : "M") + px.toFixed(1) + " " + py.toFixed(1)).join(" ");
      chart.append(svg("path", { class: "area", d: d + " L" + xy[xy.length - 1][0].toFixed(1) + " " + y(0) + " L" + xy[0][0].toFixed(1) + " " + y(0) + " Z" }));
      chart.append(svg("path", { class: "line", d: d }));
    }
    pts.forEach((e, i) => {
      const noSupply = big(e.supply) === 0n;
      const cls = "pt" + (noSupply ? " nosupply" : covPct(e) < 100 ? " under" : "");
      const c = svg("circle", {
        class: cls, cx: xy[i][0].toFixed(1), cy: xy[i][1].toFixed(1), r: 4.5,
        "data-round": e.round_id, "data-coverage-bps": e.coverage_bps, "data-observed": e.observed_at_unix,
      });
      c.append(svg("title", null,
        "Round #" + e.round_id + " · " + utc(e.observed_at_unix) + " UTC\n" +
        "coverage " + (noSupply ? "n/a (no supply)" : pct(e.coverage_bps)) + "\n" +
        "reserve " + bbl(e.reserve_barrels) + " · supply " + ptr(e.supply) + " · price " + usd(e.price)));
      chart.append(c);
    });
    if (pts.length <= 12) {
      pts.forEach((e, i) => chart.append(svg("text", { class: "pt-round", x: xy[i][0].toFixed(1), y: (xy[i][1] + 18).toFixed(1), "text-anchor": "middle" }, "#" + e.round_id)));
    }
    const last = pts[pts.length - 1];
    const [lx, ly] = xy[xy.length - 1];
    chart.append(svg("text", { class: "pt-label", x: lx - 8, y: Math.max(m.t + 10, ly - 10), "text-anchor": pts.length === 1 ? "middle" : "end" },
      big(last.supply) > 0n ? pct(last.coverage_bps) : "no supply"));
    $("chart-note").textContent = pts.length + " settled round" + (pts.length === 1 ? "" : "s") +
      (pts.length >= HISTORY_POINTS ? " (latest " + HISTORY_POINTS + ")" : "") + " · hover a point for details";
  }

  function renderRounds(rounds) {
    const rows = rounds.map((r) => {
      const out = r.outliers || [];
      return el("tr", { "data-round": r.id },
        el("td", { class: "num round" }, "#" + r.id),
        el("td", { class: "observed", "data-observed": r.observed_at_unix }, utc(r.observed_at_unix)),
        el("td", { class: "num settled" }, group(String(r.settled_height))),
        el("td", { class: "num reserve", "data-barrels": r.total_barrels }, bbl(r.total_barrels)),
        el("td", { class: "num price", "data-price": r.price }, usd(r.price)),
        el("td", { class: "num supply", "data-supply": r.supply }, ptr(r.supply)),
        el("td", { class: "num reporters", "data-count": String((r.reporters || []).length), title: (r.reporters || []).join("\n") },
          (r.reporters || []).length + (r.missed && r.missed.length ? " of " + ((r.reporters || []).length + r.missed.length) : "")),
        el("td", { class: "outliers", "data-count": String(out.length) },
          out.length ? el("span", { class: "outlier-list" }, ...out.map((a) => el("span", { class: "tag bad addr", title: a }, short(a)))) : el("span", { class: "muted" }, "none")));
    });
    fillBody("rounds", rows, 8, "No round has settled yet");
  }

  function renderOracles(oracles) {
    const rows = oracles.map((o) => {
      const reports = Number(o.reports), misses = Number(o.misses), outliers = Number(o.outliers);
      const due = reports + misses;
      const rel = due ? Math.max(0, reports - outliers) / due : null;
      const relCell = rel == null ? el("span", { class: "muted" }, "—") : (() => {
        const bar = el("span", { class: "rel-bar" + (rel < 0.8 ? " low" : rel < 0.95 ? " mid" : "") }, el("span"));
        bar.firstChild.style.width = (rel * 100).toFixed(1) + "%";
        return el("span", { class: "rel" }, bar, (rel * 100).toFixed(2) + " %");
      })();
      return el("tr", { "data-address": o.address },
        el("td", null, addr(o.address)),
        el("td", { class: "num reports" }, o.reports),
        el("td", { class: "num misses" }, misses ? el("span", { class: "tag warn" }, o.misses) : "0"),
        el("td", { class: "num outliers" }, outliers ? el("span", { class: "tag bad" }, o.outliers) : "0"),
        el("td", { class: "num" }, big(o.last_round) > 0n ? "#" + o.last_round : "—"),
        el("td", { class: "num reliability" }, relCell));
    });
    fillBody("oracles", rows, 6, "No oracle is authorised");
  }

  function renderRedemptions(list, truncated) {
    const rows = list.map((r) => {
      const s = enumName(r.status, "REDEMPTION_STATUS_");
      return el("tr", { "data-id": r.id, "data-status": s },
        el("td", { class: "num" }, "#" + r.id),
        el("td", null, addr(r.owner)),
        el("td", { class: "num amount", "data-amount": r.amount }, ptr(r.amount)),
        el("td", { class: "num" }, bbl(r.barrels)),
        el("td", { class: "num" }, usd(r.price) + " (#" + r.price_round + ")"),
        el("td", null, el("span", { class: "tag" + (s === "ACCEPTED" ? " ok" : "") }, s.toLowerCase())),
        el("td", null, utc(r.requested_time_unix)),
        el("td", null, utc(r.deadline_unix)));
    });
    fillBody("redemptions", rows, 8, "No pending redemption");
    $("redemptions-note").textContent = list.length + " pending" + (truncated ? " (first page of each status)" : "") + " · tokens held in escrow";
  }

  function renderTranches(t) {
    const rows = (t.tranches || []).map((x) => {
      const tr = x.tranche || {};
      const issuers = tr.issuers || [];
      return el("tr", { "data-tranche": tr.name },
        el("td", null, el("strong", null, tr.name), tr.name === t.default_tranche ? el("span", { class: "muted" }, " · default") : ""),
        el("td", { class: "num" }, ptr(x.cap || "0")),
        el("td", { class: "num" }, ptr(tr.issued || "0")),
        el("td", { class: "num" }, ptr(tr.burned || "0")),
        el("td", { class: "num amount", "data-amount": x.outstanding || "0" }, ptr(x.outstanding || "0")),
        el("td", null, issuers.length ? el("span", null, ...issuers.map(addr)) : "any issuer"));
    });
    fillBody("tranches", rows, 6, "No tranche");
    $("tranches-note").textContent = "Σ outstanding = supply " + ptr(t.supply || "0") + " · burns shared pro rata";
  }

  function renderLots(lots, now) {
    const rows = lots.map((l) => {
      const expired = Number(l.valid_until_unix) <= now;
      return el("tr", { "data-lot": l.id },
        el("td", null, el("strong", null, l.id), l.field && l.field !== l.id ? el("span", { class: "muted" }, " · " + l.field) : ""),
        el("td", null, enumName(l.category, "LOT_CATEGORY_").toLowerCase().replace(/_/g, " ")),
        el("td", null, l.certifier),
        el("td", null, l.retired ? el("span", { class: "tag" }, "retired") : expired ? el("span", { class: "tag bad" }, "expired " + utc(l.valid_until_unix)) : utc(l.valid_until_unix)));
    });
    fillBody("lots", rows, 4, "No reserve lot");
  }

  function renderInvariants(inv) {
    const list = inv.invariants || [];
    $("invariants").replaceChildren(...list.map((i) => el("li", { "data-holds": String(!!i.holds) },
      el("span", { class: i.holds ? "mark-ok" : "mark-bad" }, i.holds ? "✓" : "✗"),
      el("span", null, i.name.replace(/[-_]/g, " ")),
      i.detail ? el("span", { class: "inv-detail" }, i.detail) : "")));
    const all = $("invariants-all");
    all.textContent = inv.all_hold ? "all hold" : "BREACHED";
    all.className = "tag " + (inv.all_hold ? "ok" : "bad");
  }

  function render(d) {
    const b = d.st.backing || {};
    const rp = d.rparams.params || {};
    const tp = d.tparams.params || {};
    if (tp.decimals != null) decimals = Number(tp.decimals);
    if (tp.denom) denom = tp.denom;
    renderStatus(b, rp);
    renderFigures(b, rp, d.totals);
    renderChart(d.history.entries || []);
    renderRounds(d.rounds.rounds || []);
    renderOracles(d.oracles.oracles || []);
    const pending = (d.requested.redemptions || []).concat(d.accepted.redemptions || []);
    pending.sort((a, b) => Number(big(a.id) - big(b.id)));
    const truncated = !!((d.requested.pagination || {}).next_key || (d.accepted.pagination || {}).next_key);
    renderRedemptions(pending, truncated);
    renderTranches(d.tranches);
    renderLots(d.lots.lots || [], Number(b.computed_time_unix) || Date.now() / 1000);
    renderInvariants(d.invariants);
    $("height").textContent = group(String(d.st.height));
    $("updated").textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC · every " + REFRESH_MS / 1000 + " s";
    document.body.dataset.height = d.st.height;
    document.body.dataset.loaded = "1";
  }

  async function tick() {
    try {
      render(await load());
      $("error").hidden = true;
    } catch (e) {
      const box = $("error");
      box.textContent = "Cannot read the node: " + e.message + " — retrying in " + REFRESH_MS / 1000 + " s.";
      box.hidden = false;
      $("updated").textContent = "stale";
    } finally {
      setTimeout(tick, REFRESH_MS);
    }
  }

  tick();
})();
