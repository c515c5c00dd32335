/* Risicobeoordeling: self-assessed probability against the risk basis, coloured by method; R2 method vs risk. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  // the risk rows of a wave: in the page, or beyond OVERVIEW_LIMIT regions one data part per wave (D.parts) loaded
  // when the wave is chosen; the chart over all waves draws D.summary (one row per wave)
  var all = D.parts ? null : S.unpack(D.risk);
  var summ = S.unpack(D.summary);
  var sel = S.byId('basis');
  var asked = S.hashParams().basis;
  if (asked && Array.prototype.some.call(sel.options, function (o) { return o.value === asked; })) sel.value = asked;
  var METHODS = Object.keys(S.labels.methode || {});
  var MCOLOR = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#000000', '#56B4E9', '#D55E00'];
  var MSYMBOL = ['circle', 'square', 'diamond', 'triangle-up', 'x', 'star', 'cross'];
  var AXIS = { target: 'verwachte ingeschatte kans volgens de risicobasis (model, 1-5)', high_risk_sites: 'hoogrisico-objecten (aantal)',
    large_events: 'evenementen met meer dan 10.000 bezoekers per jaar (aantal)', population: 'inwoners (aantal, logaritmische as)' };

  function jitter(code, i) { // deterministic, small: keeps equal scores apart
    var h = 0; String(code).split('').forEach(function (ch) { h = (h * 31 + ch.charCodeAt(0)) % 997; });
    return ((h % 21) - 10) / 10 * 0.12;
  }

  function scatter(wave, rows) {
    var basis = sel.value;
    var rs = rows.filter(function (r) { return r.wave === wave && r.kans_score != null && r[basis] != null; });
    var skipped = rows.filter(function (r) { return r.wave === wave && (r.kans_score == null || r[basis] == null); });
    if (!rs.length) { S.purge('kans'); S.byId('kans').appendChild(S.note('Geen risicobeoordelingen in peiljaar ' + wave + '.')); return; }
    var methods = Array.from(new Set(rs.map(function (r) { return r.method || 'onbekend'; }))).sort(function (a, b) {
      var ia = METHODS.indexOf(a), ib = METHODS.indexOf(b); return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    var traces = methods.map(function (m, k) {
      var pts = rs.filter(function (r) { return (r.method || 'onbekend') === m; });
      return { type: 'scatter', mode: 'markers', name: S.label('methode', m),
        x: pts.map(function (r) { return r[basis]; }), y: pts.map(function (r) { return r.kans_score + jitter(r.region_code); }),
        customdata: pts.map(function (r) { return r.region_code; }),
        hovertext: pts.map(function (r) {
          return S.hover(S.regionName(r.region_code) + ' (' + r.region_code + ')', [['Methode', S.label('methode', r.method)],
            ['Ingeschatte kans', S.num(r.kans_score, 0)], ['Verwacht volgens risicobasis', S.num(r.target, 2)],
            ['Hoogrisico-objecten', S.num(r.high_risk_sites, 0)], ['Grootschalige evenementen', S.num(r.large_events, 0)],
            ['Inwoners', S.num(r.population, 0)], ['Oordeel', S.verdictStyle(r.verdict).label]], [r.explanation ? 'Toelichting: ' + r.explanation : '']);
        }), hoverinfo: 'text',
        marker: { size: 12, color: MCOLOR[k % MCOLOR.length], symbol: MSYMBOL[k % MSYMBOL.length], line: { color: '#222222', width: 1 }, opacity: 0.9 },
        meta: { role: 'regio' } };
    });
    if (basis === 'target') {
      var xs = rs.map(function (r) { return r.target; });
      var lo = Math.min.apply(null, xs), hi = Math.max.apply(null, xs);
      traces.push({ type: 'scatter', mode: 'lines', name: 'kans = verwachting', x: [lo, hi], y: [lo, hi], hoverinfo: 'skip',
        line: { color: '#555555', dash: 'dot' }, meta: { role: 'lijn' } });
    }
    S.plot('kans', traces, S.layout('Ingeschatte kans tegen de risicobasis, naar methode, peiljaar ' + wave, {
      height: 480,
      xaxis: S.axis(AXIS[basis], { type: basis === 'population' ? 'log' : 'linear' }),
      yaxis: S.axis('ingeschatte kans (eigen inschatting, 1-5)', { range: [0.5, 5.5], dtick: 1 }),
      annotations: skipped.length ? [{ xref: 'paper', yref: 'paper', x: 0, y: -0.3, xanchor: 'left', showarrow: false, font: { size: 11, color: '#555555' },
        text: S.esc('Niet getoond (geen gegevens): ' + skipped.map(function (r) { return S.regionName(r.region_code); }).join(', ')) }] : []
    }));
    S.linkPoints('kans');
    S.chartTable('kans', [
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code); } },
      { label: 'Methode', value: function (r) { return S.label('methode', r.method); } },
      { label: AXIS[basis], cls: 'num', value: function (r) { return S.num(r[basis], 2); } },
      { label: 'kans_score', cls: 'num', value: function (r) { return S.num(r.kans_score, 0); } },
      { label: 'Oordeel', value: function (r) { return S.badge(r.verdict); } }
    ], rs, 'Ingeschatte kans tegen de risicobasis per regio, peiljaar ' + wave);

    var by = S.groupBy(rows.filter(function (r) { return r.wave === wave && r.kans_score != null; }), function (r) { return r.method || 'onbekend'; });
    var tab = Array.from(by.keys()).sort().map(function (m) {
      var g = by.get(m), mean = g.reduce(function (a, r) { return a + r.kans_score; }, 0) / g.length;
      var tmean = g.filter(function (r) { return r.target != null; });
      return { m: m, n: g.length, mean: mean, target: tmean.length ? tmean.reduce(function (a, r) { return a + r.target; }, 0) / tmean.length : null };
    });
    S.put('per-methode', S.table([
      { label: 'Methode', value: function (r) { return S.label('methode', r.m); } },
      { label: 'Regio\'s', cls: 'num', value: function (r) { return S.num(r.n, 0); } },
      { label: 'Gemiddelde ingeschatte kans', cls: 'num', value: function (r) { return S.num(r.mean, 2); } },
      { label: 'Gemiddeld verwacht volgens risicobasis', cls: 'num', value: function (r) { return S.num(r.target, 2); } }
    ], tab));
  }

  function r2(wave) {
    var rs = summ.slice().sort(function (a, b) { return a.wave - b.wave; });
    var line = S.byId('risico-conclusie');
    var cur = rs.find(function (r) { return r.wave === wave; });
    if (!cur || (cur.r2_risk == null && cur.r2_method == null)) line.textContent = 'Voor peiljaar ' + wave + ' is geen R² berekend.';
    else {
      var more = cur.r2_method != null && cur.r2_risk != null && cur.r2_method > cur.r2_risk;
      line.textContent = 'Peiljaar ' + wave + ': de methode verklaart ' + S.pct(cur.r2_method, 0) + ' van de verschillen in de ingeschatte kans, de risicobasis ' +
        S.pct(cur.r2_risk, 0) + '. ' + (more ? 'De uitkomst van de risicobeoordeling zegt dus meer over de gekozen methode dan over het risico.'
          : 'Het risico verklaart minstens zoveel als de methode.');
    }
    if (!rs.length) { S.purge('r2'); S.byId('r2').appendChild(S.note('Geen R² beschikbaar.')); return; }
    var mk = function (key, name, color, pattern) {
      return { type: 'bar', name: name, x: rs.map(function (r) { return String(r.wave); }), y: rs.map(function (r) { return r[key]; }),
        marker: { color: color, line: { color: rs.map(function (r) { return r.wave === wave ? '#000000' : color; }), width: rs.map(function (r) { return r.wave === wave ? 2.5 : 0; }) },
          pattern: pattern }, text: rs.map(function (r) { return r[key] == null ? '' : S.pct(r[key], 0); }), textposition: 'outside',
        hovertext: rs.map(function (r) { return S.hover(name + ', ' + r.wave, [['R²', S.num(r[key], 3)]]); }), hoverinfo: 'text', meta: { role: 'r2' } };
    };
    S.plot('r2', [mk('r2_method', 'R² methode', '#E69F00', { shape: '/', fgcolor: '#7a4f00', bgcolor: '#E69F00', size: 8, solidity: 0.25 }), mk('r2_risk', 'R² risicobasis', '#0072B2')],
      S.layout('Verklaarde verschillen: methode tegen risico, per peiljaar', {
        barmode: 'group', height: 480,
        xaxis: S.axis('peiljaar (omkaderd: gekozen peiljaar)', { type: 'category' }),
        yaxis: S.axis('verklaarde variantie R² (%)', { tickformat: ',.0%', range: [0, 1] })
      }));
  }

  function r2Table(wave) {
    var rs = summ.slice().sort(function (a, b) { return a.wave - b.wave; });
    S.chartTable('r2', [
      { label: 'Peiljaar', value: function (r) { return String(r.wave); } },
      { label: 'R² methode', cls: 'num', value: function (r) { return S.pct(r.r2_method, 0); } },
      { label: 'R² risicobasis', cls: 'num', value: function (r) { return S.pct(r.r2_risk, 0); } }
    ], rs, 'Verklaarde verschillen: methode tegen risico, per peiljaar', { rowClass: function (r) { return r.wave === wave ? 'hi' : null; } });
  }
  var ofWave = S.waveRows(all, 'risk', scatter);
  function render(wave) { r2(wave); r2Table(wave); return ofWave(wave); }
  sel.addEventListener('change', function () { S.setHash('basis', sel.value); S.safeRender(render); });
  S.start(render);
})();
