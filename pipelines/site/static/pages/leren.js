/* Leren van elkaar (issue 21): who takes lessons over from whom (a network per wave, roles and their course),
 * what became of each deviation in the next wave, and the national count of recommendations in order. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var LL = D.learning_labels || {};
  if (!D.available) {
    S.put('leren-geen', S.note('Deze publicatie heeft de gegevens over leren van elkaar nog niet: ze komen er bij de volgende run van de pijplijn (regiobench run).'));
    S.start(function () {});
    return;
  }
  // the flows, roles and follow-up of a wave: in the page, or beyond OVERVIEW_LIMIT regions one data part per wave
  // (D.parts) loaded when the wave is chosen; the charts over all waves draw the counts in D.role_counts and
  // D.followup_counts (pipelines/site/learning.py)
  var all = D.parts ? null : { flows: S.unpack(D.flows), roles: S.unpack(D.roles), followup: S.unpack(D.followup) };
  function counted(packed, col) {
    var out = {};
    S.unpack(packed).forEach(function (r) { out[r.wave + '|' + r[col]] = r.n; });
    return out;
  }
  var ROLE_COUNT = counted(D.role_counts, 'role'), STATUS_COUNT = counted(D.followup_counts, 'followup_status');
  // beyond this many flows in a wave the network shows only the regions in a flow (2,500 dots are no longer readable)
  var NETWORK_LIMIT = 200;
  var national = S.unpack(D.national), recs = D.recommendations ? S.unpack(D.recommendations) : null;
  // colours and the statuses a table marks: pipelines/site/learning.py (the codes are the contract's)
  var ROLE_COLOR = LL.role_color || {}, STATUS_COLOR = LL.followup_color || {}, CONCERN = LL.followup_concern || [];
  var REC_COLORS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999', '#666666'];

  function roleWord(c) { return c == null ? '–' : ((LL.role || {})[c] || c).split(':')[0]; }
  function roleLong(c) { return c == null ? '–' : (LL.role || {})[c] || c; }
  function statusWord(c) { return c == null ? '–' : ((LL.followup || {})[c] || c).split(':')[0]; }
  function statusLong(c) { return c == null ? '–' : (LL.followup || {})[c] || c; }
  function changeWord(c) { return c == null ? '–' : ((LL.change || {})[c] || c).split(':')[0]; }
  function names(codes) {
    return codes == null || codes === '' ? '–' : String(codes).split(/\s*[,;|]\s*/).filter(Boolean).map(S.regionName).join(', ');
  }
  function indName(id) { return (S.ind[id] || {}).short || id; }
  function n(v) { return S.num(v, 0); }
  function roleBadge(c) {
    return S.el('span', { class: 'role role-' + c, title: roleLong(c), 'data-role': c }, [
      S.el('span', { class: 'swatch', 'aria-hidden': 'true', style: 'display:inline-block;width:0.8em;height:0.8em;border:1px solid #555;margin-right:0.3em;background:' + (ROLE_COLOR[c] || '#fff') }),
      roleWord(c)]);
  }

  /* The network of one wave: regions on a circle (by code), an arrow per pair from source to taker; beyond
     NETWORK_LIMIT flows only the regions that take part in a flow. */
  function network(wave, rs, fs) {
    if (!rs.length) { S.purge('leren-netwerk'); S.byId('leren-netwerk').appendChild(S.note('Geen gegevens in peiljaar ' + wave + '.')); return; }
    var crowded = fs.length > NETWORK_LIMIT;
    if (crowded) {
      var inFlow = {};
      fs.forEach(function (f) { inFlow[f.from_region] = inFlow[f.to_region] = true; });
      rs = rs.filter(function (r) { return inFlow[r.region_code]; });
    }
    var codes = rs.map(function (r) { return r.region_code; }).sort();
    var pos = {};
    codes.forEach(function (c, i) {
      var a = Math.PI / 2 - 2 * Math.PI * i / codes.length;
      pos[c] = { x: Math.cos(a), y: Math.sin(a) };
    });
    var maxN = fs.reduce(function (a, f) { return Math.max(a, f.n_lessons || 0); }, 1);
    var annotations = fs.filter(function (f) { return pos[f.from_region] && pos[f.to_region]; }).map(function (f) {
      var a = pos[f.from_region], b = pos[f.to_region];
      return { x: b.x * 0.94, y: b.y * 0.94, ax: a.x * 0.94, ay: a.y * 0.94, xref: 'x', yref: 'y', axref: 'x', ayref: 'y',
        showarrow: true, arrowhead: 2, arrowsize: 1, arrowwidth: 1 + 3 * (f.n_lessons || 1) / maxN, arrowcolor: 'rgba(0,0,0,0.45)', text: '' };
    });
    var byRole = S.groupBy(rs, 'role');
    var traces = (LL.role_order || []).filter(function (c) { return byRole.get(c); }).map(function (c) {
      var pts = byRole.get(c);
      return { type: 'scatter', mode: 'markers+text', name: roleWord(c),
        x: pts.map(function (r) { return pos[r.region_code].x; }), y: pts.map(function (r) { return pos[r.region_code].y; }),
        text: pts.map(function (r) { return S.esc(r.region_code); }),
        textposition: pts.map(function (r) { return pos[r.region_code].y >= 0 ? 'top center' : 'bottom center'; }),
        marker: { size: 16, color: ROLE_COLOR[c] || '#fff', line: { color: '#333333', width: 1 } },
        hovertext: pts.map(function (r) {
          return S.hover(S.regionName(r.region_code), [['Rol', roleWord(r.role)], ['Lessen', n(r.n_lessons)],
            ['Gedeeld via virtueel kantoor', n(r.n_shared_virtual_office)], ['Overgenomen', n(r.n_taken_over)],
            ['Door anderen overgenomen', n(r.n_taken_by_others)], ['Overgenomen van', names(r.taken_from)], ['Overgenomen door', names(r.taken_by)]]);
        }), hoverinfo: 'text', customdata: pts.map(function (r) { return r.region_code; }), meta: { role: 'regio' } };
    });
    var title = 'Wie nam in ' + wave + ' lessen over van wie? (' + S.num(fs.length, 0) + (fs.length === 1 ? ' verbinding' : ' verbindingen') +
      (crowded ? '; alleen de ' + S.num(codes.length, 0) + ' regio\'s met een verbinding' : '') + ')';
    S.plot('leren-netwerk', traces, S.layout(title, {
      height: 640, margin: { l: 20, r: 20, t: 50, b: 60 }, annotations: annotations,
      xaxis: { visible: false, range: [-1.25, 1.25] }, yaxis: { visible: false, range: [-1.2, 1.2], scaleanchor: 'x' },
      legend: { orientation: 'h', x: 0, y: -0.02, yanchor: 'top', title: { text: 'rol' } }
    }));
  }

  function roleTable(wave, rs) {
    if (!rs.length) { S.put('leren-rollen', S.note('Geen rollen in peiljaar ' + wave + '.')); return; }
    S.put('leren-rollen', S.table([
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code, S.regionName(r.region_code)); } },
      { label: 'Rol', value: function (r) { return roleBadge(r.role); }, csv: function (r) { return roleWord(r.role); } },
      { label: 'Rol vorig peiljaar', value: function (r) { return r.previous_role == null ? '–' : roleWord(r.previous_role); } },
      { label: 'Lessen', cls: 'num', value: function (r) { return n(r.n_lessons); } },
      { label: 'Gedeeld via virtueel kantoor', cls: 'num', value: function (r) { return n(r.n_shared_virtual_office); } },
      { label: 'Overgenomen', cls: 'num', value: function (r) { return n(r.n_taken_over); } },
      { label: 'Door anderen overgenomen', cls: 'num', value: function (r) { return n(r.n_taken_by_others); } },
      { label: 'Opgevolgd', cls: 'num', value: function (r) { return n(r.n_followed_up); } },
      { label: 'Overgenomen van', cls: 'text', value: function (r) { return names(r.taken_from); } },
      { label: 'Overgenomen door', cls: 'text', value: function (r) { return names(r.taken_by); } }
    ], rs, { caption: 'Rol van elke regio in peiljaar ' + wave }));
  }

  /* Regions per role and wave: a stacked bar, and the same counts as a table. */
  function roleCourse() {
    var order = LL.role_order || [];
    var count = ROLE_COUNT;
    S.plot('leren-rollen-verloop', order.map(function (c) {
      return { type: 'bar', name: roleWord(c), x: S.waves.map(String), y: S.waves.map(function (w) { return count[w + '|' + c] || 0; }),
        marker: { color: ROLE_COLOR[c] || '#ffffff', line: { color: '#333333', width: 1 } }, meta: { role: 'rol' },
        hovertemplate: S.esc(roleWord(c)) + ', %{x}: %{y} regio\'s<extra></extra>' };
    }), S.layout('Regio\'s per rol en peiljaar', { barmode: 'stack', height: 360,
      xaxis: S.axis('peiljaar', { type: 'category' }), yaxis: S.axis('aantal regio\'s') }));
    S.put('leren-rollen-telling', S.table([{ label: 'Peiljaar', value: function (w) { return String(w); } }].concat(order.map(function (c) {
      return { label: roleWord(c), cls: 'num', value: function (w) { return n(count[w + '|' + c] || 0); } };
    })), S.waves, { caption: 'Regio\'s per rol en peiljaar' }));
  }

  function flowTable(wave, fs) {
    if (!fs.length) { S.put('leren-stromen', S.note('In peiljaar ' + wave + ' legde geen regio een les vast die zij van een andere regio overnam.')); return; }
    S.put('leren-stromen', S.table([
      { label: 'Van', value: function (f) { return S.regionLink(f.from_region, S.regionName(f.from_region)); } },
      { label: 'Naar', value: function (f) { return S.regionLink(f.to_region, S.regionName(f.to_region)); } },
      { label: 'Lessen', cls: 'num', value: function (f) { return n(f.n_lessons); } },
      { label: 'Opgevolgd', cls: 'num', value: function (f) { return n(f.n_followed_up); } },
      { label: 'Eerder gedeeld via virtueel kantoor', cls: 'num', title: 'lessen over een bijzonderheid waarover de bronregio in de laatste drie peiljaren een les deelde via het virtueel kantoor', value: function (f) { return n(f.n_shared_by_source); } },
      { label: 'Lessen', cls: 'text', value: function (f) { return f.lessons; } }
    ], fs, { caption: 'Overgenomen lessen in peiljaar ' + wave }));
  }

  function followChart() {
    var order = LL.followup_order || [];
    var count = STATUS_COUNT;
    S.plot('opvolging-telling', order.map(function (c) {
      return { type: 'bar', name: statusWord(c), x: S.waves.map(String), y: S.waves.map(function (w) { return count[w + '|' + c] || 0; }),
        marker: { color: STATUS_COLOR[c] || '#999999', line: { color: '#333333', width: 1 } }, meta: { role: 'opvolging' },
        hovertemplate: S.esc(statusWord(c)) + ', afwijkingen van %{x}: %{y}<extra></extra>' };
    }), S.layout('Wat werd er van de ongunstige afwijkingen van elk peiljaar in het peiljaar erna?', { barmode: 'stack', height: 380,
      xaxis: S.axis('peiljaar van de afwijking', { type: 'category' }), yaxis: S.axis('aantal afwijkingen') }));
    S.chartTable('opvolging-telling', [{ label: 'Peiljaar van de afwijking', value: function (w) { return String(w); } }].concat(order.map(function (c) {
      return { label: statusWord(c), cls: 'num', value: function (w) { return String(count[w + '|' + c] || 0); } };
    })), S.waves.filter(function (w) { return order.some(function (c) { return count[w + '|' + c]; }); }),
    'Wat werd er van de ongunstige afwijkingen van elk peiljaar in het peiljaar erna (aantal afwijkingen)');
  }

  function followTable(wave, rs) {
    if (!rs.length) { S.put('opvolging-tabel', S.note('Geen ongunstige afwijkingen in peiljaar ' + wave + '.')); return; }
    S.put('opvolging-tabel', S.table([
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code, S.regionName(r.region_code)); } },
      { label: 'Indicator', value: function (r) { return indName(r.indicator_id); } },
      { label: 'Aanbeveling', cls: 'num', value: function (r) { return r.recommendation == null ? '–' : String(r.recommendation); } },
      { label: 'Oordeel ' + wave, value: function (r) { return S.badge(r.verdict); } },
      { label: 'Oordeel erna', value: function (r) { return r.next_verdict == null ? '–' : S.badge(r.next_verdict); } },
      { label: 'Opvolging', value: function (r) { return S.el('span', { title: statusLong(r.followup_status), 'data-status': r.followup_status, text: statusWord(r.followup_status) }); } },
      { label: 'Lessen over het onderwerp', cls: 'num', value: function (r) { return n(r.n_lessons_on_subject); } },
      { label: 'Overgenomen (van een voorbeeldregio)', cls: 'num', value: function (r) { return r.n_taken_over == null ? '–' : n(r.n_taken_over) + ' (' + n(r.n_from_matches) + ')'; } },
      { label: 'Lessen', cls: 'text', value: function (r) { return r.lessons; } }
    ], rs, { caption: 'Ongunstige afwijkingen van ' + wave + ' en wat er het peiljaar erna van werd',
      rowClass: function (r) { return CONCERN.indexOf(r.followup_status) >= 0 ? 'hi' : null; } }));
  }

  function nationalCourse() {
    var recNos = Array.from(new Set(national.map(function (r) { return r.recommendation; }))).sort(function (a, b) { return a - b; })
      .filter(function (k) { return national.some(function (r) { return r.recommendation === k && (r.n_regions_op_orde || r.n_regions_aandacht); }); });
    S.plot('aanbevelingen-op-orde', recNos.map(function (k, i) {
      var rs = national.filter(function (r) { return r.recommendation === k; });
      return { type: 'scatter', mode: 'lines+markers', name: k + '. ' + S.wrap(S.label('recommendation', String(k)), 40),
        x: rs.map(function (r) { return r.wave; }), y: rs.map(function (r) { return r.n_regions_op_orde; }),
        line: { color: REC_COLORS[i % REC_COLORS.length], width: 2 }, meta: { role: 'aanbeveling' },
        hovertemplate: 'aanbeveling ' + k + ', %{x}: %{y} regio\'s op orde<extra></extra>' };
    }), S.layout('Regio\'s met de aanbeveling op orde, per peiljaar', { height: 460,
      xaxis: S.axis('peiljaar', { tickvals: S.waves, ticktext: S.waves.map(String) }), yaxis: S.axis('regio\'s op orde', { rangemode: 'tozero' }),
      legend: { orientation: 'v', x: 1.02, y: 1 } }));
    S.put('aanbevelingen-op-orde-tabel', S.table([
      { label: 'Nr.', cls: 'num', value: function (k) { return String(k); } },
      { label: 'Aanbeveling', value: function (k) { return S.label('recommendation', String(k)); } }
    ].concat(S.waves.map(function (w) {
      return { label: String(w), cls: 'num', value: function (k) {
        var r = national.find(function (x) { return x.wave === w && x.recommendation === k; });
        return r ? n(r.n_regions_op_orde) : '–'; } };
    })), recNos, { caption: 'Regio\'s op orde per aanbeveling en peiljaar' }));
  }

  function courseTable(wave) {
    if (!recs) { S.put('aanbevelingen-verloop', S.note('Bij zoveel regio\'s staat het verloop per regio in het regioprofiel en in de downloads (opvolging van de aanbevelingen).')); return; }
    var rs = recs.filter(function (r) { return r.wave === wave && r.status_change != null; });
    if (!rs.length) { S.put('aanbevelingen-verloop', S.note('Geen stand van de aanbevelingen in peiljaar ' + wave + '.')); return; }
    S.put('aanbevelingen-verloop', S.table([
      { label: 'Regio', value: function (r) { return S.regionLink(r.region_code, S.regionName(r.region_code)); } },
      { label: 'Nr.', cls: 'num', value: function (r) { return String(r.recommendation); } },
      { label: 'Stand', value: function (r) { return S.label('recommendation_status', r.status); } },
      { label: 'Vorig peiljaar', value: function (r) { return r.previous_status == null ? '–' : S.label('recommendation_status', r.previous_status); } },
      { label: 'Verandering', value: function (r) { return changeWord(r.status_change); } },
      { label: 'Verloop', cls: 'text', value: function (r) { return r.course; } }
    ], rs, { caption: 'Stand per regio en aanbeveling in ' + wave + ', met het verloop tot dan' }));
  }

  var ofWave = S.waveRows(all, ['flows', 'roles', 'followup'], function (wave, got) {
    network(wave, got.roles, got.flows); roleTable(wave, got.roles); flowTable(wave, got.flows); followTable(wave, got.followup);
  });
  var once = false;
  S.start(function (wave) {
    if (!once) { once = true; roleCourse(); followChart(); nationalCourse(); }
    courseTable(wave);
    return ofWave(wave);
  });
})();
