/* Indicatoren: funnel plot, ranked dot plot and national summary per indicator. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  // at a few regions the register is in the page; with many, one data part per indicator (D.parts) is
  // loaded when the indicator is chosen, and the explanations stay on the region profiles
  var reg = D.parts ? null : S.unpack(D.register);
  var byInd = {};
  var summ = S.unpack(D.summary);
  var sel = S.byId('indicator');
  var asked = S.hashParams().indicator;
  if (asked && S.ind[asked]) sel.value = asked;
  var SEVERITY = {};  // verdict -> rank, the most serious first (the contract's order by concern)
  S.VERDICTS_BY_CONCERN.forEach(function (v, i) { SEVERITY[v] = i; });
  // a link from a region page names the region (regio=CODE): it is marked in both charts and in the table
  var focus = S.hashParams().regio;
  if (!S.regionByCode[focus]) focus = null;
  var FOCUS_INK = '#1a1a1a';
  /* The marked region as a trace of its own: a ring around its point, with its name. */
  function focusTrace(r, x, y) {
    return { type: 'scatter', mode: 'markers+text', name: 'gemarkeerd: ' + S.regionName(focus), x: [x], y: [y],
      text: [S.esc(S.regionName(focus))], textposition: 'top center', textfont: { color: FOCUS_INK, size: 12 },
      marker: { symbol: 'circle-open', size: 26, color: FOCUS_INK, line: { width: 3, color: FOCUS_INK } },
      hoverinfo: 'skip', customdata: [r.region_code], meta: { role: 'gekozen' } };
  }
  function focusLine(rows, m) {
    var box = S.byId('focus');
    if (!focus) { box.hidden = true; return; }
    var r = rows.find(function (x) { return x.region_code === focus; });
    S.clear(box).hidden = false;
    box.appendChild(document.createTextNode('Gemarkeerd in de grafieken en de tabel: '));
    box.appendChild(S.el('a', { href: S.verdictHref(focus, m.id), text: S.regionName(focus) + ' (' + focus + ')' }));
    box.appendChild(document.createTextNode(r && r.value != null ? ', ' + S.fmt(m.id, r.value) + ', ' + S.verdictWord(r) + '.'
      : ': geen waarde in dit peiljaar.'));
  }
  /* A point leads back to the region's profile, at its verdict on this indicator, in the same wave. */
  function back(regionCode) { return S.verdictHref(regionCode, sel.value); }
  var POLARITY = { hoger: 'hoger is gunstiger', lager: 'lager is gunstiger', beide: 'beide kanten van de grenzen zijn ongunstig' };

  function limitsText(lo, hi, ind) {
    return lo == null && hi == null ? null : S.fmt(ind, lo) + ' tot ' + S.fmt(ind, hi);
  }
  function hoverOf(r, m) {
    var isRatio = m.kind === 'ratio';
    return S.hover(S.regionName(r.region_code) + ' (' + r.region_code + ')', [
      ['Waarde', S.fmt(m.id, r.value)],
      [isRatio ? 'Waargenomen (O)' : 'Teller', r.numerator == null ? null : S.num(r.numerator, 2)],
      [isRatio ? 'Verwacht (E)' : 'Noemer', r.denominator == null ? null : S.num(r.denominator, 2)],
      ['Doel', S.fmt(m.id, r.target)],
      ['95%-grenzen', limitsText(r.lower_95, r.upper_95, m.id)],
      ['99,8%-grenzen', limitsText(r.lower_998, r.upper_998, m.id)],
      ['z-score', r.z_score == null ? null : S.num(r.z_score, 2)],
      ['Oordeel', S.verdictWord(r)]
    ], [r.explanation ? 'Toelichting: ' + r.explanation : '', r.substantiation ? 'Onderbouwing: ' + r.substantiation : '']);
  }

  function funnel(rows, m, wave, sm) {
    var pts = rows.filter(function (r) { return r.value != null; });
    var hasDen = pts.some(function (r) { return r.denominator != null; });
    var hasLim = pts.some(function (r) { return r.lower_998 != null || r.upper_998 != null; });
    var note = S.byId('trechter-note');
    if (!hasLim || !pts.length) {
      S.purge('trechter');
      S.byId('trechter').appendChild(S.note(pts.length
        ? 'Voor deze indicator geldt één landelijke norm (' + S.label('norm_source', (pts[0] || {}).norm_source) + '); een trechter is niet van toepassing. De rangorde hieronder toont elke regio tegen de norm.'
        : 'Geen gegevens voor deze indicator in peiljaar ' + wave + '.'));
      note.textContent = '';
      return;
    }
    var xOf = hasDen ? function (r) { return r.denominator; } : function (r) { return r.target; };
    var lim = pts.filter(function (r) { return xOf(r) != null; }).slice().sort(function (a, b) { return xOf(a) - xOf(b); });
    var line = function (name, key, dash, width, show, group) {
      return { type: 'scatter', mode: 'lines', name: name, legendgroup: group, showlegend: show, hoverinfo: 'skip',
        x: lim.map(xOf), y: lim.map(function (r) { return r[key]; }), connectgaps: true,
        line: { color: dash === 'solid' ? '#222222' : '#666666', dash: dash, width: width }, meta: { role: 'grens' } };
    };
    var traces = [
      line('99,8%-grenzen', 'upper_998', 'solid', 1.6, true, 'g998'), line('99,8%-grenzen', 'lower_998', 'solid', 1.6, false, 'g998'),
      line('95%-grenzen', 'upper_95', 'dash', 1.2, true, 'g95'), line('95%-grenzen', 'lower_95', 'dash', 1.2, false, 'g95')
    ];
    var targets = pts.map(function (r) { return r.target; }).filter(function (t) { return t != null; });
    var same = targets.length && targets.every(function (t) { return Math.abs(t - targets[0]) < 1e-9; });
    var xmin = Math.min.apply(null, lim.map(xOf)), xmax = Math.max.apply(null, lim.map(xOf));
    if (same || !hasDen) traces.push({
      type: 'scatter', mode: 'lines', name: hasDen ? 'doel' : 'waarde = verwachting', hoverinfo: 'skip',
      x: [xmin, xmax], y: hasDen ? [targets[0], targets[0]] : [xmin, xmax],
      line: { color: '#0072B2', width: 2, dash: 'dot' }, meta: { role: 'doel' }
    });
    traces = traces.concat(S.verdictTraces(pts.filter(function (r) { return xOf(r) != null; }).map(function (r) {
      return { x: xOf(r), y: r.value, verdict: r.verdict, code: r.region_code, hover: hoverOf(r, m) };
    })));
    var mine = focus && pts.find(function (r) { return r.region_code === focus && xOf(r) != null; });
    if (mine) traces.push(focusTrace(mine, xOf(mine), mine.value));
    var xTitle = hasDen ? (m.denominator || 'noemer') : 'verwachte waarde volgens de risicobasis (' + m.unit + ')';
    S.plot('trechter', traces, S.layout(m.short + ': trechterplot, peiljaar ' + wave, {
      height: 470,
      xaxis: S.axis(xTitle, { rangemode: 'tozero' }),
      yaxis: S.axis(m.unit, { tickformat: S.tickformat(m.id) })
    }));
    S.linkPoints('trechter', back);
    if (!sm || sm.phi == null) note.textContent = 'Overdispersie: voor dit normtype niet berekend.';
    else {
      var n = sm.n_regions || pts.length, g = Math.floor(0.1 * n);
      note.textContent = 'Overdispersie: φ = ' + S.num(sm.phi, 3) + ', τ² = ' + S.num(sm.tau2, 4) +
        (sm.tau2 > 0 ? ': de grenzen zijn verbreed met een random-effects-term (DerSimonian-Laird).' : ': geen verbreding van de grenzen nodig.') +
        ' φ is berekend na het bijsnijden van de uiterste 10% van de z-scores per kant (' +
        (sm.overdispersion_method ? S.label('overdispersion_method', sm.overdispersion_method) : 'winsoriseren of afkappen') +
        '); bij ' + S.plural(n, 'regio', 'regio\'s') + ' raakt dat ' + S.plural(g, 'regio', 'regio\'s') + ' aan elke kant.';
    }
  }

  function ranked(rows, m, wave) {
    var pts = rows.filter(function (r) { return r.value != null; }).slice().sort(function (a, b) {
      return a.value - b.value || (a.region_code < b.region_code ? 1 : -1);
    });
    var missing = rows.filter(function (r) { return r.value == null; });
    if (!pts.length) { S.purge('rangorde'); S.byId('rangorde').appendChild(S.note('Geen gegevens in peiljaar ' + wave + '.')); return; }
    var seg = function (lo, hi) {
      var x = [], y = [];
      pts.forEach(function (r, i) { if (r[lo] != null && r[hi] != null) { x.push(r[lo], r[hi], null); y.push(i, i, null); } });
      return { x: x, y: y };
    };
    var s998 = seg('lower_998', 'upper_998'), s95 = seg('lower_95', 'upper_95');
    var traces = [];
    if (s998.x.length) traces.push({ type: 'scatter', mode: 'lines', name: '99,8%-grenzen', x: s998.x, y: s998.y, hoverinfo: 'skip',
      line: { color: '#9a9a9a', width: 2 }, meta: { role: 'grens' } });
    if (s95.x.length) traces.push({ type: 'scatter', mode: 'lines', name: '95%-grenzen', x: s95.x, y: s95.y, hoverinfo: 'skip',
      line: { color: '#4d4d4d', width: 5 }, opacity: 0.45, meta: { role: 'grens' } });
    traces.push({ type: 'scatter', mode: 'markers', name: 'doel of norm', hoverinfo: 'skip',
      x: pts.map(function (r) { return r.target; }), y: pts.map(function (r, i) { return i; }),
      marker: { symbol: 'line-ns-open', size: 16, color: '#0072B2', line: { width: 2.5, color: '#0072B2' } }, meta: { role: 'doel' } });
    traces = traces.concat(S.verdictTraces(pts.map(function (r, i) {
      return { x: r.value, y: i, verdict: r.verdict, code: r.region_code, hover: hoverOf(r, m) };
    })));
    var at = focus ? pts.findIndex(function (r) { return r.region_code === focus; }) : -1;
    if (at >= 0) traces.push(focusTrace(pts[at], pts[at].value, at));
    // with hundreds of regions a row per region would make the chart metres high: then the rows are packed
    // together without names (the name is in the hover text and in the table below)
    var many = pts.length > 200;
    S.plot('rangorde', traces, S.layout(m.short + ': regio\'s gerangschikt, peiljaar ' + wave, {
      height: many ? 1200 : Math.max(420, pts.length * 22 + 170), margin: { l: 190, r: 20, t: 80, b: 70 },
      xaxis: S.axis(m.unit, { tickformat: S.tickformat(m.id) }),
      yaxis: many ? S.axis('regio\'s, van laag naar hoog (naam in de hovertekst)', { range: [-0.7, pts.length - 0.3],
        showticklabels: false, showgrid: false, zeroline: false }) :
        S.axis('', { tickvals: pts.map(function (r, i) { return i; }), range: [-0.7, pts.length - 0.3],
        ticktext: pts.map(function (r) { var n = S.esc(S.regionName(r.region_code)); return r.region_code === focus ? '<b>▶ ' + n + '</b>' : n; }),
        showgrid: true, gridcolor: '#f0f0f0', zeroline: false }),
      legend: { orientation: 'h', x: 0, y: 1.01, yanchor: 'bottom' },
      annotations: missing.length ? [{ xref: 'paper', yref: 'paper', x: 0, y: -0.09, showarrow: false, xanchor: 'left',
        text: S.esc('Geen gegevens: ' + (missing.length > 20 ? missing.length + ' regio\'s (zie de tabel)'
          : missing.map(function (r) { return S.regionName(r.region_code); }).join(', '))), font: { size: 11, color: '#555555' } }] : []
    }));
    S.linkPoints('rangorde', back);
  }

  function summary(rows, m, sm, wave) {
    if (!sm) { S.put('samenvatting', S.note('Geen landelijke samenvatting voor peiljaar ' + wave + '.')); return; }
    var sources = Array.from(new Set(rows.map(function (r) { return r.norm_source; }).filter(Boolean)));
    var iqr = sm.p75 != null && sm.p25 != null ? sm.p75 - sm.p25 : null;
    var pairs = [
      ['Norm', sources.map(function (s) { return S.label('norm_source', s); }).join('; ') || '–'],
      ['Regio\'s met gegevens', S.num(sm.n_regions, 0)],
      ['Landelijke waarde', S.fmt(m.id, sm.national_value)],
      ['Minimum', S.fmt(m.id, sm.min)], ['25e percentiel', S.fmt(m.id, sm.p25)], ['Mediaan', S.fmt(m.id, sm.median)],
      ['75e percentiel', S.fmt(m.id, sm.p75)], ['Maximum', S.fmt(m.id, sm.max)],
      ['Interkwartielafstand', iqr == null ? '–' : (m.kind === 'share' ? S.num(iqr * 100, 1) + ' procentpunt' : S.num(iqr, 2))],
      ['Variatiefactor (max/min)', sm.fold_variation == null ? '– (minimum is 0 of ontbreekt)' : S.num(sm.fold_variation, 1) + '×'],
      ['P90/P10', sm.p90_p10_ratio == null ? '–' : S.num(sm.p90_p10_ratio, 2) + '×'],
      ['Overdispersie φ', sm.phi == null ? '–' : S.num(sm.phi, 3)], ['τ²', sm.tau2 == null ? '–' : S.num(sm.tau2, 4)],
      ['R² risico', sm.r2_risk == null ? '–' : S.num(sm.r2_risk, 2)]
    ];
    if (sm.r2_method != null) pairs.push(['R² methode', S.num(sm.r2_method, 2)]);
    if (sm.scv != null) pairs.push(['SCV (systematische variatie)', S.num(sm.scv, 3)]);
    if (sm.tau2_natural != null) pairs.push(['τ² (natuurlijke schaal)', S.num(sm.tau2_natural, 4)]);
    if (sm.n_outside_998 != null) pairs.push(['Buiten de 99,8%-grenzen', S.num(sm.n_outside_998, 0) + ' (door toeval verwacht: ' + S.num(sm.expected_false_alarms, 2) + ')']);
    pairs.push(['Ongunstige afwijkingen', S.num(sm.n_unfavourable, 0)], ['Niet onderbouwd', S.num(sm.n_unjustified, 0)]);
    S.put('samenvatting', S.table([
      { label: 'Maat', value: function (p) { return p[0]; } },
      { label: 'Peiljaar ' + wave, cls: 'num', value: function (p) { return p[1]; } }
    ], pairs, { rowClass: function (p) { return p[0] === 'Niet onderbouwd' && sm.n_unjustified > 0 ? 'hi' : null; } }));
  }

  function verdictTable(rows, m) {
    var sorted = rows.slice().sort(function (a, b) {
      return (SEVERITY[a.verdict] == null ? 9 : SEVERITY[a.verdict]) - (SEVERITY[b.verdict] == null ? 9 : SEVERITY[b.verdict]) ||
        (a.region_code < b.region_code ? -1 : 1);
    });
    S.put('oordelen', S.table([
      { label: 'Regio', value: function (r) { return S.el('a', { href: back(r.region_code), text: S.regionName(r.region_code) }); } },
      { label: 'Waarde', cls: 'num', value: function (r) { return S.fmt(m.id, r.value); } },
      { label: 'Doel', cls: 'num', value: function (r) { return S.fmt(m.id, r.target); } },
      { label: '99,8%-grenzen', cls: 'num', value: function (r) { return limitsText(r.lower_998, r.upper_998, m.id); } },
      { label: 'Oordeel', value: function (r) { return S.badge(r.verdict, r); } },
      { label: 'Toelichting', cls: 'text', value: function (r) {
        return D.explanation_elsewhere ? S.el('a', { href: back(r.region_code), text: 'in het regioprofiel' }) : r.explanation; } },
      { label: 'Onderbouwing', cls: 'text', value: function (r) { return r.substantiation; } }
    ], sorted, { rowClass: function (r) { return r.region_code === focus ? 'target' : null; } }));
  }

  function draw(all, id, wave) {
    var m = S.ind[id] || { id: id, short: id, unit: 'waarde', kind: 'score' };
    S.put('ind-label', document.createTextNode(m.label + ' (' + m.unit + '; ' + (POLARITY[m.polarity] || '') + '). '))
      .appendChild(S.el('a', { id: 'ind-definitie', href: S.root + 'definities.html#def-' + encodeURIComponent(id), text: 'Definitie: teller, noemer, vragen en norm' }));
    var rows = all.filter(function (r) { return r.wave === wave && r.indicator_id === id; });
    var sm = summ.find(function (r) { return r.wave === wave && r.indicator_id === id; });
    focusLine(rows, m);
    funnel(rows, m, wave, sm);
    ranked(rows, m, wave);
    summary(rows, m, sm, wave);
    verdictTable(rows, m);
  }

  function render(wave) {
    var id = sel.value;
    if (reg) { draw(reg, id, wave); return null; }
    if (byInd[id]) { draw(byInd[id], id, wave); return null; }
    var file = (D.parts || {})[id];
    if (!file) { draw([], id, wave); return null; }
    S.put('oordelen', S.el('p', { class: 'loading', text: 'Gegevens van deze indicator worden geladen …' }));
    return new Promise(function (resolve) {
      S.need(file, function (part) {
        byInd[id] = part ? S.unpack(part.register) : [];
        if (!part) S.put('oordelen', S.el('p', { class: 'warning', text: 'Het gegevensbestand assets/data/' + file + ' ontbreekt.' }));
        // draw only what is still asked for: the reader may have chosen another indicator or wave meanwhile
        if (sel.value === id && S.wave === wave && part) draw(byInd[id], id, wave);
        resolve();
      });
    });
  }

  sel.addEventListener('change', function () { S.setHash('indicator', sel.value); S.safeRender(render); });
  S.start(render);
})();
