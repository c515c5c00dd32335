/* Ringenmodel: regions x (zone, discipline) access against the national norm. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var rows = S.unpack(D.ring);
  var ACCESS = Object.keys(S.labels.toegang || {});
  var ZONES = Object.keys(S.labels.zone || {});
  var DISC = Object.keys(S.labels.discipline || {});
  var idx = function (list, v) { var i = list.indexOf(v); return i < 0 ? list.length : i; };
  // the region's reason for a deviating cell, from substantiation_register: its words, status and why
  var REASON_GLYPH = S.glyphs('reason'), COUNTS = ((S.codes.reason || {}).counts || []).slice();
  var NO_REASON = S.code('reason', 'no_reason');
  var counts = function (r) { return COUNTS.indexOf(r.reason_status) >= 0; };

  function render(wave) {
    var rs = rows.filter(function (r) { return r.wave === wave; });
    if (!rs.length) {
      S.purge('ring-kaart'); S.byId('ring-kaart').appendChild(S.note('Geen gegevens over het ringenmodel in peiljaar ' + wave + '.'));
      S.put('ring-norm', null); S.put('ring-afwijkingen', null); return;
    }
    var key = function (r) { return r.zone + '|' + r.discipline; };
    var cols = Array.from(new Set(rs.map(key))).sort(function (a, b) {
      var pa = a.split('|'), pb = b.split('|');
      return idx(ZONES, pa[0]) - idx(ZONES, pb[0]) || idx(DISC, pa[1]) - idx(DISC, pb[1]);
    });
    var codes = S.regions.map(function (r) { return r.code; }).filter(function (c) { return rs.some(function (r) { return r.region_code === c; }); });
    var ci = {}, ri = {};
    cols.forEach(function (c, i) { ci[c] = i; });
    codes.forEach(function (c, i) { ri[c] = i; });
    var z = codes.map(function () { return cols.map(function () { return null; }); });
    var text = codes.map(function () { return cols.map(function () { return ''; }); });
    var hover = codes.map(function () { return cols.map(function () { return ''; }); });
    var more = { x: [], y: [], t: [] }, less = { x: [], y: [], t: [] };
    var norms = {};
    rs.forEach(function (r) {
      var i = ri[r.region_code], j = ci[key(r)];
      var a = ACCESS.indexOf(r.access), n = ACCESS.indexOf(r.norm_access);
      z[i][j] = a < 0 ? null : a;
      norms[key(r)] = norms[key(r)] || { zone: r.zone, discipline: r.discipline, norm: r.norm_access, source: r.norm_source };
      var h = S.hover(S.regionName(r.region_code), [['Zone', r.zone], ['Discipline', r.discipline],
        ['Toegang', S.label('toegang', r.access)], ['Norm', S.label('toegang', r.norm_access) + ' (' + S.label('norm_source', r.norm_source) + ')'],
        ['Wijkt af', r.deviates ? 'ja' : 'nee']], [r.reason_text ? 'Toelichting van de regio: ' + r.reason_text + ' (' + S.label('reason', r.reason_status) + ': ' + r.status_reason + ')'
          : (r.deviates ? 'Geen toelichting gegeven.' : '')]);
      hover[i][j] = h;
      if (r.deviates) {
        var b = a > n ? more : less;
        b.x.push(j); b.y.push(i); b.t.push(h);
      }
    });
    var scale = [];
    var colors = ['#f7f7f7', '#c6dbef', '#6baed6', '#08519c'];
    for (var k = 0; k < ACCESS.length; k++) scale.push([k / ACCESS.length, colors[Math.min(k, 3)]], [(k + 1) / ACCESS.length, colors[Math.min(k, 3)]]);
    var colLabel = function (c) { var p = c.split('|'); return S.esc(p[1]) + '<br><span style="font-size:10px">norm:<br>' + S.esc(String((norms[c] || {}).norm || '–').replace(/_/g, ' ')) + '</span>'; };
    var groups = [];
    cols.forEach(function (c, i) {
      var zone = c.split('|')[0];
      if (!groups.length || groups[groups.length - 1].zone !== zone) groups.push({ zone: zone, from: i, to: i });
      else groups[groups.length - 1].to = i;
    });
    var traces = [{ type: 'heatmap', name: 'toegang', z: z, x: cols.map(function (c, i) { return i; }), y: codes.map(function (c, i) { return i; }),
      zmin: -0.5, zmax: ACCESS.length - 0.5, colorscale: scale, xgap: 2, ygap: 1, hovertext: hover, hoverinfo: 'text',
      colorbar: { title: { text: 'toegang', side: 'top' }, tickvals: ACCESS.map(function (a, i) { return i; }),
        ticktext: ACCESS.map(function (a) { return S.esc(S.label('toegang', a)); }), thickness: 14, len: 0.7 },
      meta: { role: 'regio' } }];
    if (more.x.length) traces.push({ type: 'scatter', mode: 'markers', name: '▲ meer toegang dan de norm', x: more.x, y: more.y, hovertext: more.t, hoverinfo: 'text',
      marker: { symbol: 'triangle-up', size: 15, color: '#D55E00', line: { color: '#ffffff', width: 1 } }, meta: { role: 'markering' } });
    if (less.x.length) traces.push({ type: 'scatter', mode: 'markers', name: '▼ minder toegang dan de norm', x: less.x, y: less.y, hovertext: less.t, hoverinfo: 'text',
      marker: { symbol: 'triangle-down', size: 15, color: '#E69F00', line: { color: '#000000', width: 1 } }, meta: { role: 'markering' } });
    S.plot('ring-kaart', traces, S.layout('Toegang per zone en discipline tegen de norm, peiljaar ' + wave, {
      height: codes.length * 24 + 240, margin: { l: 190, r: 20, t: 95, b: 110 },
      shapes: groups.slice(1).map(function (g) { return { type: 'line', xref: 'x', yref: 'paper', x0: g.from - 0.5, x1: g.from - 0.5, y0: 0, y1: 1.07, line: { color: '#1a1a1a', width: 2 } }; }),
      annotations: groups.map(function (g) { return { text: '<b>' + S.esc(g.zone + ' zone') + '</b>', xref: 'x', yref: 'paper', x: (g.from + g.to) / 2, y: 1.01, yanchor: 'bottom', showarrow: false, font: { size: 12 } }; }),
      xaxis: S.axis('discipline per zone, met de norm', { tickvals: cols.map(function (c, i) { return i; }), ticktext: cols.map(colLabel), showgrid: false, zeroline: false, tickangle: 0 }),
      yaxis: S.axis('', { tickvals: codes.map(function (c, i) { return i; }), ticktext: codes.map(function (c) { return S.esc(S.regionName(c)); }),
        autorange: 'reversed', showgrid: false, zeroline: false }),
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 0.995, yanchor: 'top', yref: 'container' }
    }));
    // the table alternative: a row per region, a column per zone and discipline
    var cellOf = {};
    rs.forEach(function (r) { cellOf[r.region_code + '#' + key(r)] = r; });
    S.chartTable('ring-kaart', [{ label: 'Regio', value: function (c) { return S.regionLink(c); } }].concat(cols.map(function (c) {
      var p = c.split('|');
      return { label: p[0] + ' zone: ' + p[1], value: function (code) {
        var r = cellOf[code + '#' + c];
        return r ? S.label('toegang', r.access) + (r.deviates ? ' (wijkt af van de norm: ' + S.label('toegang', r.norm_access) + ')' : '') : '–'; } };
    })), codes, 'Toegang per zone en discipline per regio, peiljaar ' + wave);

    S.put('ring-norm', S.table([
      { label: 'Zone', value: function (c) { return norms[c].zone; } },
      { label: 'Discipline', value: function (c) { return norms[c].discipline; } },
      { label: 'Norm', value: function (c) { return S.label('toegang', norms[c].norm); } },
      { label: 'Herkomst', value: function (c) { return S.label('norm_source', norms[c].source); } }
    ], cols));
    var dev = rs.filter(function (r) { return r.deviates; }).sort(function (a, b) { return a.region_code < b.region_code ? -1 : a.region_code > b.region_code ? 1 : idx(ZONES, a.zone) - idx(ZONES, b.zone); });
    if (!dev.length) { S.put('ring-afwijkingen', S.note('Geen afwijkingen van de norm in peiljaar ' + wave + '.')); return; }
    S.put('ring-afwijkingen', S.table([
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code); } },
      { label: 'Zone · discipline', value: function (r) { return r.zone + ' · ' + r.discipline; } },
      { label: 'Toegang (norm)', value: function (r) { return S.label('toegang', r.access) + ' (' + S.label('toegang', r.norm_access) + ')'; } },
      { label: 'Toelichting van de regio', cls: 'text', value: function (r) { return r.reason_text || 'geen toelichting'; } },
      { label: 'Status', cls: 'text', value: function (r) {
        if (!r.reason_status) return S.statusBadge('reason', NO_REASON, REASON_GLYPH);
        return S.el('span', null, [S.statusBadge('reason', r.reason_status, REASON_GLYPH), r.status_reason ? S.el('div', { class: 'small', text: r.status_reason }) : null]); } }
    ], dev, { rowClass: function (r) { return counts(r) ? null : 'hi'; } }));
  }
  S.start(render);
})();
