/* Overzicht: map of the regions coloured by the number of unjustified deviations, their ranking on severity
 * or count, and how large the variation per indicator is. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var score = S.unpack(D.scorecard);
  var domains = S.unpack(D.domains);
  var variation = S.unpack(D.variation);
  var rankSel = S.byId('rangorde');
  var askedRank = S.hashParams().rangorde;
  if (askedRank && Array.prototype.some.call(rankSel.options, function (o) { return o.value === askedRank; })) rankSel.value = askedRank;
  var RANK_TITLE = { rank_severity: 'Rangorde: ernst van de niet onderbouwde afwijkingen', rank_unjustified: 'Rangorde: aantal niet onderbouwde afwijkingen' };
  var TOP = 10;  // regions listed; more where they share the last place
  var tiles = D.tiles || { pos: {}, cols: 1, rows: 1, mode: 'plain' };
  var bounds = D.boundaries;
  // Orange side of PuOr: readable for colour-blind readers; the count is also printed on every region.
  var SCALE = [[0, '#f4f4f4'], [0.2, '#fee0b6'], [0.45, '#fdb863'], [0.7, '#e08214'], [1, '#b35806']];

  if (D.notes && D.notes.length) S.byId('kaart-notes').textContent = D.notes.join(' ');

  // With boundaries: a geo subplot makes Plotly fetch a world outline (topojson) from the internet. An
  // empty outline is registered beforehand (Plotly keeps a PlotlyGeoAssets that already exists), so the
  // map shows only the regions' own boundaries and nothing is fetched.
  if (bounds) {
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
    window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
    ['world_110m', 'world_50m', 'europe_110m', 'europe_50m'].forEach(function (k) {
      window.PlotlyGeoAssets.topojson[k] = { type: 'Topology', objects: {}, arcs: [] };
    });
  }

  function rowsOf(wave) {
    var byCode = {};
    score.forEach(function (r) { if (r.wave === wave) byCode[r.region_code] = r; });
    return S.regions.map(function (reg) {
      var r = byCode[reg.code];
      var hasData = !!r && (r.n_missing || 0) < (r.n_indicators || 0);
      return { code: reg.code, name: reg.name, r: r, has: hasData, n: hasData ? (r.n_unjustified || 0) : null };
    });
  }

  function hoverOf(x, wave) {
    if (!x.has) return S.hover(x.name + ' (' + x.code + ')', [['Peiljaar', wave]], ['Geen gegevens in dit peiljaar (geen aanlevering of alles afgewezen).']);
    var r = x.r;
    return S.hover(x.name + ' (' + x.code + ')', [
      ['Niet onderbouwde afwijkingen', r.n_unjustified], ['Ernst (niet onderbouwd)', severity(r.severity_score_unjustified)],
      ['Aanhoudende afwijkingen', r.n_persistent], ['Onderbouwde afwijkingen', r.n_substantiated],
      ['Gunstige afwijkingen', r.n_favourable], ['Conform', r.n_conform], ['Onvoldoende gegevens', r.n_missing],
      ['Indicatoren', r.n_indicators]]) + '<br><i>klik voor het regioprofiel</i>';
  }

  /* One colour scale for every wave, so that two waves can be compared: 0 to the highest count of any wave. */
  var MAX_ALL = Math.max(1, score.reduce(function (a, r) {
    return (r.n_missing || 0) < (r.n_indicators || 0) ? Math.max(a, r.n_unjustified || 0) : a;
  }, 0));

  /* A region's name in lines of about `width` characters, broken after spaces and hyphens. */
  function nameLines(name, width) {
    var lines = [], line = '';
    String(name).split(/(?<=[\s-])/).forEach(function (part) {
      if (line && (line + part).trim().length > width) { lines.push(line.trim()); line = part; } else line += part;
    });
    if (line.trim()) lines.push(line.trim());
    return lines;
  }

  function drawMap(wave) {
    var xs = rowsOf(wave);
    var max = MAX_ALL;
    var title = 'Niet onderbouwde afwijkingen per regio, peiljaar ' + wave;
    var has = xs.filter(function (x) { return x.has; }), none = xs.filter(function (x) { return !x.has; });
    var colorbar = { title: { text: 'aantal (schaal gelijk<br>voor alle peiljaren)', side: 'top' }, thickness: 14, len: 0.6, dtick: max > 10 ? null : 1 };
    if (bounds) {
      var geojson = { type: 'FeatureCollection', features: bounds.features };
      var withShape = function (x) { return !!bounds.centroids[x.code]; };
      var traces = [{
        type: 'choropleth', geojson: geojson, featureidkey: 'properties.region_code', name: 'regio\'s',
        locations: has.filter(withShape).map(function (x) { return x.code; }),
        z: has.filter(withShape).map(function (x) { return x.n; }),
        hovertext: has.filter(withShape).map(function (x) { return hoverOf(x, wave); }), hoverinfo: 'text',
        customdata: has.filter(withShape).map(function (x) { return x.code; }),
        colorscale: SCALE, zmin: 0, zmax: max, marker: { line: { color: '#333333', width: 0.6 } }, colorbar: colorbar,
        meta: { role: 'regio' }
      }];
      if (none.filter(withShape).length) traces.push({
        type: 'choropleth', geojson: geojson, featureidkey: 'properties.region_code', name: 'geen gegevens',
        locations: none.filter(withShape).map(function (x) { return x.code; }), z: none.filter(withShape).map(function () { return 0; }),
        hovertext: none.filter(withShape).map(function (x) { return hoverOf(x, wave); }), hoverinfo: 'text',
        customdata: none.filter(withShape).map(function (x) { return x.code; }),
        colorscale: [[0, '#ffffff'], [1, '#ffffff']], showscale: false, marker: { line: { color: '#8C8C8C', width: 1 } },
        meta: { role: 'geen' }
      });
      var lab = xs.filter(withShape);
      traces.push({
        type: 'scattergeo', mode: 'text', name: 'aantal', showlegend: false, hoverinfo: 'skip',
        lon: lab.map(function (x) { return bounds.centroids[x.code][0]; }), lat: lab.map(function (x) { return bounds.centroids[x.code][1]; }),
        text: lab.map(function (x) { return nameLines(x.name, 11).map(S.esc).join('<br>') + '<br><b>' + (x.has ? String(x.n) : '–') + '</b>'; }),
        textfont: { size: 9, color: lab.map(function (x) { return x.has && x.n / max > 0.6 ? '#ffffff' : '#1a1a1a'; }) },
        meta: { role: 'label' }
      });
      S.plot('kaart', traces, S.layout(title, {
        height: 620, margin: { l: 10, r: 10, t: 50, b: 10 },
        geo: { fitbounds: 'locations', visible: false, projection: { type: 'mercator' }, bgcolor: '#ffffff' }
      }), { link: true });
    } else {
      drawTiles(xs, max, title);
    }
    S.chartTable('kaart', [
      { label: 'Regio', value: function (x) { return S.regionLink(x.code, x.name + ' (' + x.code + ')'); } },
      { label: 'Niet onderbouwd', cls: 'num', value: function (x) { return x.has ? S.num(x.n, 0) : 'geen gegevens'; } },
      { label: 'Ernst', cls: 'num', value: function (x) { return x.has ? severity(x.r.severity_score_unjustified) : '–'; } },
      { label: 'Aanhoudend', cls: 'num', value: function (x) { return x.has ? S.num(x.r.n_persistent, 0) : '–'; } },
      { label: 'Onderbouwd', cls: 'num', value: function (x) { return x.has ? S.num(x.r.n_substantiated, 0) : '–'; } },
      { label: 'Gunstig', cls: 'num', value: function (x) { return x.has ? S.num(x.r.n_favourable, 0) : '–'; } },
      { label: 'Conform', cls: 'num', value: function (x) { return x.has ? S.num(x.r.n_conform, 0) : '–'; } }
    ], xs, title);
  }


  // ---------------------------------------------------------------- tile grid as plain SVG (no Plotly needed)
  var NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] != null) e.setAttribute(k, String(attrs[k])); });
    if (text != null) e.textContent = String(text);
    return e;
  }
  function hex(c) { return [1, 3, 5].map(function (i) { return parseInt(c.slice(i, i + 2), 16); }); }
  function colorAt(t) {
    t = Math.max(0, Math.min(1, t));
    for (var i = 1; i < SCALE.length; i++) {
      if (t <= SCALE[i][0]) {
        var a = SCALE[i - 1], b = SCALE[i], f = (t - a[0]) / (b[0] - a[0] || 1), ca = hex(a[1]), cb = hex(b[1]);
        return 'rgb(' + ca.map(function (v, k) { return Math.round(v + (cb[k] - v) * f); }).join(',') + ')';
      }
    }
    return SCALE[SCALE.length - 1][1];
  }
  function plainHover(x, wave) {
    if (!x.has) return x.name + ' (' + x.code + ')\nPeiljaar ' + wave + ': geen gegevens (geen aanlevering of alles afgewezen).';
    var r = x.r;
    return x.name + ' (' + x.code + ')\nNiet onderbouwde afwijkingen: ' + r.n_unjustified + '\nErnst (niet onderbouwd): ' + severity(r.severity_score_unjustified) +
      '\nAanhoudende afwijkingen: ' + S.num(r.n_persistent, 0) + '\nOnderbouwde afwijkingen: ' + r.n_substantiated +
      '\nGunstige afwijkingen: ' + r.n_favourable + '\nConform: ' + r.n_conform + '\nOnvoldoende gegevens: ' + r.n_missing + '\n(klik voor het regioprofiel)';
  }
  function drawTiles(xs, max, title) {
    var cell = 86, gap = 5, top = 34, left = 4, legendW = 150;
    var W = left + tiles.cols * cell + legendW, H = top + tiles.rows * cell + 36;
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', class: 'tilemap', 'aria-labelledby': 'kaart-titel',
      style: 'max-width:' + (W * 1.1) + 'px', 'data-max': max });
    var defs = svg('defs');
    var pat = svg('pattern', { id: 'geen-gegevens', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
    pat.appendChild(svg('rect', { width: 8, height: 8, fill: '#ffffff' }));
    pat.appendChild(svg('line', { x1: 0, y1: 0, x2: 0, y2: 8, stroke: '#b0b0b0', 'stroke-width': 3 }));
    defs.appendChild(pat);
    var grad = svg('linearGradient', { id: 'schaal', x1: 0, y1: 1, x2: 0, y2: 0 });
    SCALE.forEach(function (s) { grad.appendChild(svg('stop', { offset: s[0], 'stop-color': s[1] })); });
    defs.appendChild(grad);
    root.appendChild(defs);
    root.appendChild(svg('text', { id: 'kaart-titel', x: left, y: 20, class: 'tm-title' }, title));
    xs.forEach(function (x) {
      var p = tiles.pos[x.code] || [0, 0];
      var tx = left + p[0] * cell, ty = top + p[1] * cell, size = cell - gap;
      var href = S.regionHref(x.code);
      var g = svg('a', { href: href ? S.withWave(href) : null, class: 'tile' + (x.has ? '' : ' no-data'), 'data-code': x.code,
        'data-n': x.has ? x.n : '', 'data-keep-wave': href ? '1' : null });
      var fill = x.has ? colorAt(x.n / max) : 'url(#geen-gegevens)';
      var dark = x.has && x.n / max > 0.6;
      g.appendChild(svg('title', null, plainHover(x, S.wave)));
      g.appendChild(svg('rect', { x: tx, y: ty, width: size, height: size, rx: 4, fill: fill, stroke: x.has ? '#333333' : '#8C8C8C', 'stroke-width': 1 }));
      var ink = dark ? '#ffffff' : '#1a1a1a';
      var name = svg('text', { x: tx + size / 2, y: ty + 14, class: 'tm-name', fill: ink });
      nameLines(x.name, 11).slice(0, 3).forEach(function (l, i) {
        name.appendChild(svg('tspan', { x: tx + size / 2, dy: i ? 11 : 0 }, l));
      });
      g.appendChild(name);
      g.appendChild(svg('text', { x: tx + size / 2, y: ty + size - 10, class: 'tm-n', fill: ink }, x.has ? x.n : '–'));
      root.appendChild(g);
    });
    // legend: colour ramp with the count, and the pattern for "geen gegevens"
    var lx = left + tiles.cols * cell + 24, ly = top + 10, lh = Math.min(200, tiles.rows * cell - 70);
    root.appendChild(svg('text', { x: lx, y: ly - 2, class: 'tm-legend' }, 'aantal niet'));
    root.appendChild(svg('text', { x: lx, y: ly + 12, class: 'tm-legend' }, 'onderbouwd'));
    root.appendChild(svg('rect', { x: lx, y: ly + 22, width: 18, height: lh, fill: 'url(#schaal)', stroke: '#333333', 'stroke-width': 0.5 }));
    // whole numbers at even steps (every count up to 10), and the top of the scale
    var step = max <= 10 ? 1 : Math.ceil(max / 5), ticks = [];
    for (var t = 0; t < max; t += step) ticks.push(t);
    if (max - ticks[ticks.length - 1] < step / 2 && ticks.length > 1) ticks.pop();
    ticks.push(max);
    ticks.forEach(function (v) {
      var yy = ly + 22 + lh - lh * v / max;
      root.appendChild(svg('line', { x1: lx + 18, x2: lx + 23, y1: yy, y2: yy, stroke: '#333333' }));
      root.appendChild(svg('text', { x: lx + 27, y: yy + 4, class: 'tm-legend' }, v));
    });
    root.appendChild(svg('rect', { x: lx, y: ly + lh + 36, width: 18, height: 18, fill: 'url(#geen-gegevens)', stroke: '#8C8C8C' }));
    root.appendChild(svg('text', { x: lx + 24, y: ly + lh + 49, class: 'tm-legend' }, 'geen gegevens'));
    root.appendChild(svg('text', { x: lx, y: ly + lh + 74, class: 'tm-legend' }, 'schaal gelijk voor'));
    root.appendChild(svg('text', { x: lx, y: ly + lh + 88, class: 'tm-legend' }, 'alle peiljaren'));
    if (tiles.mode !== 'geo') root.appendChild(svg('text', { x: left, y: H - 8, class: 'tm-legend' },
      'Regio\u2019s in codevolgorde: geen geografische indeling voor deze regioset.'));
    S.purge('kaart');
    S.byId('kaart').appendChild(root);
    S.nameChart(S.byId('kaart'), title);
  }

  function card(big, what) {
    return S.el('div', { class: 'card' }, [S.el('div', { class: 'big', text: big }), S.el('div', { class: 'what', text: what })]);
  }

  /* A severity score with the decimals the ranking compares (D.severity_decimals); above 0 never reads as 0. */
  var SEV_DECIMALS = D.severity_decimals == null ? 2 : D.severity_decimals;
  var sevFormat = new Intl.NumberFormat('nl-NL', { minimumFractionDigits: SEV_DECIMALS, maximumFractionDigits: SEV_DECIMALS });
  function severity(v) {
    if (v == null || isNaN(v)) return '–';
    var step = Math.pow(10, -SEV_DECIMALS);
    return v > 0 && v < step / 2 ? '< ' + sevFormat.format(step) : sevFormat.format(v);
  }

  function drawCards(wave) {
    var xs = rowsOf(wave);
    var sum = function (k) { return xs.reduce(function (a, x) { return a + (x.r ? (x.r[k] || 0) : 0); }, 0); };
    var affected = xs.filter(function (x) { return x.n > 0; }).length;
    var box = S.clear(S.byId('kerncijfers'));
    box.appendChild(card(S.num(sum('n_unjustified'), 0), 'niet onderbouwde afwijkingen'));
    box.appendChild(card(S.num(affected, 0) + ' van ' + xs.length, 'regio\'s met minstens één niet onderbouwde afwijking'));
    box.appendChild(card(S.num(sum('n_persistent'), 0), 'aanhoudende ongunstige afwijkingen (ook in een eerder peiljaar)'));
    box.appendChild(card(S.num(sum('n_substantiated'), 0), 'onderbouwde afwijkingen (ter weging)'));
    box.appendChild(card(S.num(sum('n_favourable'), 0), 'gunstige afwijkingen (om van te leren)'));
    box.appendChild(card(S.num(xs.filter(function (x) { return !x.has; }).length, 0), 'regio\'s zonder gegevens'));

    drawRanking(xs, wave);

    var dom = S.clear(S.byId('domeinen'));
    var rows = domains.filter(function (r) { return r.wave === wave; });
    var order = Object.keys(S.labels.domain || {});
    rows.forEach(function (r) { if (order.indexOf(r.domain) < 0) order.push(r.domain); });
    order.forEach(function (d) {
      var rs = rows.filter(function (r) { return r.domain === d; });
      if (!rs.length) return;
      var get = function (v) { var r = rs.find(function (x) { return x.verdict === v; }); return r ? r : { n: 0, n_regions: 0 }; };
      var unjustified = S.code('verdict', 'unjustified');
      var c = S.el('div', { class: 'card' }, [
        S.el('h3', { text: S.label('domain', d) }),
        S.el('div', { class: 'big', text: S.num(get(unjustified).n, 0) }),
        S.el('div', { class: 'what', text: (get(unjustified).n === 1 ? 'niet onderbouwde afwijking' : 'niet onderbouwde afwijkingen') + ', bij ' + S.plural(get(unjustified).n_regions, 'regio', 'regio\'s') }),
        S.el('ul', null, S.VERDICTS_BY_CONCERN.filter(function (v) { return v !== unjustified; }).map(function (v) {
          return S.el('li', null, [S.badge(v), ' ' + S.num(get(v).n, 0)]);
        }))
      ]);
      dom.appendChild(c);
    });
  }

  /* The regions with unjustified deviations by the rank the builder gave them (payloads.ranked_scorecard: equal
   * values share a place); within a place by the other measure, then by code, which only orders the rows. */
  function drawRanking(xs, wave) {
    var key = rankSel.value, other = key === 'rank_severity' ? 'n_unjustified' : 'severity_score_unjustified';
    S.byId('top-titel').textContent = RANK_TITLE[key];
    var listed = xs.filter(function (x) { return x.has && ((x.r.n_unjustified || 0) > 0 || (x.r.severity_score_unjustified || 0) > 0); })
      .sort(function (a, b) { return a.r[key] - b.r[key] || (b.r[other] || 0) - (a.r[other] || 0) || (a.code < b.code ? -1 : 1); });
    if (listed.length > TOP) {
      var last = listed[TOP - 1].r[key];
      listed = listed.filter(function (x) { return x.r[key] <= last; });
    }
    if (!listed.length) { S.put('top', S.note('Geen enkele regio heeft in peiljaar ' + wave + ' een niet onderbouwde afwijking.')); return; }
    S.put('top', S.table([
      { label: 'Plaats', cls: 'num', value: function (x) { return S.num(x.r[key], 0); } },
      { label: 'Regio', value: function (x) { return S.regionLink(x.code, x.name + ' (' + x.code + ')'); } },
      { label: 'Ernst', cls: 'num', value: function (x) { return severity(x.r.severity_score_unjustified); } },
      { label: 'Niet onderbouwd', cls: 'num', value: function (x) { return S.num(x.r.n_unjustified, 0); } },
      { label: 'Aanhoudend', cls: 'num', value: function (x) { return S.num(x.r.n_persistent, 0); } }
    ], listed, { cls: 'top-list' }));
  }

  /* "Hoe groot is de variatie?": per indicator of the wave, in the contract's order; the name leads to its funnel. */
  function drawVariation(wave) {
    var by = {};
    variation.forEach(function (r) { if (r.wave === wave) by[r.indicator_id] = r; });
    var rows = S.indicators.filter(function (m) { return by[m.id]; }).map(function (m) { return { m: m, r: by[m.id] }; });
    if (!rows.length) { S.put('variatie-tabel', S.note('Geen samenvatting per indicator voor peiljaar ' + wave + '.')); return; }
    var tau2 = function (r) {
      if (r.tau2_natural == null) return null;
      return S.el('span', { title: 'spreiding tussen regio\'s (√τ²): ' + S.num(Math.sqrt(Math.max(0, r.tau2_natural)), 3), text: S.num(r.tau2_natural, 4) });
    };
    S.put('variatie-tabel', S.table([
      { label: 'Indicator', value: function (x) {
        return S.el('a', { href: S.root + 'indicatoren.html#indicator=' + encodeURIComponent(x.m.id) + '&peiljaar=' + wave, text: x.m.short }); } },
      { label: 'P90/P10', cls: 'num', value: function (x) { return S.num(x.r.p90_p10_ratio, 2); } },
      { label: 'SCV', cls: 'num', value: function (x) { return S.num(x.r.scv, 3); } },
      { label: 'Buiten de 99,8%-grenzen', cls: 'num', value: function (x) { return S.num(x.r.n_outside_998, 0); } },
      // a uniform norm has no limits, so nothing is expected outside them by chance
      { label: 'Verwacht door toeval', cls: 'num', value: function (x) { return x.r.n_outside_998 == null ? '–' : S.num(x.r.expected_false_alarms, 2); } },
      { label: 'τ² (natuurlijke schaal)', cls: 'num', value: function (x) { return tau2(x.r); } }
    ], rows, { cls: 'variation', rowClass: function (x) { return x.r.n_outside_998 > 0 ? 'hi' : null; } }));
  }

  // ---------------------------------------------------------------- the trend over the waves (issue 19)
  var national = S.unpack(D.national || { n: 0, c: {} });
  var marked = S.unpack(D.markers || { n: 0, c: {} });
  var MARKS = D.marks || {};
  (function legend() {
    var ul = S.byId('markeringen-legenda');
    if (!ul) return;
    Object.keys(MARKS).forEach(function (k) {
      ul.appendChild(S.el('li', null, [S.el('span', { class: 'mark', 'aria-hidden': 'true', text: MARKS[k][0] }), ' ',
        S.el('strong', { text: MARKS[k][1] }), ': ' + MARKS[k][2]]));
    });
  })();
  (function story() {
    var box = S.byId('trend-verhaal');
    if (!box) return;
    (D.story || []).forEach(function (s) { box.appendChild(S.el('p', { class: 'lead', text: s.text })); });
  })();
  /* The national count per wave as plain SVG bars (no Plotly needed), with its table beside it. */
  function drawTrend(wave) {
    var id = 'trend-landelijk', title = 'Niet onderbouwde afwijkingen per peiljaar, landelijk';
    var div = S.byId(id);
    if (!div) return;
    if (!national.length) { S.put(id, S.note('Geen oordelen.')); return; }
    // drawn at the width it is shown, so that its words stay readable on a phone
    var W = Math.max(300, Math.min(640, div.clientWidth || 640)), H = 250, left = 36, bottom = 28, top = 42, bw = (W - left - 10) / national.length;
    var max = Math.max(1, Math.max.apply(null, national.map(function (r) { return r.n_unjustified; })));
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'trend-bars', role: 'img', 'aria-label': title });
    root.appendChild(svg('title', null, title));
    root.appendChild(svg('text', { x: 0, y: 16, 'font-weight': 700 }, 'Landelijk, per peiljaar'));  // the heading above says the rest
    national.forEach(function (r, i) {
      var h = (H - top - bottom) * r.n_unjustified / max, x = left + i * bw + 4, y = H - bottom - h;
      var g = svg('g', { class: 'tb', 'data-wave': r.wave, 'data-n': r.n_unjustified });
      g.appendChild(svg('rect', { x: x, y: y, width: bw - 8, height: Math.max(h, 0.5), class: 'tb-bar' + (r.wave === wave ? ' current' : '') }));
      g.appendChild(svg('text', { x: x + (bw - 8) / 2, y: y - 4, 'text-anchor': 'middle' }, r.n_unjustified));
      g.appendChild(svg('text', { x: x + (bw - 8) / 2, y: H - 8, 'text-anchor': 'middle' }, r.wave));
      root.appendChild(g);
    });
    root.appendChild(svg('line', { x1: left, x2: W - 6, y1: H - bottom, y2: H - bottom, stroke: '#333333' }));
    S.put(id, root);
    S.chartTable(id, [
      { label: 'Peiljaar', value: function (r) { return String(r.wave); } },
      { label: 'Niet onderbouwde afwijkingen', cls: 'num', value: function (r) { return S.num(r.n_unjustified, 0); } },
      { label: 'Regio\'s met een niet onderbouwde afwijking', cls: 'num', value: function (r) { return S.num(r.n_regions_unjustified, 0); } },
      { label: 'Regio\'s beoordeeld', cls: 'num', value: function (r) { return S.num(r.n_regions, 0); } },
      { label: 'Oordelen zonder gegevens', cls: 'num', value: function (r) { return S.num(r.n_missing, 0); } }
    ], national, title, { rowClass: function (r) { return r.wave === wave ? 'hi' : null; } });
  }
  function mark(code) {
    var m = MARKS[code];
    return m ? S.el('span', null, [S.el('span', { class: 'mark', 'aria-hidden': 'true', text: m[0] }), ' ' + m[1]]) : null;
  }
  function drawMarkers(wave) {
    var rows = marked.filter(function (r) { return r.wave === wave; });
    if (!rows.length) { S.put('markeringen', S.note('Geen aanhoudende afwijking en geen significante trend in peiljaar ' + wave + '.')); return; }
    S.put('markeringen', S.table([
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code); } },
      { label: 'Indicator', value: function (r) {
        return S.el('a', { href: S.indicatorHref(r.indicator_id, r.region_code), text: (S.ind[r.indicator_id] || { short: r.indicator_id }).short }); } },
      { label: 'Oordeel', value: function (r) { return S.badge(r.verdict); } },
      { label: 'Aanhoudend', value: function (r) { return r.persistent ? mark('persistent') : ''; } },
      { label: 'Recente trend', value: function (r) { return mark(r.trend) || ''; } }
    ], rows, { caption: 'Aanhoudende afwijkingen en significante trends, peiljaar ' + wave }));
  }

  rankSel.addEventListener('change', function () { S.setHash('rangorde', rankSel.value); S.safeRender(function (w) { drawRanking(rowsOf(w), w); }); });
  S.start(function (wave) { drawMap(wave); drawCards(wave); drawVariation(wave); drawTrend(wave); drawMarkers(wave); });
})();
