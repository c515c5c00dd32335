/* The spine chart of one region (as Fingertips draws it), shared by the region page and the region report.
 *
 * Every indicator gets one row; the national value is the centre. A value is drawn at its distance from the
 * national value divided by the indicator's half-width h: the largest distance of the national spread (lowest
 * or highest region) or of full compliance (100%, or 0 where lower is better) from the national value. So one
 * step left is as large as one step right, the whole spread fits, and full compliance lies at the favourable
 * end of the bar. Where lower is better the row is mirrored, so that right is always favourable. An indicator
 * with two unfavourable sides (polarity 'beide') has no favourable end: its row reads lower (left) to higher
 * (right). A yes/no indicator has no spread to draw: its row shows the two answers, 'nee' and 'ja', at the
 * ends and the region's answer on one of them.
 */
(function () {
  'use strict';
  var S = window.Site;

  /* The best value a region can reach, where there is one (a share is at most 100%; a count where lower is
   * better is at least 0); null otherwise. */
  function fullCompliance(m) {
    if (m.kind === 'share') return m.polarity === 'lager' ? 0 : 1;
    if (m.kind === 'count' && m.polarity === 'lager') return 0;
    return null;
  }

  /* One row per indicator: {m, r (register row or null), sm (summary row or null), type: 'yesno' | 'two' | 'one',
   * x (position of the region, -1..1, right = favourable; null without a value), h, nat, bound}. */
  S.spineRows = function (wave, register, summary) {
    return S.indicators.map(function (m) {
      var r = register.find(function (x) { return x.wave === wave && x.indicator_id === m.id; }) || null;
      var sm = summary.find(function (x) { return x.wave === wave && x.indicator_id === m.id; }) || null;
      var type = m.kind === 'yesno' ? 'yesno' : m.polarity === 'beide' ? 'two' : 'one';
      var sign = m.polarity === 'lager' ? -1 : 1;
      var nat = sm ? sm.national_value : null;
      var bound = type === 'one' ? fullCompliance(m) : null;
      var row = { m: m, r: r, sm: sm, type: type, nat: nat, bound: bound, sign: type === 'two' ? 1 : sign, h: null, x: null };
      var v = r ? r.value : null;
      if (type === 'yesno') {
        // 'ja' (1) at the favourable end
        if (v != null) row.x = (v >= 0.5 ? 1 : -1) * sign;
        return row;
      }
      if (nat == null) return row;
      var h = 0;
      [sm.min, sm.max, bound, v].forEach(function (b) { if (b != null) h = Math.max(h, Math.abs(b - nat)); });
      row.h = h;
      row.at = function (val) { return val == null ? null : h > 0 ? row.sign * (val - nat) / h : 0; };
      row.x = row.at(v);
      return row;
    });
  };

  function diff(row) {
    var v = row.r ? row.r.value : null;
    if (v == null || row.nat == null || row.type === 'yesno') return '';
    var d = v - row.nat;
    var txt = row.m.kind === 'share' ? S.num(d * 100, 0) + ' procentpunt' : S.num(d, 2);
    if (Math.abs(d) < 1e-9) return 'gelijk aan landelijk';
    var side = row.type === 'two' ? (d > 0 ? 'hoger' : 'lager') : (d * row.sign > 0 ? 'gunstiger' : 'ongunstiger');
    return (d > 0 ? '+' : '') + txt.replace('-', '\u2212') + ' (' + side + ')';
  }
  function nationalText(row) {
    if (row.nat == null) return '–';
    if (row.type === 'yesno') return S.pct(row.nat, 0) + ' van de regio\u2019s ja';
    return S.fmt(row.m.id, row.nat);
  }
  function kindText(row) {
    if (row.type === 'yesno') return 'ja/nee';
    if (row.type === 'two') return 'geen gunstige kant';
    return row.m.polarity === 'lager' ? 'lager is gunstiger' : 'hoger is gunstiger';
  }

  /* Draw the spine chart of region ``code`` in the div ``id``; returns the rows (for S.spineTable). */
  S.spine = function (id, code, wave, register, summary, opts) {
    opts = opts || {};
    var rows = S.spineRows(wave, register, summary);
    var n = rows.length;
    var y = function (i) { return n - 1 - i; };
    var spread = { x: [], base: [], y: [] }, iqr = { x: [], base: [], y: [] }, two = { x: [], base: [], y: [] };
    var slots = { x: [], y: [], text: [] }, full = { x: [], y: [] }, pts = [], ticks = [], notes = [];
    rows.forEach(function (row, i) {
      var m = row.m, r = row.r, sm = row.sm, yi = y(i);
      var has = r && r.value != null;
      var tag = row.type === 'yesno' ? ' (ja/nee)' : row.type === 'two' ? ' (lager · hoger)' : '';
      ticks.push(S.esc(m.short + tag + (has ? '' : ' · geen gegevens')));
      if (row.type === 'yesno') {
        [-1, 1].forEach(function (side) {
          slots.x.push(side); slots.y.push(yi); slots.text.push(side * row.sign > 0 ? 'ja' : 'nee');
        });
      } else if (sm && row.h != null) {
        var lo = row.at(sm.min), hi = row.at(sm.max);
        var bar = row.type === 'two' ? two : spread;
        bar.x.push(Math.max(Math.abs(hi - lo), 0.02)); bar.base.push(Math.min(lo, hi)); bar.y.push(yi);
        var a = row.at(sm.p25), b = row.at(sm.p75);
        if (a != null && b != null && row.type === 'one') { iqr.x.push(Math.max(Math.abs(b - a), 0.02)); iqr.base.push(Math.min(a, b)); iqr.y.push(yi); }
        if (row.bound != null) { full.x.push(row.at(row.bound)); full.y.push(yi); }
        if (row.type === 'two') {
          notes.push({ x: -1.3, y: yi, text: 'lager', xanchor: 'left' }, { x: 1.3, y: yi, text: 'hoger', xanchor: 'right' });
        }
      }
      if (!has || row.x == null) return;
      var pairs = [['Waarde', S.fmt(m.id, r.value)], ['Landelijk', nationalText(row)], ['Verschil', diff(row)]];
      if (row.type !== 'yesno' && sm) pairs.push(['Laagste regio', S.fmt(m.id, sm.min)], ['Hoogste regio', S.fmt(m.id, sm.max)]);
      pairs.push(['Oordeel', S.verdictStyle(r.verdict).label]);
      pts.push({ x: row.x, y: yi, verdict: r.verdict, code: m.id,
        hover: S.hover(m.short, pairs, [r.explanation ? 'Toelichting: ' + r.explanation : '', r.substantiation ? 'Onderbouwing: ' + r.substantiation : '']) });
    });
    var bar = function (name, b, color, role, extra) {
      return Object.assign({ type: 'bar', orientation: 'h', name: name, x: b.x, base: b.base, y: b.y, width: 0.62,
        marker: { color: color, line: { color: '#c8c8c8', width: 1 } }, hoverinfo: 'skip', meta: { role: role } }, extra || {});
    };
    var traces = [
      bar('landelijk laagste tot hoogste regio', spread, '#e4e4e4', 'spreiding'),
      bar('25e tot 75e percentiel', iqr, '#a9a9a9', 'spreiding', { marker: { color: '#a9a9a9' } }),
      bar('spreiding zonder gunstige kant', two, '#ffffff', 'spreiding', { marker: { color: '#ffffff', pattern: { shape: '/', fgcolor: '#9a9a9a' }, line: { color: '#9a9a9a', width: 1 } } }),
      { type: 'scatter', mode: 'markers+text', name: 'ja/nee: de twee antwoorden', x: slots.x, y: slots.y, text: slots.text,
        textposition: slots.x.map(function (x) { return x < 0 ? 'middle left' : 'middle right'; }), textfont: { size: 11, color: '#444444' },
        marker: { symbol: 'circle-open', size: 15, color: '#777777', line: { width: 1.5 } }, hoverinfo: 'skip', meta: { role: 'schaal' } }
      ,{ type: 'scatter', mode: 'markers', name: 'volledig voldoen (100%, of 0 waar lager beter is)', x: full.x, y: full.y, hoverinfo: 'skip',
        marker: { symbol: 'line-ns-open', size: 18, color: '#0072B2', line: { width: 3, color: '#0072B2' } }, meta: { role: 'schaal' } }
    ].concat(S.verdictTraces(pts).map(function (t) { t.marker.size = 13; return t; }));
    var layout = S.layout(opts.title || ('Waarden van ' + S.regionName(code) + ' tegen de landelijke waarde, peiljaar ' + wave), {
      barmode: 'overlay', height: opts.height || n * 34 + 150, margin: { l: opts.left || 300, r: 50, t: 50, b: 90 },
      xaxis: S.axis(opts.axisTitle != null ? opts.axisTitle : 'afstand tot de landelijke waarde (links en rechts dezelfde schaal)', { range: [-1.3, 1.3], zeroline: false,
        tickvals: [-1, 0, 1], ticktext: ['ongunstiger', 'landelijk', 'gunstiger'] }),
      yaxis: S.axis('', { tickvals: rows.map(function (row, i) { return y(i); }), ticktext: ticks, range: [-0.6, n - 0.4], showgrid: false, zeroline: false }),
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: 0, x1: 0, y0: 0, y1: 1, line: { color: '#222222', width: 2 } }],
      annotations: notes.map(function (a) { return Object.assign({ xref: 'x', yref: 'y', showarrow: false, font: { size: 10, color: '#555555' } }, a); }),
      legend: { orientation: 'h', x: 0, y: -0.1, yanchor: 'top' }
    });
    rows.drawn = S.plot(id, traces, Object.assign(layout, opts.layout || {}));
    if (opts.link !== false) S.linkPoints(id, function (ind) { return S.indicatorHref(ind, code); });
    return rows;
  };

  /* The spine chart as a table: the same rows, in words and numbers. */
  S.spineTable = function (rows, opts) {
    return S.table([
      { label: 'Indicator', value: function (row) { return row.m.short; } },
      { label: 'Soort', value: kindText },
      { label: 'Regio', cls: 'num', value: function (row) { return row.r ? S.fmt(row.m.id, row.r.value) : '–'; } },
      { label: 'Landelijk', cls: 'num', value: nationalText },
      { label: 'Verschil', cls: 'num', value: function (row) { return diff(row) || '–'; } },
      { label: 'Laagste tot hoogste regio', cls: 'num', value: function (row) {
        return row.type === 'yesno' || !row.sm ? '–' : S.fmt(row.m.id, row.sm.min) + ' tot ' + S.fmt(row.m.id, row.sm.max); } },
      { label: 'Oordeel', value: function (row) { return row.r ? S.badge(row.r.verdict) : '–'; } }
    ], rows, Object.assign({ caption: 'De spine chart als tabel' }, opts || {}));
  };
})();
