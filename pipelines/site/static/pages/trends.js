/* Trends: one indicator over the waves, small multiples per region, with the national line. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var values = S.unpack(D.values);
  var national = S.unpack(D.national);
  var sel = S.byId('indicator');
  var asked = S.hashParams().indicator;
  if (asked && S.ind[asked]) sel.value = asked;

  function render(wave) {
    var id = sel.value, m = S.ind[id] || { id: id, short: id, unit: 'waarde', kind: 'score' };
    var unit = m.kind === 'ratio' ? m.plain_unit : m.unit;
    S.byId('ind-label').textContent = m.label + ' (' + unit + ').';
    var rs = values.filter(function (r) { return r.indicator_id === id; });
    var nat = national.filter(function (r) { return r.indicator_id === id; }).sort(function (a, b) { return a.wave - b.wave; });
    var codes = S.regions.map(function (r) { return r.code; }).filter(function (c) { return rs.some(function (r) { return r.region_code === c; }); });
    if (!codes.length) { S.purge('trends'); S.byId('trends').appendChild(S.note('Geen gegevens voor deze indicator.')); return; }
    var cols = Math.min(5, Math.ceil(Math.sqrt(codes.length))), rows = Math.ceil(codes.length / cols);
    var all = rs.map(function (r) { return r.value; }).concat(nat.map(function (r) { return r.national; })).filter(function (v) { return v != null; });
    var ymax = all.length ? Math.max.apply(null, all) : 1, ymin = Math.min(0, all.length ? Math.min.apply(null, all) : 0);
    var pad = (ymax - ymin) * 0.08 || 0.5;
    var traces = [], annotations = [], shapes = [], layout = {};
    codes.forEach(function (code, i) {
      var k = i === 0 ? '' : String(i + 1);
      var own = rs.filter(function (r) { return r.region_code === code; }).sort(function (a, b) { return a.wave - b.wave; });
      traces.push({ type: 'scatter', mode: 'lines', name: 'landelijk', legendgroup: 'land', showlegend: i === 0,
        x: nat.map(function (r) { return r.wave; }), y: nat.map(function (r) { return r.national; }), xaxis: 'x' + k, yaxis: 'y' + k,
        line: { color: '#555555', dash: 'dot', width: 1.5 }, hoverinfo: 'skip', meta: { role: 'landelijk' } });
      traces.push({ type: 'scatter', mode: 'lines+markers', name: 'regio', legendgroup: 'regio', showlegend: i === 0,
        x: own.map(function (r) { return r.wave; }), y: own.map(function (r) { return r.value; }), xaxis: 'x' + k, yaxis: 'y' + k,
        customdata: own.map(function () { return code; }),
        line: { color: '#0072B2', width: 2 },
        marker: { size: own.map(function (r) { return r.wave === wave ? 11 : 7; }), color: own.map(function (r) { return S.verdictStyle(r.verdict).color; }),
          symbol: own.map(function (r) { return S.verdictStyle(r.verdict).symbol; }), line: { color: '#222222', width: 1 } },
        hovertext: own.map(function (r) {
          var n = nat.find(function (x) { return x.wave === r.wave; });
          return S.hover(S.regionName(code) + ', ' + r.wave, [['Waarde', S.fmt(id, r.value, true)], ['Landelijk', n ? S.fmt(id, n.national, true) : '–'],
            ['Oordeel', S.verdictStyle(r.verdict).label]]);
        }), hoverinfo: 'text', meta: { role: 'regio', region: code } });
      var bottom = Math.floor(i / cols) === rows - 1 || i + cols >= codes.length;
      layout['xaxis' + k] = { tickvals: S.waves, ticktext: S.waves.map(function (w) { return "'" + String(w).slice(2); }), tickangle: 0,
        range: [S.waves[0] - 0.5, S.waves[S.waves.length - 1] + 0.5], gridcolor: '#eeeeee', title: { text: bottom ? 'peiljaar' : '' }, tickfont: { size: 10 } };
      layout['yaxis' + k] = { range: [ymin - pad, ymax + pad], tickformat: S.tickformat(id), gridcolor: '#eeeeee', tickfont: { size: 10 },
        title: { text: i % cols === 0 ? S.esc(m.kind === 'share' ? '%' : (m.kind === 'ratio' ? 'aantal' : (m.kind === 'yesno' ? 'ja=1' : 'waarde'))) : '' } };
      annotations.push({ text: '<b>' + S.esc(S.regionName(code)) + '</b>', xref: 'x' + k + ' domain', yref: 'y' + k + ' domain', x: 0, y: 1.02,
        xanchor: 'left', yanchor: 'bottom', showarrow: false, font: { size: 11 } });
      shapes.push({ type: 'rect', xref: 'x' + k, yref: 'y' + k + ' domain', x0: wave - 0.4, x1: wave + 0.4, y0: 0, y1: 1,
        fillcolor: 'rgba(230, 159, 0, 0.18)', line: { width: 0 }, layer: 'below' });
    });
    S.plot('trends', traces, S.layout((m.kind === 'ratio' ? (m.plain_short || m.short) : m.short) + ' per regio over de peiljaren (' + unit + ')', Object.assign({
      height: rows * 175 + 150, margin: { l: 60, r: 20, t: 90, b: 60 },
      grid: { rows: rows, columns: cols, pattern: 'independent', roworder: 'top to bottom', ygap: 0.45, xgap: 0.12 },
      annotations: annotations, shapes: shapes, legend: { orientation: 'h', x: 1, xanchor: 'right', y: 0.995, yanchor: 'top', yref: 'container' }
    }, layout)));
    S.linkPoints('trends');
    // the table alternative: a row per region, a column per wave with the value and its verdict
    var cell = {};
    rs.forEach(function (r) { cell[r.region_code + '|' + r.wave] = r; });
    var natBy = {};
    nat.forEach(function (r) { natBy[r.wave] = r.national; });
    var waveCols = S.waves.map(function (w) {
      return { label: String(w), cls: 'num', sort: function (c) { var r = c === null ? null : cell[c + '|' + w]; return r && r.value != null ? r.value : null; },
        value: function (c) {
        if (c === null) return S.fmt(id, natBy[w], true);
        var r = cell[c + '|' + w];
        if (!r) return '–';
        var st = S.verdictStyle(r.verdict);
        return S.el('span', { title: st.label }, [S.fmt(id, r.value, true) + ' ', S.el('span', { class: 'glyph', 'aria-hidden': 'true', text: st.glyph }),
          S.el('span', { class: 'visually-hidden', text: st.label })]); } };
    });
    S.chartTable('trends', [{ label: 'Regio', value: function (c) { return c === null ? 'landelijk' : S.regionLink(c); } }].concat(waveCols),
      [null].concat(codes), m.short + ' per regio en peiljaar (' + unit + '), met het oordeel');
  }

  sel.addEventListener('change', function () { S.setHash('indicator', sel.value); render(S.wave); });
  S.start(render);
})();
