/* Beschermende middelen: heatmap regions x (role, item), cells below the norm marked. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var rows = S.unpack(D.equipment);
  var LEVELS = Object.keys(S.labels.beschikbaarheid || {});
  var ROLES = Object.keys(S.labels.functie || {});
  var ITEMS = Object.keys(S.labels.middel || {});
  var sel = S.byId('discipline');
  var asked = S.hashParams().discipline;
  if (asked && Array.prototype.some.call(sel.options, function (o) { return o.value === asked; })) sel.value = asked;
  var idx = function (list, v) { var i = list.indexOf(v); return i < 0 ? list.length : i; };
  // the region's reason for a cell below the norm, from substantiation_register: its words, status and why
  var REASON_GLYPH = S.glyphs('reason'), COUNTS = ((S.codes.reason || {}).counts || []).slice();
  var NO_REASON = S.code('reason', 'no_reason');
  var counts = function (r) { return COUNTS.indexOf(r.reason_status) >= 0; };
  var reasonLine = function (r) {
    return r.reason_text ? 'Toelichting van de regio: ' + r.reason_text + ' (' + S.label('reason', r.reason_status) + ': ' + r.status_reason + ')'
      : r.below_norm ? 'Geen toelichting van de regio.' : '';
  };

  function render(wave) {
    var disc = sel.value;
    var rs = rows.filter(function (r) { return r.wave === wave && (!disc || r.discipline === disc); });
    if (!rs.length) { S.purge('middelen-kaart'); S.byId('middelen-kaart').appendChild(S.note('Geen gegevens over middelen in peiljaar ' + wave + '.')); S.put('onder-norm', null); return; }
    var colKey = function (r) { return r.role + '|' + r.item; };
    var cols = Array.from(new Set(rs.map(colKey))).sort(function (a, b) {
      var pa = a.split('|'), pb = b.split('|');
      return idx(ROLES, pa[0]) - idx(ROLES, pb[0]) || idx(ITEMS, pa[1]) - idx(ITEMS, pb[1]) || (a < b ? -1 : 1);
    });
    var codes = S.regions.map(function (r) { return r.code; }).filter(function (c) { return rs.some(function (r) { return r.region_code === c; }); });
    var ci = {}, ri = {};
    cols.forEach(function (c, i) { ci[c] = i; });
    codes.forEach(function (c, i) { ri[c] = i; });
    var z = codes.map(function () { return cols.map(function () { return null; }); });
    var hover = codes.map(function () { return cols.map(function () { return ''; }); });
    var below = { x: [], y: [], t: [] }, belowSub = { x: [], y: [], t: [] };
    rs.forEach(function (r) {
      var i = ri[r.region_code], j = ci[colKey(r)];
      var lvl = LEVELS.indexOf(r.level);
      z[i][j] = lvl < 0 ? null : lvl;
      var h = S.hover(S.regionName(r.region_code), [
        ['Discipline', r.discipline], ['Functie', S.label('functie', r.role)], ['Middel', S.label('middel', r.item)],
        ['Beschikbaarheid', S.label('beschikbaarheid', r.level)],
        ['Norm', S.label('beschikbaarheid', r.norm_level) + ' (' + S.label('norm_source', r.norm_source) + ')'],
        ['Onder de norm', r.below_norm ? 'ja' : 'nee']], [reasonLine(r)]);
      hover[i][j] = h;
      if (r.below_norm) {
        var b = counts(r) ? belowSub : below;
        b.x.push(j); b.y.push(i); b.t.push(h);
      }
    });
    var colLabel = function (c) { return S.esc(S.label('middel', c.split('|')[1])); };
    // one group of columns per role: a separator line and the role's name above the group
    var groups = [];
    cols.forEach(function (c, i) {
      var role = c.split('|')[0];
      if (!groups.length || groups[groups.length - 1].role !== role) groups.push({ role: role, from: i, to: i });
      else groups[groups.length - 1].to = i;
    });
    var roleShapes = groups.slice(1).map(function (g) {
      return { type: 'line', xref: 'x', yref: 'paper', x0: g.from - 0.5, x1: g.from - 0.5, y0: 0, y1: 1.06, line: { color: '#1a1a1a', width: 2 } };
    });
    var roleNotes = groups.map(function (g) {
      var disc = (rs.find(function (r) { return r.role === g.role; }) || {}).discipline;
      var name = S.label('functie', g.role);
      var shown = name.length > 14 && name.indexOf(' ') < 0 ? S.esc(name.slice(0, 9)) + '-<br>' + S.esc(name.slice(9)) : S.esc(name);
      return { text: '<b>' + shown + '</b><br><span style="font-size:10px">' + S.esc(disc || '') + '</span>',
        xref: 'x', yref: 'paper', x: (g.from + g.to) / 2, y: 1.005, yanchor: 'bottom', showarrow: false, font: { size: 11 } };
    });
    var edges = [];
    for (var k = 0; k < LEVELS.length; k++) {
      var color = ['#f7f7f7', '#c6dbef', '#6baed6', '#08519c', '#08306b'][Math.min(k, 4)];
      edges.push([k / LEVELS.length, color], [(k + 1) / LEVELS.length, color]);
    }
    var traces = [{
      type: 'heatmap', name: 'beschikbaarheid', z: z, x: cols.map(function (c, i) { return i; }), y: codes.map(function (c, i) { return i; }),
      zmin: -0.5, zmax: LEVELS.length - 0.5, colorscale: edges, xgap: 1, ygap: 1,
      hovertext: hover, hoverinfo: 'text',
      colorbar: { title: { text: 'beschikbaarheid', side: 'top' }, tickvals: LEVELS.map(function (l, i) { return i; }),
        ticktext: LEVELS.map(function (l) { return S.esc(S.label('beschikbaarheid', l)); }), thickness: 14, len: 0.7 },
      meta: { role: 'regio' }
    }];
    if (below.x.length) traces.push({ type: 'scatter', mode: 'markers', name: 'onder de norm, zonder toelichting die telt', x: below.x, y: below.y,
      hovertext: below.t, hoverinfo: 'text', marker: { symbol: 'x', size: 11, color: '#D55E00', line: { color: '#ffffff', width: 1 } }, meta: { role: 'markering' } });
    if (belowSub.x.length) traces.push({ type: 'scatter', mode: 'markers', name: 'onder de norm, met toelichting die telt', x: belowSub.x, y: belowSub.y,
      hovertext: belowSub.t, hoverinfo: 'text', marker: { symbol: 'diamond-open', size: 10, color: '#000000', line: { width: 2 } }, meta: { role: 'markering' } });
    S.plot('middelen-kaart', traces, S.layout('Beschikbaarheid van beschermende middelen' + (disc ? ' (' + disc + ')' : '') + ', peiljaar ' + wave, {
      height: codes.length * 24 + 300, margin: { l: 190, r: 20, t: 125, b: 150 },
      shapes: roleShapes, annotations: roleNotes,
      xaxis: S.axis('middel, per functie (functie boven de kolommen)', { tickvals: cols.map(function (c, i) { return i; }), ticktext: cols.map(colLabel), tickangle: -60,
        showgrid: false, zeroline: false, side: 'bottom', tickfont: { size: 10 } }),
      yaxis: S.axis('', { tickvals: codes.map(function (c, i) { return i; }), ticktext: codes.map(function (c) { return S.esc(S.regionName(c)); }),
        autorange: 'reversed', showgrid: false, zeroline: false }),
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 0.995, yanchor: 'top', yref: 'container' }
    }));

    // the table alternative: a row per region, a column per role and item
    var cellOf = {};
    rs.forEach(function (r) { cellOf[r.region_code + '#' + colKey(r)] = r; });
    S.chartTable('middelen-kaart', [{ label: 'Regio', value: function (c) { return S.regionLink(c); } }].concat(cols.map(function (c) {
      return { label: S.label('functie', c.split('|')[0]) + ': ' + S.label('middel', c.split('|')[1]), value: function (code) {
        var r = cellOf[code + '#' + c];
        return r ? S.label('beschikbaarheid', r.level) + (r.below_norm ? ' (onder de norm)' : '') : '–'; } };
    })), codes, 'Beschikbaarheid van beschermende middelen per regio, peiljaar ' + wave);

    var list = rs.filter(function (r) { return r.below_norm; }).sort(function (a, b) {
      return (a.region_code < b.region_code ? -1 : a.region_code > b.region_code ? 1 : 0) || idx(ROLES, a.role) - idx(ROLES, b.role) || idx(ITEMS, a.item) - idx(ITEMS, b.item);
    });
    if (!list.length) { S.put('onder-norm', S.note('Geen cel onder de norm in peiljaar ' + wave + '.')); return; }
    var per = codes.map(function (c) {
      var mine = list.filter(function (r) { return r.region_code === c; });
      return { code: c, n: mine.length, sub: mine.filter(counts).length,
        total: rs.filter(function (r) { return r.region_code === c; }).length };
    }).filter(function (x) { return x.n > 0; }).sort(function (a, b) { return (b.n - b.sub) - (a.n - a.sub) || b.n - a.n; });
    var box = S.put('onder-norm', S.table([
      { label: 'Regio', value: function (x) { return S.regionLink(x.code); } },
      { label: 'Cellen onder de norm', cls: 'num', value: function (x) { return S.num(x.n, 0) + ' van ' + S.num(x.total, 0); } },
      { label: '✖ zonder toelichting die telt', cls: 'num', value: function (x) { return S.num(x.n - x.sub, 0); } },
      { label: '◇ met toelichting die telt', cls: 'num', value: function (x) { return S.num(x.sub, 0); } }
    ], per));
    var details = S.el('details', { class: 'all-cells' }, [S.el('summary', { text: (list.length === 1 ? 'De cel' : 'Alle ' + list.length + ' cellen') + ' onder de norm, met de toelichting van de regio en of die telt' })]);
    details.appendChild(S.table([
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code); } },
      { label: 'Discipline', value: function (r) { return r.discipline; } },
      { label: 'Functie', value: function (r) { return S.label('functie', r.role); } },
      { label: 'Middel', value: function (r) { return S.label('middel', r.item); } },
      { label: 'Beschikbaarheid', value: function (r) { return S.label('beschikbaarheid', r.level); } },
      { label: 'Norm', value: function (r) { return S.label('beschikbaarheid', r.norm_level) + ' (' + r.norm_source + ')'; } },
      { label: 'Toelichting van de regio', cls: 'text', value: function (r) { return r.reason_text || 'geen toelichting'; } },
      { label: 'Status van de toelichting', cls: 'text', value: function (r) { return reasonStatus(r); } }
    ], list, { rowClass: function (r) { return counts(r) ? null : 'hi'; } }));
    box.appendChild(details);
  }

  function reasonStatus(r) {
    if (!r.reason_status) return S.statusBadge('reason', NO_REASON, REASON_GLYPH);
    return S.el('span', null, [S.statusBadge('reason', r.reason_status, REASON_GLYPH), r.status_reason ? S.el('div', { class: 'small', text: r.status_reason }) : null]);
  }

  sel.addEventListener('change', function () { S.setHash('discipline', sel.value); render(S.wave); });
  S.start(render);
})();
