/* Plan en oefenen: regions x characteristics: exercised, substantiated, not exercised, not in plan. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var rows = S.unpack(D.plan);
  var CHAR = Object.keys(S.labels.bijzonderheid || {});
  // order of the colour scale, colour and glyph per status: from the contract (S.codes)
  var ORDER = S.order('plan'), GLYPH = S.glyphs('plan'), COLOR = {};
  ORDER.forEach(function (s) { COLOR[s] = S.look('plan', s).color; });
  var UNEXERCISED = S.code('plan', 'unexercised');
  var idx = function (list, v) { var i = list.indexOf(v); return i < 0 ? list.length : i; };
  // the region's reason for not exercising a characteristic, from substantiation_register: words, status, why
  var REASON_GLYPH = S.glyphs('reason'), COUNTS = ((S.codes.reason || {}).counts || []).slice();

  // with many regions the page holds a selection of them; D.counts then has the counts over all regions
  var counted = null;
  if (D.counts) {
    counted = {};
    S.unpack(D.counts).forEach(function (r) { counted[r.wave + '|' + r.characteristic + '|' + r.status] = r.n; });
  }
  function count(wave, c, s, rs) {
    if (counted) return counted[wave + '|' + c + '|' + s] || 0;
    return rs.filter(function (r) { return r.characteristic === c && r.status === s; }).length;
  }

  function render(wave) {
    var rs = rows.filter(function (r) { return r.wave === wave; });
    if (!rs.length) {
      ['plan-kaart', 'plan-telling'].forEach(function (id) { S.purge(id); S.byId(id).appendChild(S.note('Geen gegevens over planvorming in peiljaar ' + wave + '.')); });
      S.put('plan-toelichtingen', null);
      return;
    }
    var chars = Array.from(new Set(rs.map(function (r) { return r.characteristic; }))).sort(function (a, b) { return idx(CHAR, a) - idx(CHAR, b) || (a < b ? -1 : 1); });
    var codes = S.regions.map(function (r) { return r.code; }).filter(function (c) { return rs.some(function (r) { return r.region_code === c; }); });
    var ci = {}, ri = {};
    chars.forEach(function (c, i) { ci[c] = i; });
    codes.forEach(function (c, i) { ri[c] = i; });
    var z = codes.map(function () { return chars.map(function () { return null; }); });
    var text = codes.map(function () { return chars.map(function () { return ''; }); });
    var hover = codes.map(function () { return chars.map(function () { return ''; }); });
    rs.forEach(function (r) {
      var i = ri[r.region_code], j = ci[r.characteristic], k = ORDER.indexOf(r.status);
      z[i][j] = k < 0 ? null : k;
      text[i][j] = GLYPH[r.status] || '?';
      hover[i][j] = S.hover(S.regionName(r.region_code), [['Bijzonderheid', S.label('bijzonderheid', r.characteristic)],
        ['In het plan', r.in_plan ? 'ja' : 'nee'], ['Beoefend in de laatste drie peiljaren', r.exercised_3w ? 'ja' : 'nee'],
        ['Niet beoefenen onderbouwd', r.substantiated ? 'ja' : 'nee'], ['Status', S.label('plan', r.status)],
        ['Toelichting', r.reason_status ? S.label('reason', r.reason_status) : null]],
        [r.reason_text ? 'Toelichting van de regio: ' + r.reason_text : '', r.status_reason || '']);
    });
    var scale = [];
    ORDER.forEach(function (s, k) { scale.push([k / ORDER.length, COLOR[s]], [(k + 1) / ORDER.length, COLOR[s]]); });
    var shortLabel = function (c) { return S.esc(String(c).replace(/_/g, ' ')); };
    S.plot('plan-kaart', [{
      type: 'heatmap', name: 'status', z: z, x: chars.map(function (c, i) { return i; }), y: codes.map(function (c, i) { return i; }),
      zmin: -0.5, zmax: ORDER.length - 0.5, colorscale: scale, xgap: 2, ygap: 2, text: text, texttemplate: '%{text}',
      textfont: { size: 13 }, hovertext: hover, hoverinfo: 'text',
      colorbar: { title: { text: 'status', side: 'top' }, tickvals: ORDER.map(function (s, k) { return k; }),
        ticktext: ORDER.map(function (s) { return S.esc(GLYPH[s] + ' ' + S.label('plan', s)); }), thickness: 14, len: 0.7 },
      meta: { role: 'regio' }
    }], S.layout('Bijzonderheden in het plan en beoefend in de laatste drie peiljaren, peiljaar ' + wave, {
      height: codes.length * 24 + 260, margin: { l: 190, r: 20, t: 50, b: 160 },
      xaxis: S.axis('bijzonderheid uit het plan', { tickvals: chars.map(function (c, i) { return i; }), ticktext: chars.map(shortLabel), tickangle: -40, showgrid: false, zeroline: false }),
      yaxis: S.axis('', { tickvals: codes.map(function (c, i) { return i; }), ticktext: codes.map(function (c) { return S.esc(S.regionName(c)); }),
        autorange: 'reversed', showgrid: false, zeroline: false })
    }));

    var bars = ORDER.slice().reverse().map(function (s) {
      var counts = chars.map(function (c) { return count(wave, c, s, rs); });
      return { type: 'bar', orientation: 'h', name: GLYPH[s] + ' ' + S.label('plan', s), y: chars.map(shortLabel), x: counts,
        marker: { color: COLOR[s], line: { color: '#555555', width: 0.5 }, pattern: s === UNEXERCISED ? { shape: '/', fgcolor: '#7a4f00', bgcolor: COLOR[s], size: 7, solidity: 0.25 } : undefined },
        hovertext: counts.map(function (n, j) { return S.hover(S.label('bijzonderheid', chars[j]), [[S.label('plan', s), S.plural(n, 'regio', 'regio\'s')]]); }),
        hoverinfo: 'text', meta: { role: 'telling' } };
    });
    S.plot('plan-telling', bars, S.layout('Aantal regio\'s per status en bijzonderheid, peiljaar ' + wave, {
      barmode: 'stack', height: chars.length * 28 + 190, margin: { l: 190, r: 20, t: 50, b: 110 },
      xaxis: S.axis('aantal regio\'s', { dtick: S.regions.length <= 50 ? 5 : null }), yaxis: S.axis('', { autorange: 'reversed' })
    }));
    // the table alternatives of both charts
    var byCell = {};
    rs.forEach(function (r) { byCell[r.region_code + '|' + r.characteristic] = r.status; });
    S.chartTable('plan-kaart', [{ label: 'Regio', value: function (c) { return S.regionLink(c); } }].concat(chars.map(function (ch) {
      return { label: S.label('bijzonderheid', ch), value: function (c) {
        var st = byCell[c + '|' + ch];
        return st == null ? '–' : S.statusBadge('plan', st, GLYPH); } };
    })), codes, 'Bijzonderheden in het plan en beoefend, per regio, peiljaar ' + wave);
    S.chartTable('plan-telling', [{ label: 'Bijzonderheid', value: function (c) { return S.label('bijzonderheid', c); } }].concat(ORDER.map(function (st) {
      return { label: S.label('plan', st), cls: 'num', value: function (c) { return S.num(count(wave, c, st, rs), 0); } };
    })), chars, 'Aantal regio\'s per status en bijzonderheid, peiljaar ' + wave);
    reasonTable(wave, rs);
  }

  function reasonTable(wave, rs) {
    var codes = S.regions.map(function (x) { return x.code; });
    var list = rs.filter(function (r) { return r.reason_status; })
      .sort(function (a, b) { return idx(codes, a.region_code) - idx(codes, b.region_code) || idx(CHAR, a.characteristic) - idx(CHAR, b.characteristic); });
    if (!list.length) { S.put('plan-toelichtingen', S.note('Geen toelichting bij een niet beoefende bijzonderheid in peiljaar ' + wave + '.')); return; }
    S.put('plan-toelichtingen', S.table([
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code); } },
      { label: 'Bijzonderheid', value: function (r) { return S.label('bijzonderheid', r.characteristic); } },
      { label: 'Toelichting van de regio', cls: 'text', value: function (r) {
        return r.reason_text || S.el('span', { class: 'empty', text: 'geen tekst (alleen ‘niet beoefenen onderbouwd’)' }); } },
      { label: 'Status', cls: 'text', value: function (r) {
        return S.el('span', null, [S.statusBadge('reason', r.reason_status, REASON_GLYPH), r.status_reason ? S.el('div', { class: 'small', text: r.status_reason }) : null]); } }
    ], list, { rowClass: function (r) { return COUNTS.indexOf(r.reason_status) < 0 ? 'hi' : null; } }));
  }
  S.start(render);
})();
