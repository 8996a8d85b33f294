/*
 * Greenline analyst dashboard: plain JavaScript over the query API (no framework, no network access
 * beyond this service, so it works air-gapped). The URL hash holds the whole view (deep links):
 *   #/                                     plant overview
 *   #/line/{lineId}?range=24h&gran=hour&period={windowStart}&until={instant}
 *   #/batches/{lineId}?ref={kg CO2e per t}&batch={batchId}
 * Live refresh re-reads the current view every REFRESH_MS; answers marked stale by the API
 * (X-Greenline-Stale) and 503 "rebalancing" answers are shown in the banner, never hidden.
 */
(function () {
  'use strict';

  const REFRESH_MS = 15000;
  const TOKEN_KEY = 'greenline.token';
  const RANGES = { '8h': 8, '24h': 24, '3d': 72, '7d': 168 };
  const DEFAULT_REFERENCE = 1800; // kg CO2e per t: a fossil polyolefin, cradle to gate (user setting)
  const CARRIER_MJ = { KWH: 3.6, MJ: 1, NM3: 38.93, TONNE: 2750, LITRE: 35.8 }; // energy content per unit
  const CARRIER_COLORS = { ELECTRICITY: '#2f6fbe', NATURAL_GAS: '#d9822b', STEAM: '#8a5cc2', DIESEL: '#6b6b6b' };

  const view = document.getElementById('view');
  const banner = document.getElementById('banner');
  const updated = document.getElementById('updated');
  const state = { live: true, timer: null, lastOk: null, rendering: false, configs: {}, pactUrl: null };

  // ---------------------------------------------------------------------------------------------
  // API access: bearer token, stale marker, 503 while instances rebalance
  // ---------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message, retryAfter) {
      super(message);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  let round = { stale: false, lag: null, incomplete: false };

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = 'Bearer ' + token;
    let res;
    try {
      res = await fetch(path, { headers, cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, 'The query service cannot be reached (' + e.message + ').');
    }
    let body = null;
    const text = await res.text();
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (res.status === 401) {
      askToken(localStorage.getItem(TOKEN_KEY) ? 'The token was refused.' : null);
      throw new ApiError(401, 'The API needs a bearer token.');
    }
    if (!res.ok) {
      const message = body && body.message ? body.message : 'HTTP ' + res.status;
      throw new ApiError(res.status, message, res.headers.get('Retry-After'));
    }
    if (res.headers.get('X-Greenline-Stale') === 'true' || (body && body.stale === true)) {
      round.stale = true;
      const lag = res.headers.get('X-Greenline-Lag') || (body && body.lagRecords);
      if (lag != null) round.lag = Math.max(round.lag || 0, Number(lag));
    }
    if (body && body.complete === false) round.incomplete = true;
    return body;
  }

  /** The answer, or null when the API says there is nothing (404: no windows for that line yet). */
  async function apiOrNull(path) {
    try {
      return await api(path);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  async function lineConfig(lineId) {
    if (!(lineId in state.configs)) {
      state.configs[lineId] = await apiOrNull('/api/v1/lines/' + encodeURIComponent(lineId) + '/config');
    }
    return state.configs[lineId];
  }

  // ---------------------------------------------------------------------------------------------
  // Routing (the hash is the view)
  // ---------------------------------------------------------------------------------------------

  function route() {
    const hash = location.hash.replace(/^#/, '') || '/';
    const [path, query] = hash.split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query || '');
    return { name: parts[0] || 'overview', id: parts[1] || null, params };
  }

  function link(name, id, params) {
    let hash = '#/' + (name === 'overview' ? '' : name + (id ? '/' + encodeURIComponent(id) : ''));
    const entries = Object.entries(params || {}).filter(([, v]) => v != null && v !== '');
    if (entries.length) hash += '?' + new URLSearchParams(entries).toString();
    return hash;
  }

  function go(name, id, params) {
    const hash = link(name, id, params);
    if (location.hash === hash) render(); else location.hash = hash;
  }

  /** The range's end (the "until" picker, else now) and start. */
  function window24(params) {
    const hours = RANGES[params.get('range')] || 24;
    const untilParam = params.get('until');
    const to = untilParam ? new Date(untilParam) : new Date();
    const from = new Date(to.getTime() - hours * 3600e3);
    return { from, to, hours };
  }

  function commonParams(r) {
    return { range: r.params.get('range'), gran: r.params.get('gran'), until: r.params.get('until') };
  }

  // ---------------------------------------------------------------------------------------------
  // Formatting
  // ---------------------------------------------------------------------------------------------

  const pct = v => v == null || isNaN(v) ? '–' : (v * 100).toFixed(1) + ' %';
  const num = (v, digits) => v == null || isNaN(v) ? '–'
    : Number(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const minutes = ms => ms == null ? '–' : ms >= 3600e3 ? num(ms / 3600e3, 1) + ' h' : num(ms / 60e3, 1) + ' min';
  const esc = s => String(s == null ? '' : s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  function timeFmt(tz, withDate) {
    const opts = { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: tz || 'UTC' };
    if (withDate) Object.assign(opts, { month: 'short', day: 'numeric' });
    try { return new Intl.DateTimeFormat('en-GB', opts); } catch (e) { return new Intl.DateTimeFormat('en-GB', Object.assign(opts, { timeZone: 'UTC' })); }
  }

  function period(w, tz) {
    if (!w) return '';
    const start = new Date(w.windowStart), end = new Date(w.windowEnd);
    const label = w.granularity === 'SHIFT' ? 'Shift ' + (w.shiftName || '') : w.granularity === 'DAY' ? 'Day' : 'Hour';
    if (w.granularity === 'DAY') {
      const day = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: tz || 'UTC' });
      return 'Day · ' + day.format(start) + ' (24 h from ' + timeFmt(tz, false).format(start) + ') ' + zoneLabel(tz);
    }
    return label + ' · ' + timeFmt(tz, true).format(start) + ' – ' + timeFmt(tz, false).format(end) + ' ' + zoneLabel(tz);
  }

  function zoneLabel(tz) {
    if (!tz) return 'UTC';
    try {
      const part = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'short' }).formatToParts(new Date())
        .find(p => p.type === 'timeZoneName');
      return part ? part.value : tz;
    } catch (e) { return tz; }
  }

  /** The zone's offset from UTC at an instant, in whole hours (enough to place ticks). */
  function zoneOffsetMs(tz, at) {
    try {
      const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: tz || 'UTC' }).format(at));
      let diff = hour - at.getUTCHours();
      if (diff > 12) diff -= 24;
      if (diff < -12) diff += 24;
      return diff * 3600e3;
    } catch (e) { return 0; }
  }

  function rating(value, target) {
    if (value == null) return 'none';
    const t = target == null ? 0.85 : target;
    if (value >= t) return 'good';
    if (value >= t - 0.1) return 'warn';
    return 'bad';
  }

  // ---------------------------------------------------------------------------------------------
  // Banner, empty and error states
  // ---------------------------------------------------------------------------------------------

  function showBanner(kind, html) {
    if (!kind) { banner.hidden = true; banner.className = 'banner'; banner.innerHTML = ''; return; }
    banner.hidden = false;
    banner.className = 'banner ' + kind;
    banner.dataset.kind = kind;
    banner.innerHTML = html;
  }

  function emptyState(title, body) {
    return '<div class="card empty" data-state="empty"><h2>' + esc(title) + '</h2><p>' + body + '</p></div>';
  }

  function errorState(e) {
    if (e.status === 503) {
      return '<div class="card empty" data-state="unavailable"><h2>Instances are rebalancing</h2><p>' + esc(e.message)
        + '</p><p>The stores are moving between instances or still restoring; the page retries in '
        + esc(e.retryAfter || '15') + ' s.</p></div>';
    }
    if (e.status === 401) {
      return '<div class="card empty" data-state="auth"><h2>Bearer token needed</h2><p>The query API is protected. '
        + '<a href="#" data-action="token">Enter the token</a>.</p></div>';
    }
    return '<div class="card empty" data-state="error"><h2>The query service answered with an error</h2><p>'
      + esc(e.message) + (e.status ? ' (HTTP ' + e.status + ')' : '') + '</p></div>';
  }

  function afterRound(ok) {
    if (ok) state.lastOk = new Date();
    if (round.stale) {
      showBanner('stale', '<b>Stale answer.</b> Part of this page was served from a standby or restoring store copy'
        + (round.lag != null && round.lag >= 0 ? ', ' + num(round.lag, 0) + ' records behind' : '')
        + ' (X-Greenline-Stale). Figures catch up once the instances settle.');
    } else if (round.incomplete) {
      showBanner('stale', '<b>Incomplete answer.</b> Not every instance answered; lines or batches they own may be missing.');
    } else if (ok) {
      showBanner(null);
    }
    stamp();
  }

  function stamp() {
    if (!state.lastOk) { updated.textContent = state.live ? 'connecting…' : 'paused'; return; }
    const age = Date.now() - state.lastOk.getTime();
    const late = state.live && age > 3 * REFRESH_MS;
    updated.classList.toggle('late', late);
    updated.textContent = (late ? 'last update ' : 'updated ') + timeFmt(undefined, false).format(state.lastOk).replace(/$/, ' UTC')
      + (late ? ' (stale: ' + Math.round(age / 1000) + ' s ago)' : '');
  }

  // ---------------------------------------------------------------------------------------------
  // Charts (SVG, drawn here: no library to fetch)
  // ---------------------------------------------------------------------------------------------

  /**
   * A line chart of ratio series over time; optional bars (second axis) behind them.
   * series: [{name, color, points: [{t, v}]}]; bars: {name, color, unit, points: [{t, v}]}.
   */
  function timeChart(series, opts) {
    const W = 760, H = 250, L = 44, R = opts.bars ? 56 : 16, T = 14, B = 30;
    const all = series.flatMap(s => s.points).concat(opts.bars ? opts.bars.points : []);
    if (!all.length) return '<p class="muted small">No windows in this range.</p>';
    const t0 = opts.from.getTime(), t1 = opts.to.getTime();
    const x = t => L + (W - L - R) * (t - t0) / Math.max(1, t1 - t0);
    const maxV = Math.max(1, ...series.flatMap(s => s.points.map(p => p.v || 0)));
    const y = v => T + (H - T - B) * (1 - v / maxV);
    let svg = '<svg viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="' + esc(opts.label) + '">';
    for (let g = 0; g <= 4; g++) {
      const v = maxV * g / 4;
      svg += '<line class="grid" x1="' + L + '" x2="' + (W - R) + '" y1="' + y(v) + '" y2="' + y(v) + '"/>'
        + '<text x="' + (L - 6) + '" y="' + (y(v) + 4) + '" text-anchor="end">' + Math.round(v * 100) + '%</text>';
    }
    // ticks on whole local hours (every 1, 2, 3, 4, 6, 12 or 24 h: at most 8 of them)
    const fmt = timeFmt(opts.tz, (t1 - t0) > 30 * 3600e3);
    const step = ([1, 2, 3, 4, 6, 12, 24].find(h => (t1 - t0) / 3600e3 / h <= 8) || 48) * 3600e3;
    const offset = zoneOffsetMs(opts.tz, new Date(t0));
    for (let t = Math.ceil((t0 + offset) / step) * step - offset; t <= t1; t += step) {
      svg += '<line class="grid" x1="' + x(t) + '" x2="' + x(t) + '" y1="' + (H - B) + '" y2="' + (H - B + 4) + '"/>'
        + '<text x="' + x(t) + '" y="' + (H - 8) + '" text-anchor="middle">' + esc(fmt.format(new Date(t))) + '</text>';
    }
    if (opts.bars && opts.bars.points.length) {
      const bmax = Math.max(...opts.bars.points.map(p => p.v || 0)) * 1.1 || 1;
      const by = v => T + (H - T - B) * (1 - v / bmax);
      for (const p of opts.bars.points) {
        if (p.v == null) continue;
        const x0 = x(p.t), x1 = x(p.end);
        svg += '<rect x="' + (x0 + 1) + '" y="' + by(p.v) + '" width="' + Math.max(1, x1 - x0 - 2) + '" height="' + (H - B - by(p.v))
          + '" fill="' + opts.bars.color + '" opacity="0.28"><title>' + esc(num(p.v, 2) + ' ' + opts.bars.unit) + '</title></rect>';
      }
      for (let g = 0; g <= 4; g++) {
        const v = bmax * g / 4;
        svg += '<text x="' + (W - R + 6) + '" y="' + (by(v) + 4) + '">' + esc(num(v, v < 10 ? 1 : 0)) + '</text>';
      }
    }
    if (opts.target != null) {
      svg += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y(opts.target) + '" y2="' + y(opts.target)
        + '" stroke="#1a8a4f" stroke-dasharray="5 4" stroke-width="1.2"/><text x="' + (L + 6) + '" y="' + (y(opts.target) + 14)
        + '" text-anchor="start" style="fill:#1a8a4f">target ' + Math.round(opts.target * 100) + '%</text>';
    }
    for (const s of series) {
      const pts = s.points.filter(p => p.v != null);
      if (!pts.length) continue;
      const d = pts.map((p, i) => (i ? 'L' : 'M') + x(p.mid).toFixed(1) + ' ' + y(p.v).toFixed(1)).join(' ');
      svg += '<path d="' + d + '" fill="none" stroke="' + s.color + '" stroke-width="' + (s.bold ? 2.6 : 1.6) + '"/>';
      for (const p of pts) {
        svg += '<circle cx="' + x(p.mid).toFixed(1) + '" cy="' + y(p.v).toFixed(1) + '" r="' + (s.bold ? 3 : 2) + '" fill="' + s.color
          + '"><title>' + esc(s.name + ' ' + pct(p.v)) + '</title></circle>';
      }
    }
    svg += '<line class="axis" x1="' + L + '" x2="' + (W - R) + '" y1="' + (H - B) + '" y2="' + (H - B) + '"/></svg>';
    const legend = series.map(s => '<span><i style="background:' + s.color + '"></i>' + esc(s.name) + '</span>')
      .concat(opts.bars ? ['<span><i style="background:' + opts.bars.color + ';opacity:.4;height:10px"></i>' + esc(opts.bars.name) + ' (right axis)</span>'] : [])
      .join('');
    return '<div class="chart">' + svg + '<div class="legend">' + legend + '</div></div>';
  }

  function points(windows, field) {
    return windows.map(w => {
      const t = Date.parse(w.windowStart), end = Date.parse(w.windowEnd);
      return { t, end, mid: (t + end) / 2, v: w[field] };
    });
  }

  /** A Pareto: bars sorted by size with the cumulative share. rows: [{code, value, label}] */
  function pareto(rows, kind, unitFmt) {
    if (!rows.length) return '<p class="muted small" data-empty="' + kind + '">None in this period.</p>';
    rows.sort((a, b) => b.value - a.value || a.code.localeCompare(b.code));
    const total = rows.reduce((s, r) => s + r.value, 0);
    const max = rows[0].value || 1;
    let cum = 0;
    return '<div class="pareto ' + kind + '" data-pareto="' + kind + '">' + rows.map(r => {
      cum += r.value;
      return '<div class="pareto-row" data-code="' + esc(r.code) + '" data-value="' + r.value + '">'
        + '<span class="code" title="' + esc(r.code) + '">' + esc(r.code) + '</span>'
        + '<span class="bar"><span style="width:' + (100 * r.value / max).toFixed(1) + '%"></span></span>'
        + '<span class="num">' + esc(unitFmt(r.value)) + ' <span class="cum">' + Math.round(100 * cum / total) + '%</span></span></div>';
    }).join('') + '</div>';
  }

  function stacked(parts, unit, digits) {
    const total = parts.reduce((s, p) => s + Math.max(0, p.value || 0), 0);
    if (!total) return '<p class="muted small">Nothing to split.</p>';
    const bar = parts.filter(p => p.value > 0).map(p => '<span style="width:' + (100 * p.value / total).toFixed(2) + '%;background:' + p.color
      + '" title="' + esc(p.name + ': ' + num(p.value, digits) + ' ' + unit) + '"></span>').join('');
    const legend = parts.map(p => '<span data-part="' + esc(p.name) + '"><i style="background:' + p.color + '"></i>' + esc(p.name) + ' <b>'
      + num(p.value, digits) + '</b> ' + esc(unit) + ' (' + Math.round(100 * Math.max(0, p.value) / total) + '%)</span>').join('');
    return '<div class="stack">' + bar + '</div><div class="stack-legend">' + legend + '</div>';
  }

  // ---------------------------------------------------------------------------------------------
  // Overview
  // ---------------------------------------------------------------------------------------------

  async function overview(r) {
    const lines = await api('/api/v1/lines');
    const items = (lines && lines.items) || [];
    if (!items.length) {
      return emptyState('No data yet', 'No line has an OEE, quality or energy window yet. Start the simulators '
        + '(<code>./greenline local</code>) or replay your events (<code>./greenline replay FILE</code>); tiles appear as soon as the first window is computed.');
    }
    const now = new Date();
    const since = new Date(now.getTime() - 48 * 3600e3).toISOString();
    const tiles = await Promise.all(items.map(async line => {
      const id = line.lineId;
      const cfg = await lineConfig(id);
      const gran = cfg && cfg.shifts && cfg.shifts.length === 0 ? 'day' : 'shift';
      const [oee, quality, energy, batches] = await Promise.all([
        apiOrNull('/api/v1/lines/' + encodeURIComponent(id) + '/oee?granularity=' + gran + '&from=' + since),
        apiOrNull('/api/v1/lines/' + encodeURIComponent(id) + '/quality?granularity=' + gran + '&from=' + since),
        apiOrNull('/api/v1/lines/' + encodeURIComponent(id) + '/energy?granularity=' + gran + '&from=' + since),
        apiOrNull('/api/v1/batches?lineId=' + encodeURIComponent(id))]);
      const current = lastItem(oee) || line.latestOee;
      const q = sameWindow(quality, current) || line.latestQuality;
      const en = sameWindow(energy, current) || line.latestEnergy;
      const lastBatch = latestBatch(batches && batches.items);
      return tile(line, cfg, current, q, en, lastBatch, r);
    }));
    return '<h1>Plant overview</h1><p class="sub">' + items.length + ' line' + (items.length > 1 ? 's' : '')
      + ' · current shift (a 24/7 line: the current day) in each line\'s time zone · colour against the line\'s OEE target · click a line for its detail</p>'
      + '<div class="tiles">' + tiles.join('') + '</div>' + await rollups();
  }

  // ---------------------------------------------------------------------------------------------
  // Areas and sites (roll-ups: the lines summed, then divided; docs/rollup.md)
  // ---------------------------------------------------------------------------------------------

  /** The areas and sites table: each one's latest final hourly roll-up, and a site's latest day per tonne. */
  async function rollups() {
    const [areas, sites] = await Promise.all([apiOrNull('/api/v1/areas'), apiOrNull('/api/v1/sites')]);
    const areaItems = (areas && areas.items) || [];
    const siteItems = (sites && sites.items) || [];
    if (!areas && !sites) return ''; // a deployment without roll-ups
    if (!areaItems.length && !siteItems.length) {
      return '<section class="card rollups" data-section="rollups"><h2>Areas and sites</h2>'
        + '<p class="muted" data-empty="rollups">No area or site roll-up yet: the first appears once the lines\' first hour is final.</p></section>';
    }
    const since = new Date(Date.now() - 72 * 3600e3).toISOString();
    const days = await Promise.all(siteItems.map(site => apiOrNull('/api/v1/sites/' + encodeURIComponent(site.siteId)
      + '/energy?granularity=day&from=' + since)));
    const rows = [];
    siteItems.forEach((site, i) => {
      rows.push(rollupRow(site, 'site', lastItem(days[i])));
      areaItems.filter(a => siteOf(a) === site.siteId).forEach(a => rows.push(rollupRow(a, 'area', null)));
    });
    areaItems.filter(a => !siteItems.some(site => site.siteId === siteOf(a))).forEach(a => rows.push(rollupRow(a, 'area', null)));
    return '<section class="card rollups" data-section="rollups"><h2>Areas and sites</h2>'
      + '<p class="sub">Latest final hour of each site and area: the lines\' time elements, counts and energy summed, then divided '
      + '(ISO 22400-2, never a mean of percentages). Intensity per tonne: the site\'s latest day, the lines\' energy emissions over the '
      + 'good output of its final batch footprints.</p>'
      + '<div class="table-wrap"><table><thead><tr><th>Site / area</th><th>Hour</th><th class="n">Lines</th><th class="n">OEE</th>'
      + '<th class="n">Availability</th><th class="n">Quality</th><th class="n">Defect rate</th><th class="n">Energy</th>'
      + '<th class="n">kg CO2e / good unit</th><th class="n">kg CO2e / t (day)</th></tr></thead><tbody>' + rows.join('') + '</tbody></table></div></section>';
  }

  function siteOf(area) {
    const w = area.latestOee || area.latestQuality || area.latestEnergy;
    return w ? w.siteId : null;
  }

  function rollupRow(item, level, day) {
    const id = level === 'site' ? item.siteId : item.areaId;
    const w = item.latestOee, q = item.latestQuality, en = item.latestEnergy;
    const any = w || q || en;
    const tz = zoneOf(any);
    const missing = any && any.linesMissing && any.linesMissing.length ? ' <span class="pill open" title="lines without a final hour yet">missing '
      + esc(any.linesMissing.join(', ')) + '</span>' : '';
    const cell = (kpi, value, text) => '<td class="n" data-kpi="' + kpi + '" data-value="' + (value == null ? '' : value) + '">' + text + '</td>';
    const intensity = day && day.kgCo2ePerTonneGoodOutput != null ? day.kgCo2ePerTonneGoodOutput : null;
    return '<tr class="rollup ' + level + '" data-rollup="' + esc(item.rollupId) + '">'
      + '<td>' + (level === 'area' ? '<span class="indent" aria-hidden="true">└ </span>' : '') + '<span class="muted small">' + level + '</span> <b>' + esc(id) + '</b></td>'
      + '<td>' + (any ? esc(period(any, tz)) : '–') + '</td>'
      + '<td class="n">' + (any ? any.lines : '–') + missing + '</td>'
      + cell('oee', w ? w.oee : null, pct(w && w.oee)) + cell('availability', w ? w.availability : null, pct(w && w.availability))
      + cell('quality', w ? w.quality : null, pct(w && w.quality))
      + cell('defectRate', q ? q.defectRate : null, q && q.inspected ? pct(q.defectRate) : '–')
      + cell('electricityKwh', en ? en.electricityKwh : null, en ? num(en.electricityKwh, 0) + ' kWh' : '–')
      + cell('kgCo2ePerGoodUnit', en ? en.kgCo2ePerGoodUnit : null, en && en.kgCo2ePerGoodUnit != null ? num(en.kgCo2ePerGoodUnit, 2) : '–')
      + cell('intensityPerTonne', intensity, intensity == null ? (level === 'site' ? '<span class="muted small">no final day yet</span>' : '') : num(intensity, 0)
        + ' <span class="muted small">' + esc(new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: tz || 'UTC' }).format(new Date(day.windowStart))) + '</span>')
      + '</tr>';
  }

  /** The time zone of a roll-up: its first contributing line's, when the page knows that line's config. */
  function zoneOf(w) {
    const line = w && w.contributingLines && w.contributingLines[0];
    const cfg = line && state.configs[line];
    return cfg ? cfg.timezone : null;
  }

  function lastItem(answer) {
    const list = answer && answer.items;
    return list && list.length ? list[list.length - 1] : null;
  }

  function sameWindow(answer, w) {
    if (!answer || !answer.items || !w) return null;
    return answer.items.find(x => x.windowStart === w.windowStart && !x.productId) || null;
  }

  function latestBatch(items) {
    if (!items || !items.length) return null;
    const done = items.filter(b => b.status !== 'CANCELLED' && b.intensityKgCo2ePerTonne != null);
    const pool = done.length ? done : items;
    return pool.slice().sort((a, b) => Date.parse(b.completedAt || b.startedAt || 0) - Date.parse(a.completedAt || a.startedAt || 0))[0];
  }

  function tile(line, cfg, w, q, en, batch, r) {
    const id = line.lineId;
    const tz = cfg && cfg.timezone;
    const target = cfg ? cfg.oeeTarget : null;
    const oee = w ? w.oee : null;
    const cls = rating(oee, target);
    const factor = (name, value, color) => '<div class="factor"><span>' + name + '</span><span class="bar"><span style="width:'
      + Math.min(100, Math.max(0, (value || 0) * 100)).toFixed(1) + '%;background:' + color + '"></span></span><span class="num">' + pct(value) + '</span></div>';
    const perUnit = en && en.kwhPerGoodUnit != null ? num(en.kwhPerGoodUnit, en.kwhPerGoodUnit < 10 ? 2 : 0) + ' kWh' : '–';
    return '<article class="card tile ' + cls + '" tabindex="0" data-line="' + esc(id) + '" data-href="' + esc(link('line', id, { range: r.params.get('range'), gran: r.params.get('gran') })) + '">'
      + '<div class="tile-head"><span class="tile-name">' + esc(cfg ? cfg.name : id) + '</span><span class="tile-id">' + esc(id)
      + (cfg && cfg.siteId ? ' · site ' + esc(cfg.siteId) : '') + (cfg && cfg.timezone ? ' · ' + esc(cfg.timezone) : '') + '</span></div>'
      + '<div class="tile-period">' + (w ? esc(period(w, tz)) + (w.final ? '' : ' · <span class="pill open">open</span>') : 'no OEE window yet') + '</div>'
      + '<div class="tile-main"><div><div class="big" data-kpi="oee" data-value="' + (oee == null ? '' : oee) + '">' + (oee == null ? '–' : (oee * 100).toFixed(1) + '<small>%</small>') + '</div>'
      + '<div class="target">OEE · target ' + (target == null ? 'not set' : pct(target)) + '</div></div>'
      + '<div class="factors">' + factor('Availability', w && w.availability, 'var(--a)') + factor('Effectiveness', w && w.effectiveness, 'var(--e)')
      + factor('Quality', w && w.quality, 'var(--q)') + '</div></div>'
      + '<div class="tile-foot"><span><span class="k">Defect rate</span><b data-kpi="defectRate">' + (q && q.inspected ? pct(q.defectRate) : '–') + '</b>'
      + (q && q.inspected ? '' : ' <span class="muted small">no inspections</span>') + '</span>'
      + '<span><span class="k">Good / produced</span><b>' + (w ? num(w.goodQuantity, w.goodQuantity < 100 ? 1 : 0) + ' / ' + num(w.producedQuantity, w.producedQuantity < 100 ? 1 : 0) : '–') + '</b></span>'
      + '<span><span class="k">Energy per good unit</span><b>' + perUnit + '</b></span>'
      + '<span><span class="k">Last batch intensity</span><b data-kpi="intensity">' + (batch && batch.intensityKgCo2ePerTonne != null
        ? num(batch.intensityKgCo2ePerTonne, 0) + '</b> kg CO2e/t <span class="pill ' + esc(batch.status) + '">' + esc(batch.status) + '</span>' : '–</b>')
      + '</span></div></article>';
  }

  // ---------------------------------------------------------------------------------------------
  // Line view
  // ---------------------------------------------------------------------------------------------

  async function lineView(r) {
    const lines = await api('/api/v1/lines');
    const ids = ((lines && lines.items) || []).map(l => l.lineId);
    if (!ids.length) return emptyState('No data yet', 'No line has computed windows yet.');
    const id = r.id || ids[0];
    const cfg = await lineConfig(id);
    const tz = cfg && cfg.timezone;
    const gran = r.params.get('gran') || 'hour';
    const { from, to } = window24(r.params);
    const periodGran = cfg && cfg.shifts && cfg.shifts.length === 0 ? 'day' : 'shift';
    const range = '&from=' + from.toISOString() + '&to=' + to.toISOString();
    // periods are looked up over the range plus the day before, so a shift that began earlier is offered too
    const periodRange = '&from=' + new Date(from.getTime() - 24 * 3600e3).toISOString() + '&to=' + to.toISOString();
    const enc = encodeURIComponent(id);
    const [oee, energy, periods, periodQuality, periodEnergy] = await Promise.all([
      apiOrNull('/api/v1/lines/' + enc + '/oee?granularity=' + gran + range),
      apiOrNull('/api/v1/lines/' + enc + '/energy?granularity=' + gran + range),
      apiOrNull('/api/v1/lines/' + enc + '/oee?granularity=' + periodGran + periodRange),
      apiOrNull('/api/v1/lines/' + enc + '/quality?granularity=' + periodGran + periodRange),
      apiOrNull('/api/v1/lines/' + enc + '/energy?granularity=' + periodGran + periodRange)]);
    const periodList = (periods && periods.items) || [];
    const wanted = r.params.get('period');
    const chosen = periodList.find(p => p.windowStart === wanted) || periodList[periodList.length - 1] || null;
    const q = chosen && periodQuality ? periodQuality.items.find(x => x.windowStart === chosen.windowStart && !x.productId) : null;
    const e = chosen && periodEnergy ? periodEnergy.items.find(x => x.windowStart === chosen.windowStart) : null;
    const base = commonParams(r);

    let html = '<div class="toolbar"><div class="linetabs">' + ids.map(l => '<a href="' + esc(link('line', l, base)) + '"'
      + (l === id ? ' class="active"' : '') + ' data-line-tab="' + esc(l) + '">' + esc(l) + '</a>').join('') + '</div>'
      + '<label>' + (periodGran === 'day' ? 'Day' : 'Shift') + ' <select id="period" data-line="' + esc(id) + '">'
      + periodList.slice().reverse().map(p => '<option value="' + esc(p.windowStart) + '"' + (chosen && p.windowStart === chosen.windowStart ? ' selected' : '')
        + '>' + esc(period(p, tz)) + '</option>').join('') + '</select></label>'
      + '<a href="' + esc(link('batches', id, {})) + '">Batches of this line →</a></div>';
    html += '<h1>' + esc(cfg ? cfg.name : id) + '</h1><p class="sub">' + esc(id) + (cfg ? ' · site ' + esc(cfg.siteId) + ' · ' + esc(cfg.areaId)
      + ' · ' + esc(cfg.timezone) + ' · grid ' + esc(cfg.gridRegion) + ' · OEE target ' + (cfg.oeeTarget == null ? 'not set' : pct(cfg.oeeTarget)) : '')
      + (chosen ? ' · ' + esc(period(chosen, tz)) + (chosen.final ? ' (final)' : ' (open)') : '') + '</p>';

    if (!chosen && !(oee && oee.items.length)) {
      return html + emptyState('No windows in this range', 'Line ' + esc(id) + ' has no OEE window between ' + esc(from.toISOString())
        + ' and ' + esc(to.toISOString()) + '. Pick a longer range or a later end.');
    }
    const w = chosen || {};
    html += '<div class="kpis" data-period="' + esc(w.windowStart || '') + '">'
      + kpi('OEE', pct(w.oee), '', rating(w.oee, cfg && cfg.oeeTarget), 'oee')
      + kpi('Availability', pct(w.availability), '', '', 'availability')
      + kpi('Effectiveness', pct(w.effectiveness), '', '', 'effectiveness')
      + kpi('Quality', pct(w.quality), '', '', 'quality')
      + kpi('MTBF', minutes(w.mtbfMs), w.failures != null ? w.failures + ' failure' + (w.failures === 1 ? '' : 's') : '', '', 'mtbf')
      + kpi('MTTR', minutes(w.mttrMs), '', '', 'mttr')
      + kpi('First pass yield', pct(q && q.firstPassYield), q ? num(q.firstInspectedUnits, 0) + ' units' : '', '', 'fpy')
      + kpi('Energy per good unit', e && e.kwhPerGoodUnit != null ? num(e.kwhPerGoodUnit, e.kwhPerGoodUnit < 10 ? 2 : 0) : '–', 'kWh'
        + (e && e.kgCo2ePerGoodUnit != null ? ' · ' + num(e.kgCo2ePerGoodUnit, e.kgCo2ePerGoodUnit < 10 ? 2 : 0) + ' kg CO2e' : ''), '', 'energy')
      + '</div>';

    const windows = (oee && oee.items) || [];
    const energyWindows = (energy && energy.items) || [];
    html += '<div class="grid2"><section class="card wide"><h2>OEE and its factors per ' + esc(gran) + '</h2>'
      + timeChart([
        { name: 'OEE', color: 'var(--oee)', bold: true, points: points(windows, 'oee') },
        { name: 'Availability', color: 'var(--a)', points: points(windows, 'availability') },
        { name: 'Effectiveness', color: 'var(--e)', points: points(windows, 'effectiveness') },
        { name: 'Quality', color: 'var(--q)', points: points(windows, 'quality') }],
      { from, to, tz, target: cfg && cfg.oeeTarget, label: 'OEE per ' + gran }) + '</section>'
      + '<section class="card wide"><h2>Energy per good unit beside OEE</h2>'
      + timeChart([{ name: 'OEE', color: 'var(--oee)', bold: true, points: points(windows, 'oee') }],
        { from, to, tz, label: 'Energy per good unit', bars: { name: 'kWh per good unit', unit: 'kWh per good unit', color: '#2f6fbe', points: points(energyWindows, 'kwhPerGoodUnit') } })
      + '</section>'
      + '<section class="card"><h2>Stop reasons · ' + esc(chosen ? period(chosen, tz) : '') + '</h2>'
      + pareto(Object.entries(w.stopReasons || {}).map(([code, ms]) => ({ code, value: ms })), 'stops', minutes) + '</section>'
      + '<section class="card"><h2>Defect codes · ' + esc(chosen ? period(chosen, tz) : '') + '</h2>'
      + pareto(((q && q.defects) || []).map(d => ({ code: d.code, value: d.count })), 'defects', v => num(v, v % 1 ? 1 : 0))
      + (q ? '<p class="muted small">' + num(q.inspected, 0) + ' inspected · defect rate ' + pct(q.defectRate) + ' · scrap ' + pct(q.scrapRate)
        + ' · rework ' + pct(q.reworkRate) + '</p>' : '') + '</section></div>';
    return html;
  }

  function kpi(name, value, unit, cls, key) {
    return '<div class="kpi"><div class="k">' + esc(name) + '</div><div class="v ' + (cls ? 'big-' + cls : '') + '" data-kpi="' + key + '"'
      + (cls ? ' style="color:var(--' + (cls === 'none' ? 'ink' : cls) + ')"' : '') + '>' + esc(value) + '</div><div class="u">' + esc(unit || '') + '</div></div>';
  }

  // ---------------------------------------------------------------------------------------------
  // Batch view
  // ---------------------------------------------------------------------------------------------

  async function batchView(r) {
    const lines = await api('/api/v1/lines');
    const ids = ((lines && lines.items) || []).map(l => l.lineId);
    const id = r.id || ids[ids.length - 1] || null;
    const reference = Number(r.params.get('ref')) > 0 ? Number(r.params.get('ref')) : DEFAULT_REFERENCE;
    const answer = await api('/api/v1/batches' + (id ? '?lineId=' + encodeURIComponent(id) : ''));
    const items = ((answer && answer.items) || []).slice()
      .sort((a, b) => Date.parse(b.completedAt || b.startedAt || 0) - Date.parse(a.completedAt || a.startedAt || 0));
    const cfg = id ? await lineConfig(id) : null;
    const tz = cfg && cfg.timezone;
    let html = '<div class="toolbar"><div class="linetabs">' + ids.map(l => '<a href="' + esc(link('batches', l, { ref: r.params.get('ref') })) + '"'
      + (l === id ? ' class="active"' : '') + '>' + esc(l) + '</a>').join('') + '</div>'
      + '<label>Fossil reference <input type="number" id="reference" min="1" step="10" value="' + reference + '" style="width:90px"> kg CO2e/t</label></div>'
      + '<h1>Batch footprints' + (cfg ? ' · ' + esc(cfg.name) : '') + '</h1><p class="sub">Intensity in kg CO2e per tonne of good output (market basis), '
      + 'against a fossil reference you set · scope 1, 2 (market), 3 upstream · PACT v3 export</p>';
    if (!items.length) {
      return html + emptyState('No batches yet', 'No batch of ' + esc(id || 'any line') + ' has a footprint yet: a footprint appears when a batch completes '
        + '(PROVISIONAL) and becomes FINAL after the finalization delay.');
    }
    const selectedId = r.params.get('batch') || items[0].batchId;
    const selected = items.find(b => b.batchId === selectedId) || items[0];
    html += '<div class="grid2"><section class="card wide"><div class="table-wrap"><table data-table="batches"><thead><tr><th>Batch</th><th>Product</th><th>Status</th><th class="n">Version</th>'
      + '<th>Completed</th><th class="n">Good output</th><th class="n">kg CO2e/t</th><th class="n">vs reference</th></tr></thead><tbody>'
      + items.map(b => {
        const delta = b.intensityKgCo2ePerTonne == null ? null : b.intensityKgCo2ePerTonne / reference - 1;
        return '<tr data-batch="' + esc(b.batchId) + '"' + (b === selected ? ' class="selected"' : '') + '><td>' + esc(b.batchId) + '</td><td>' + esc(b.productId)
          + '</td><td><span class="pill ' + esc(b.status) + '">' + esc(b.status) + '</span></td><td class="n">' + b.version + '</td><td>'
          + (b.completedAt ? esc(timeFmt(tz, true).format(new Date(b.completedAt))) : b.cancelledAt ? 'cancelled' : 'running') + '</td><td class="n">'
          + (b.outputGoodMassKg != null ? num(b.outputGoodMassKg / 1000, 1) + ' t' : '–') + '</td><td class="n">' + num(b.intensityKgCo2ePerTonne, 0)
          + '</td><td class="n">' + (delta == null ? '–' : '<span class="delta ' + (delta <= 0 ? 'better' : 'worse') + '">' + (delta > 0 ? '+' : '') + (delta * 100).toFixed(0) + ' %</span>')
          + '</td></tr>';
      }).join('') + '</tbody></table></div></section>'
      + batchDetail(selected, reference) + '</div>';
    state.afterRender = () => preparePact(selected);
    return html;
  }

  function batchDetail(b, reference) {
    const tonnes = b.outputGoodMassKg ? b.outputGoodMassKg / 1000 : null;
    const perT = v => tonnes ? v / tonnes : null;
    const scopes = [
      { name: 'Scope 1', value: b.scope1KgCo2e, color: '#c23d35' },
      { name: 'Scope 2 (market)', value: b.scope2MarketKgCo2e, color: '#2f6fbe' },
      { name: 'Scope 3 upstream', value: b.scope3UpstreamKgCo2e, color: '#d9822b' }];
    const carriers = Object.entries(b.energy || {}).map(([carrier, e]) => {
      const unit = e.unit || (carrier.split('/')[1]);
      const mj = CARRIER_MJ[unit] != null ? e.quantity * CARRIER_MJ[unit] : null;
      const name = carrier.split('/')[0];
      return { name: name + ' (' + num(e.quantity, 0) + ' ' + unit + ')', value: mj == null ? 0 : mj / 1000, color: CARRIER_COLORS[name] || '#999' };
    });
    const uptakePerT = b.biogenicCo2UptakeKgCo2ePerKg * 1000;
    const fossilPerT = perT(b.fossilGhgEmissionsKgCo2e);
    const intensity = b.intensityKgCo2ePerTonne;
    const vs = intensity == null ? '' : ' · ' + (intensity <= reference ? num(100 * (1 - intensity / reference), 0) + ' % below' : num(100 * (intensity / reference - 1), 0) + ' % above')
      + ' the fossil reference of ' + num(reference, 0) + ' kg CO2e/t';
    return '<section class="card wide" data-detail="' + esc(b.batchId) + '"><h2>' + esc(b.batchId) + ' · ' + esc(b.productId) + ' <span class="pill ' + esc(b.status) + '">'
      + esc(b.status) + '</span> <span class="muted small">version ' + b.version + (b.replacesVersion ? ', replaces ' + b.replacesVersion : '') + '</span></h2>'
      + '<div class="kpis" style="margin-bottom:16px">'
      + kpi('Intensity (market)', num(intensity, 0), 'kg CO2e per t good output', '', 'intensity')
      + kpi('Intensity (location)', num(b.intensityLocationKgCo2ePerTonne, 0), 'kg CO2e per t', '', 'intensityLocation')
      + kpi('Total (market)', num(b.totalMarketKgCo2e / 1000, 1), 't CO2e', '', 'total')
      + kpi('PCF excl. uptake', num(b.pcfExcludingBiogenicUptake, 3), 'kg CO2e per ' + b.declaredUnit, '', 'pcf')
      + kpi('PCF incl. uptake', num(b.pcfIncludingBiogenicUptake, 3), 'kg CO2e per ' + b.declaredUnit, '', 'pcfIncl')
      + kpi('Primary data share', num(b.primaryDataShare, 1) + ' %', (b.gaps || []).length + ' gap' + ((b.gaps || []).length === 1 ? '' : 's'), '', 'pds')
      + '</div><p class="sub" style="margin-top:-6px">' + (tonnes ? num(tonnes, 1) + ' t good output' : 'output mass not reported') + esc(vs) + '</p>'
      + '<div class="split" data-split="scope"><h3>Scope split (kg CO2e)</h3>' + stacked(scopes, 'kg CO2e', 0) + '</div>'
      + '<div class="split" data-split="carrier"><h3>Energy by carrier (GJ)</h3>' + stacked(carriers, 'GJ', 1) + '</div>'
      + '<div class="split" data-split="biogenic"><h3>Fossil vs biogenic (kg CO2e per t)</h3>'
      + stacked([{ name: 'Fossil emissions', value: fossilPerT, color: '#5f6d68' }, { name: 'Biogenic CO2 uptake (as removal)', value: -uptakePerT, color: '#1a8a4f' }], 'kg CO2e/t', 0)
      + '<p class="muted small">Net with uptake: ' + num(fossilPerT == null ? null : fossilPerT + uptakePerT, 0) + ' kg CO2e/t · biogenic carbon '
      + num(b.biogenicCarbonKgPerKg, 3) + ' kg C/kg product</p></div>'
      + '<div class="detail-actions"><a class="button" id="pact-download" aria-disabled="true" download="' + esc('pact-' + b.batchId + '.json') + '">Download PACT JSON</a>'
      + '<span class="muted small" id="pact-status">preparing…</span></div>'
      + ((b.notes || []).length ? '<ul class="notes">' + b.notes.map(n => '<li>' + esc(n) + '</li>').join('') + '</ul>' : '')
      + '<p class="muted small">Factor versions: ' + esc((b.factorVersions || []).join(' · ') || '–') + '</p></section>';
  }

  /** Fetches the batch's PACT footprint (with the token) and offers it as a file. */
  function preparePact(b) {
    api('/pact/3/footprints/' + encodeURIComponent(b.batchId)).then(body => {
      const a = document.getElementById('pact-download');
      const status = document.getElementById('pact-status');
      if (!a) return;
      if (state.pactUrl) URL.revokeObjectURL(state.pactUrl);
      state.pactUrl = URL.createObjectURL(new Blob([JSON.stringify(body.data, null, 2)], { type: 'application/json' }));
      a.href = state.pactUrl;
      a.setAttribute('aria-disabled', 'false');
      a.dataset.ready = 'true';
      status.textContent = 'ProductFootprint ' + body.data.id + ' (PACT ' + (body.data.specVersion || 'v3') + ')';
    }).catch(e => {
      const status = document.getElementById('pact-status');
      if (status) status.textContent = e.status === 404 ? 'No PACT footprint: this batch has no declarable PCF (cancelled or no output).' : 'PACT export failed: ' + e.message;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering loop, pickers, token
  // ---------------------------------------------------------------------------------------------

  async function render() {
    if (state.rendering) { state.pending = true; return; }
    state.rendering = true;
    const r = route();
    document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active', a.dataset.nav === r.name));
    syncPickers(r);
    round = { stale: false, lag: null, incomplete: false };
    const scrollY = window.scrollY;
    try {
      let html;
      if (r.name === 'line') html = await lineView(r);
      else if (r.name === 'batches') html = await batchView(r);
      else html = await overview(r);
      // a refresh with the same figures leaves the page alone (no flicker, an open picker stays open)
      if (html !== state.lastHtml || view.dataset.view !== r.name) {
        view.innerHTML = html;
        state.lastHtml = html;
        view.dataset.view = r.name;
        window.scrollTo(0, scrollY);
        if (state.afterRender) state.afterRender();
      }
      state.afterRender = null;
      afterRound(true);
    } catch (e) {
      view.innerHTML = errorState(e);
      state.lastHtml = null;
      state.afterRender = null;
      view.dataset.view = r.name;
      if (e.status === 503) showBanner('unavailable', '<b>Rebalancing.</b> ' + esc(e.message));
      else if (e.status !== 401) showBanner('error', '<b>Error.</b> ' + esc(e.message));
      afterRound(false);
      if (e.status === 503) schedule(1000 * (Number(e.retryAfter) || 5));
    } finally {
      state.rendering = false;
      if (state.pending) { state.pending = false; render(); }
    }
  }

  function syncPickers(r) {
    document.getElementById('range').value = r.params.get('range') || '24h';
    document.getElementById('granularity').value = r.params.get('gran') || 'hour';
    const until = r.params.get('until');
    document.getElementById('until').value = until ? toLocalInput(new Date(until)) : '';
    document.getElementById('controls').hidden = r.name !== 'line';
  }

  function toLocalInput(d) {
    const pad = n => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function setParam(name, value) {
    const r = route();
    const params = Object.fromEntries(r.params.entries());
    if (value == null || value === '') delete params[name]; else params[name] = value;
    go(r.name, r.id, params);
  }

  function schedule(ms) {
    clearTimeout(state.timer);
    if (state.live) state.timer = setTimeout(tick, ms || REFRESH_MS);
  }

  async function tick() {
    if (document.getElementById('token-dialog').hidden && !document.hidden) await render();
    schedule();
  }

  function askToken(message) {
    const dialog = document.getElementById('token-dialog');
    const error = document.getElementById('token-error');
    error.hidden = !message;
    error.textContent = message || '';
    if (dialog.hidden) {
      dialog.hidden = false;
      document.getElementById('token-input').value = '';
      setTimeout(() => document.getElementById('token-input').focus(), 0);
    }
  }

  document.getElementById('token-form').addEventListener('submit', ev => {
    ev.preventDefault();
    localStorage.setItem(TOKEN_KEY, document.getElementById('token-input').value.trim());
    document.getElementById('token-dialog').hidden = true;
    state.configs = {};
    render();
  });
  document.getElementById('token-forget').addEventListener('click', () => {
    localStorage.removeItem(TOKEN_KEY);
    document.getElementById('token-dialog').hidden = true;
    render();
  });
  document.getElementById('token-button').addEventListener('click', () => askToken(null));

  document.getElementById('range').addEventListener('change', ev => setParam('range', ev.target.value));
  document.getElementById('granularity').addEventListener('change', ev => setParam('gran', ev.target.value));
  document.getElementById('until').addEventListener('change', ev => setParam('until', ev.target.value ? new Date(ev.target.value).toISOString() : ''));
  document.getElementById('live').addEventListener('click', ev => {
    state.live = !state.live;
    ev.currentTarget.setAttribute('aria-pressed', String(state.live));
    document.getElementById('live-label').textContent = state.live ? 'Live' : 'Paused';
    if (state.live) tick(); else clearTimeout(state.timer);
    stamp();
  });

  view.addEventListener('click', ev => {
    const tileEl = ev.target.closest('[data-line][data-href]');
    if (tileEl) { location.hash = tileEl.dataset.href; return; }
    const row = ev.target.closest('tr[data-batch]');
    if (row) { setParam('batch', row.dataset.batch); return; }
    const action = ev.target.closest('[data-action="token"]');
    if (action) { ev.preventDefault(); askToken(null); }
  });
  view.addEventListener('keydown', ev => {
    const tileEl = ev.target.closest('[data-line][data-href]');
    if (tileEl && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); location.hash = tileEl.dataset.href; }
  });
  view.addEventListener('change', ev => {
    if (ev.target.id === 'period') setParam('period', ev.target.value);
    if (ev.target.id === 'reference') setParam('ref', ev.target.value);
  });
  document.querySelector('[data-nav="line"]').addEventListener('click', ev => { ev.preventDefault(); go('line', null, {}); });
  document.querySelector('[data-nav="batches"]').addEventListener('click', ev => { ev.preventDefault(); go('batches', null, {}); });

  window.addEventListener('hashchange', () => { render(); schedule(); });
  setInterval(stamp, 5000);
  render().then(() => schedule());
})();
