/* Aanbevelingen: regions x recommendations 1-10 status grid. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var rows = S.unpack(D.recommendations);
  // order of the colour scale, colour and glyph per status: from the contract (S.codes)
  var ORDER = S.order('recommendation_status'), GLYPH = S.glyphs('recommendation_status'), COLOR = {};
  ORDER.forEach(function (s) { COLOR[s] = S.look('recommendation_status', s).color; });
  var ids = function (r) { return S.indicatorIds(r.indicator_ids); };

  // with many regions the page holds a selection of them; D.counts then has the counts over all regions
  var counted = null;
  if (D.counts) {
    counted = {};
    S.unpack(D.counts).forEach(function (r) { counted[r.wave + '|' + r.recommendation + '|' + r.status] = r.n; });
  }

  function render(wave) {
    var rs = rows.filter(function (r) { return r.wave === wave; });
    if (!rs.length) { S.purge('aanbevelingen-kaart'); S.byId('aanbevelingen-kaart').appendChild(S.note('Geen gegevens in peiljaar ' + wave + '.')); S.put('aanbevelingen-tabel', null); return; }
    var recs = Array.from(new Set(rs.map(function (r) { return r.recommendation; }))).sort(function (a, b) { return a - b; });
    var codes = S.regions.map(function (r) { return r.code; }).filter(function (c) { return rs.some(function (r) { return r.region_code === c; }); });
    var ci = {}, ri = {};
    recs.forEach(function (c, i) { ci[c] = i; });
    codes.forEach(function (c, i) { ri[c] = i; });
    var z = codes.map(function () { return recs.map(function () { return null; }); });
    var text = codes.map(function () { return recs.map(function () { return ''; }); });
    var hover = codes.map(function () { return recs.map(function () { return ''; }); });
    rs.forEach(function (r) {
      var i = ri[r.region_code], j = ci[r.recommendation], k = ORDER.indexOf(r.status);
      z[i][j] = k < 0 ? null : k;
      text[i][j] = GLYPH[r.status] || '?';
      hover[i][j] = S.hover(S.regionName(r.region_code) + ', aanbeveling ' + r.recommendation, [
        ['Onderwerp', S.label('recommendation', String(r.recommendation))], ['Stand', S.label('recommendation_status', r.status)],
        ['Indicatoren', ids(r).map(function (i) { return (S.ind[i] || {}).short || i; }).join('; ')],
        ['Niet onderbouwde afwijkingen', r.n_unjustified]]);
    });
    var scale = [];
    ORDER.forEach(function (s, k) { scale.push([k / ORDER.length, COLOR[s]], [(k + 1) / ORDER.length, COLOR[s]]); });
    S.plot('aanbevelingen-kaart', [{
      type: 'heatmap', name: 'stand', z: z, x: recs.map(function (r, i) { return i; }), y: codes.map(function (c, i) { return i; }),
      zmin: -0.5, zmax: ORDER.length - 0.5, colorscale: scale, xgap: 2, ygap: 2, text: text, texttemplate: '%{text}', textfont: { size: 13 },
      hovertext: hover, hoverinfo: 'text',
      colorbar: { title: { text: 'stand', side: 'top' }, tickvals: ORDER.map(function (s, k) { return k; }),
        ticktext: ORDER.map(function (s) { return S.esc(GLYPH[s] + ' ' + S.label('recommendation_status', s)); }), thickness: 14, len: 0.7, outlinewidth: 1 },
      meta: { role: 'regio' }
    }], S.layout('Stand van de aanbevelingen per regio, peiljaar ' + wave, {
      height: codes.length * 24 + 190, margin: { l: 190, r: 20, t: 50, b: 70 },
      xaxis: S.axis('aanbeveling (nummer)', { tickvals: recs.map(function (r, i) { return i; }), ticktext: recs.map(String), showgrid: false, zeroline: false, side: 'bottom' }),
      yaxis: S.axis('', { tickvals: codes.map(function (c, i) { return i; }), ticktext: codes.map(function (c) { return S.esc(S.regionName(c)); }),
        autorange: 'reversed', showgrid: false, zeroline: false })
    }));

    var statusOf = {};
    rs.forEach(function (r) { statusOf[r.region_code + '#' + r.recommendation] = r.status; });
    S.chartTable('aanbevelingen-kaart', [{ label: 'Regio', value: function (c) { return S.regionLink(c); } }].concat(recs.map(function (n) {
      return { label: 'Aanbeveling ' + n, value: function (c) {
        var st = statusOf[c + '#' + n];
        return st == null ? '–' : S.statusBadge('recommendation_status', st, GLYPH); } };
    })), codes, 'Stand van de aanbevelingen per regio, peiljaar ' + wave);

    S.put('aanbevelingen-tabel', S.table([
      { label: 'Nr.', cls: 'num', value: function (r) { return String(r); } },
      { label: 'Onderwerp', value: function (r) { return S.label('recommendation', String(r)); } },
      { label: 'Indicatoren', value: function (r) {
        var any = rs.find(function (x) { return x.recommendation === r && ids(x).length; });
        return any ? ids(any).map(function (i) { return (S.ind[i] || {}).short || i; }).join('; ') : '–'; } }
    ].concat(ORDER.slice().reverse().map(function (s) {
      return { label: GLYPH[s] + ' ' + S.label('recommendation_status', s), cls: 'num', value: function (r) {
        if (counted) return String(counted[wave + '|' + r + '|' + s] || 0);
        return String(rs.filter(function (x) { return x.recommendation === r && x.status === s; }).length); } };
    })), recs));
  }
  S.start(render);
})();
