/* Regioprofiel: spine chart, verdicts, trend, recommendations and lessons of one region. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var code = D.region;
  var reg = S.unpack(D.register);
  var summ = S.unpack(D.summary);
  var national = S.unpack(D.national);
  var recs = S.unpack(D.recommendations);
  var score = S.unpack(D.scorecard);
  var status = S.unpack(D.status);
  var lessons = S.unpack(D.lessons);
  var reasons = S.unpack(D.reasons);
  var REASON_GLYPH = S.glyphs('reason'), NO_REASON = S.code('reason', 'no_reason');
  var COUNTS = ((S.codes.reason || {}).counts || []).slice();
  var REC_GLYPH = S.glyphs('recommendation_status'), SUB_GLYPH = S.glyphs('submission');
  var UNJUSTIFIED = S.code('verdict', 'unjustified'), ATTENTION = S.code('recommendation_status', 'attention');

  // the list of regions comes from assets/data/common.js, not from every region page
  var picker = S.byId('regio-keuze');
  if (picker) {
    S.regions.forEach(function (r) {
      var o = S.el('option', { value: r.file, text: r.name + ' (' + r.code + ')' });
      if (r.code === code) o.selected = true;
      picker.appendChild(o);
    });
    picker.addEventListener('change', function () { location.href = S.withWave(S.root + 'regio/' + picker.value); });
  }

  function plainValue(r) {
    var m = S.ind[r.indicator_id] || {};
    return m.kind === 'ratio' ? r.numerator : r.value;
  }

  function cards(wave) {
    var r = score.find(function (x) { return x.wave === wave; });
    var box = S.clear(S.byId('kerncijfers'));
    if (!r) { box.appendChild(S.note('Geen scorekaart voor peiljaar ' + wave + '.')); return; }
    var n = {};  // the scorecard's count per verdict
    n[UNJUSTIFIED] = r.n_unjustified;
    n[S.code('verdict', 'substantiated')] = r.n_substantiated;
    n[S.code('verdict', 'favourable')] = r.n_favourable;
    n[S.code('verdict', 'conform')] = r.n_conform;
    n[S.code('verdict', 'missing')] = r.n_missing;
    S.VERDICTS_BY_CONCERN.forEach(function (v) {
      box.appendChild(S.el('div', { class: 'card' }, [S.el('div', { class: 'big', text: S.num(n[v], 0) }), S.badge(v)]));
    });
    var st = status.filter(function (x) { return x.wave === wave; });
    var line = S.clear(S.byId('aanlevering'));
    if (st.length) {
      line.appendChild(document.createTextNode('Aanlevering ' + wave + ': '));
      st.forEach(function (x, i) {
        if (i) line.appendChild(document.createTextNode(' · '));
        line.appendChild(document.createTextNode(x.module + ' '));
        line.appendChild(S.statusBadge('submission', x.status, SUB_GLYPH));
        if (x.earlier_data_in_use) line.appendChild(document.createTextNode(' (eerdere gegevens in gebruik)'));
      });
      line.appendChild(document.createTextNode('. '));
      line.appendChild(S.el('a', { href: S.withWave(S.root + 'kwaliteit.html'), 'data-keep-wave': '1', text: 'Details op de kwaliteitspagina' }));
    }
  }

  // the chart and its table: assets/spine.js
  function spine(wave) {
    var rows = S.spine('spine', code, wave, reg, summ);
    S.put('spine-tabel', S.spineTable(rows));
  }

  // a plausibility warning on the module the verdict is computed from (variation_register.check_return)
  function checkReturn(r) {
    return S.el('span', null, [S.badge(r.verdict, r), S.el('br'),
      S.el('a', { class: 'check-return', href: S.withWave(S.root + 'kwaliteit.html'), 'data-keep-wave': '1',
        title: 'Plausibiliteitswaarschuwingen op de kwaliteitspagina', text: '\u26a0 controleer de aanlevering' }),
      S.el('br'), S.el('span', { class: 'small', text: r.check_return })]);
  }

  function verdicts(wave) {
    var rows = S.indicators.map(function (m) { return reg.find(function (x) { return x.wave === wave && x.indicator_id === m.id; }); })
      .filter(Boolean);
    if (!rows.length) { S.put('oordelen', S.note('Geen oordelen voor peiljaar ' + wave + '.')); return; }
    S.put('oordelen', S.table([
      { label: 'Indicator', value: indicatorLink },
      { label: 'Domein', cls: 'print-hide', value: function (r) { return S.label('domain', (S.ind[r.indicator_id] || {}).domain); } },
      { label: 'Waarde', cls: 'num', value: function (r) { return S.fmt(r.indicator_id, r.value); } },
      { label: 'Doel', cls: 'num', value: function (r) { return S.fmt(r.indicator_id, r.target); } },
      { label: '99,8%-grenzen', cls: 'num', value: function (r) {
        return r.lower_998 == null && r.upper_998 == null ? '–' : S.fmt(r.indicator_id, r.lower_998) + ' tot ' + S.fmt(r.indicator_id, r.upper_998); } },
      { label: 'Oordeel', value: function (r) { return r.check_return ? checkReturn(r) : S.badge(r.verdict, r); } },
      { label: 'Toelichting', cls: 'text', value: function (r) { return r.explanation; } },
      { label: 'Onderbouwing', cls: 'text', value: function (r) { return substantiation(r, wave); } }
    ], rows, { rowClass: function (r) { return (r.verdict === UNJUSTIFIED ? 'hi' : '') + (r.indicator_id === asked ? ' target' : '') || null; },
      rowId: function (r) { return 'oordeel-' + r.indicator_id; } }));
    // a link from the verdict matrix names the indicator: its row is shown and marked
    var row = asked && S.byId('oordeel-' + asked);
    if (row && !shownOnce) { shownOnce = true; row.scrollIntoView({ block: 'center' }); }
  }
  var asked = S.hashParams().indicator, shownOnce = false;

  /* The indicator's name, leading to its page with this region marked in the charts. */
  function indicatorLink(r) {
    return S.el('a', { href: S.indicatorHref(r.indicator_id, code), text: (S.ind[r.indicator_id] || {}).short || r.indicator_id });
  }

  /* An indicator whose deviation a region can explain: how its reasons weigh (the weakest status; the words
   * are in the table of reasons below); any other indicator: the register's substantiation. */
  function substantiation(r, wave) {
    var mine = reasons.filter(function (x) { return x.wave === wave && x.indicator_id === r.indicator_id; });
    var n = mine.length, order = S.order('reason');
    if (r.reason_status == null && !n) return r.substantiation;
    // a deviation that its reasons justify is no deviation in the register (reason_status null): the weakest of them
    var status = r.reason_status != null ? r.reason_status : mine.map(function (x) { return x.status; })
      .sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); })[0];
    var text = !n ? ' geen afwijkende cel heeft een toelichting'
      : ' (zwakste van ' + n + (n === 1 ? ' toelichting' : ' toelichtingen') + (status === NO_REASON ? '; niet elke afwijkende cel heeft er een' : '') + ')';
    return S.el('span', null, [S.statusBadge('reason', status, REASON_GLYPH), text,
      n ? S.el('div', null, [S.el('a', { href: '#toelichtingen', text: 'de woorden van de regio' })]) : null]);
  }

  function reasonTable(wave) {
    var rows = reasons.filter(function (x) { return x.wave === wave; });
    var all = S.byId('alle-toelichtingen');
    if (all) all.setAttribute('href', S.root + 'onderbouwingen.html#regio=' + encodeURIComponent(code) + '&peiljaar=' + wave);
    if (!rows.length) { S.put('toelichtingen-tabel', S.note('De regio gaf in peiljaar ' + wave + ' geen toelichting bij een afwijking.')); return; }
    S.put('toelichtingen-tabel', S.table([
      { label: 'Indicator', value: indicatorLink },
      { label: 'Wat wijkt af', value: function (x) { return x.cell_label; } },
      { label: 'Toelichting van de regio', cls: 'text', value: function (x) {
        return x.reason_text == null ? S.el('span', { class: 'empty', text: 'geen tekst (alleen ‘niet beoefenen onderbouwd’)' }) : x.reason_text; } },
      { label: 'Geldig tot', cls: 'num', value: function (x) { return x.valid_until == null ? '–' : String(x.valid_until); } },
      { label: 'Status', value: function (x) { return S.statusBadge('reason', x.status, REASON_GLYPH); } },
      { label: 'Waarom', cls: 'text', value: function (x) { return x.status_reason; } }
    ], rows, { rowClass: function (x) { return COUNTS.indexOf(x.status) < 0 ? 'hi' : null; } }));
  }

  function trend(wave) {
    var inds = S.indicators, cols = 3, rows = Math.ceil(inds.length / cols);
    var traces = [], annotations = [], shapes = [], layout = {};
    inds.forEach(function (m, i) {
      var k = i === 0 ? '' : String(i + 1);
      var rs = reg.filter(function (x) { return x.indicator_id === m.id; }).sort(function (a, b) { return a.wave - b.wave; });
      var nat = national.filter(function (x) { return x.indicator_id === m.id; }).sort(function (a, b) { return a.wave - b.wave; });
      traces.push({ type: 'scatter', mode: 'lines', name: 'landelijk', legendgroup: 'land', showlegend: i === 0,
        x: nat.map(function (x) { return x.wave; }), y: nat.map(function (x) { return x.national; }),
        xaxis: 'x' + k, yaxis: 'y' + k, line: { color: '#555555', dash: 'dot', width: 1.5 }, hoverinfo: 'skip', meta: { role: 'landelijk' } });
      traces.push({ type: 'scatter', mode: 'lines+markers', name: S.regionName(code), legendgroup: 'regio', showlegend: i === 0,
        x: rs.map(function (x) { return x.wave; }), y: rs.map(plainValue), connectgaps: false,
        xaxis: 'x' + k, yaxis: 'y' + k, line: { color: '#0072B2', width: 2 },
        marker: { size: 8, color: rs.map(function (x) { return S.verdictStyle(x.verdict).color; }),
          symbol: rs.map(function (x) { return S.verdictStyle(x.verdict).symbol; }), line: { color: '#222222', width: 1 } },
        hovertext: rs.map(function (x) {
          return S.hover(m.short + ', ' + x.wave, [['Waarde', S.fmt(m.id, plainValue(x), true)], ['Oordeel', S.verdictStyle(x.verdict).label]]);
        }), hoverinfo: 'text', meta: { role: 'regio' } });
      layout['xaxis' + k] = { tickvals: S.waves, ticktext: S.waves.map(String), tickangle: 0, gridcolor: '#eeeeee',
        range: [S.waves[0] - 0.4, S.waves[S.waves.length - 1] + 0.4], title: { text: Math.floor(i / cols) === rows - 1 ? 'peiljaar' : '' } };
      layout['yaxis' + k] = { tickformat: S.tickformat(m.id), gridcolor: '#eeeeee', rangemode: 'tozero', automargin: true };
      annotations.push({ text: S.esc(m.kind === 'ratio' ? (m.plain_short || m.short) : m.short) + '<br><span style="font-size:10px;color:#555555">' + S.esc(m.kind === 'ratio' ? m.plain_unit : m.unit) + '</span>',
        xref: 'x' + k + ' domain', yref: 'y' + k + ' domain', x: 0, y: 1.04, xanchor: 'left', yanchor: 'bottom', showarrow: false, align: 'left', font: { size: 11 } });
      shapes.push({ type: 'line', xref: 'x' + k, yref: 'y' + k + ' domain', x0: wave, x1: wave, y0: 0, y1: 1,
        line: { color: '#E69F00', width: 2, dash: 'dash' } });
    });
    S.plot('trend', traces, S.layout('Ontwikkeling van ' + S.regionName(code) + ' per indicator (gemarkeerd: peiljaar ' + wave + ')', Object.assign({
      height: rows * 200 + 150, margin: { l: 60, r: 20, t: 100, b: 60 }, showlegend: true,
      grid: { rows: rows, columns: cols, pattern: 'independent', roworder: 'top to bottom', ygap: 0.55, xgap: 0.18 },
      annotations: annotations, shapes: shapes, legend: { orientation: 'h', x: 1, xanchor: 'right', y: 0.995, yanchor: 'top', yref: 'container' }
    }, layout)));
    trendTable(wave);
  }
  /* The table alternative of the trend chart: a row per indicator, a column per wave with value and verdict. */
  function trendTable(wave) {
    var cell = {};
    reg.forEach(function (x) { cell[x.indicator_id + '|' + x.wave] = x; });
    S.chartTable('trend', [{ label: 'Indicator', value: function (m) { return m.short; } }].concat(S.waves.map(function (w) {
      return { label: String(w), cls: 'num', value: function (m) {
        var x = cell[m.id + '|' + w];
        if (!x) return '–';
        var st = S.verdictStyle(x.verdict);
        return S.el('span', { title: st.label }, [S.fmt(m.id, plainValue(x), true) + ' ', S.el('span', { class: 'glyph', 'aria-hidden': 'true', text: st.glyph }),
          S.el('span', { class: 'visually-hidden', text: st.label })]); } };
    })), S.indicators, 'Ontwikkeling van ' + S.regionName(code) + ' per indicator en peiljaar, met het oordeel');
  }

  function recommendations(wave) {
    var rows = recs.filter(function (r) { return r.wave === wave; });
    if (!rows.length) { S.put('aanbevelingen', S.note('Geen stand van de aanbevelingen voor peiljaar ' + wave + '.')); return; }
    S.put('aanbevelingen', S.table([
      { label: 'Nr.', cls: 'num', value: function (r) { return String(r.recommendation); } },
      { label: 'Onderwerp', value: function (r) { return S.label('recommendation', String(r.recommendation)); } },
      { label: 'Stand', value: function (r) { return S.statusBadge('recommendation_status', r.status, REC_GLYPH); } },
      { label: 'Indicatoren', value: function (r) {
        var ids = S.indicatorIds(r.indicator_ids);
        return ids.map(function (i) { return (S.ind[i] || {}).short || i; }).join('; ') || '–'; } },
      { label: 'Niet onderbouwd', cls: 'num', value: function (r) { return S.num(r.n_unjustified, 0); } }
    ], rows, { rowClass: function (r) { return r.status === ATTENTION ? 'hi' : null; } }));
  }

  function lessonTable(wave) {
    var rows = lessons.filter(function (r) { return r.wave === wave; });
    if (!rows.length) { S.put('lessen', S.note('Geen lessen aangeleverd voor peiljaar ' + wave + '.')); return; }
    S.put('lessen', S.table([
      { label: 'Bijzonderheid', value: function (r) { return S.label('bijzonderheid', r.characteristic); } },
      { label: 'Bron', value: function (r) { return S.label('bron', r.source); } },
      { label: 'Omschrijving', cls: 'text', value: function (r) { return r.description; } },
      { label: 'Gedeeld via', value: function (r) { return S.label('gedeeld', r.shared_via); } },
      { label: 'Opvolging', value: function (r) { return S.label('opvolging', r.follow_up); } },
      { label: 'Overgenomen van', value: function (r) { return r.taken_from_region ? S.regionName(r.taken_from_region) : '–'; } }
    ], rows));
  }

  /* The region beside its nearest regions by risk basis (marts.region_peers): why they are peers (the risk basis and
   * the distance), then per indicator the value and verdict of each. */
  var peerRows = S.unpack(D.peers || { n: 0, c: {} }), peerValues = S.unpack(D.peer_values || { n: 0, c: {} });
  function peersTable(wave) {
    if (!S.byId('peers')) return;
    var ps = peerRows.filter(function (p) { return p.wave === wave; }).sort(function (a, b) { return a.rank - b.rank; });
    if (ps.length < 2) { S.put('peers', S.note('Voor peiljaar ' + wave + ' zijn er geen vergelijkbare regio\'s: de risicobasis van de regio is niet volledig.')); return; }
    var value = {};
    peerValues.forEach(function (v) { if (v.wave === wave) value[v.peer_code + '|' + v.indicator_id] = v; });
    var feats = String(ps[1].features || '').split(',').map(function (f) { return S.label('peer_feature', f.trim()); }).filter(Boolean);
    var rows = [
      { label: 'Regioprofiel', cell: function (p) { return p.rank === 0 ? S.regionName(code) : S.regionLink(p.peer_code); } },
      { label: 'Afstand op de risicobasis', cell: function (p) { return p.rank === 0 ? 'deze regio' : S.num(p.distance, 2); } },
      { label: 'Inwoners', cell: function (p) { return S.num(p.population, 0); } },
      { label: 'Hoogrisico-objecten', cell: function (p) { return S.num(p.high_risk_sites, 0); } },
      { label: 'Grootschalige evenementen', cell: function (p) { return S.num(p.large_events, 0); } }
    ].concat(S.indicators.map(function (m) {
      return { label: m.short, id: m.id, cell: function (p) {
        var v = value[p.peer_code + '|' + m.id];
        if (!v) return '–';
        var st = S.verdictStyle(v.verdict);  // the short word keeps six regions side by side readable
        return S.el('span', null, [S.fmt(m.id, v.value) + ' ', S.el('span', { class: 'badge v-' + v.verdict, title: st.label },
          [S.el('span', { class: 'glyph', 'aria-hidden': 'true', text: st.glyph }), ' ' + S.label('verdict_short', v.verdict)])]);
      } };
    }));
    var columns = [{ label: 'Kenmerk of indicator', value: function (r) {
      return r.id ? S.el('a', { href: S.indicatorHref(r.id, code), text: r.label }) : S.el('strong', { text: r.label }); } }]
      .concat(ps.map(function (p) {
        return { label: (p.rank === 0 ? '' : p.rank + '. ') + S.regionName(p.peer_code), cls: 'num',
          value: function (r) { return r.cell(p); } };
      }));
    var box = S.put('peers', S.el('p', { class: 'small peers-why', text: 'Peiljaar ' + wave + ': de ' + (ps.length - 1) + ' regio' + (ps.length - 1 === 1 ? '' : '\'s') +
      ' die het dichtst bij ' + S.regionName(code) + ' liggen op ' + (feats.join(', ') || 'de risicobasis') + '.' }));
    box.appendChild(S.table(columns, rows, { cls: 'peers', caption: S.regionName(code) + ' naast vergelijkbare regio\'s, peiljaar ' + wave }));
  }

  S.start(function (wave) {
    cards(wave); spine(wave); verdicts(wave); reasonTable(wave); trend(wave); recommendations(wave); lessonTable(wave);
    peersTable(wave);
  });
})();
