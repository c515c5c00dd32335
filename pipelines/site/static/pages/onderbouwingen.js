/* Onderbouwingen wegen: every reason of a wave in one table, filterable and sortable, with its status and why. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  // beyond OVERVIEW_LIMIT regions the reasons come per wave, as data parts (D.parts)
  var all = D.reasons ? S.unpack(D.reasons) : null;
  var GLYPH = S.glyphs('reason');
  var NO_REASON = S.code('reason', 'no_reason');
  var COUNTS = ((S.codes.reason || {}).counts || []).slice();
  var MAX = D.max_waves_in_row;
  var F = {
    regio: S.byId('f-regio'), indicator: S.byId('f-indicator'), status: S.byId('f-status'),
    text: S.byId('f-tekst-herhaald'), dev: S.byId('f-afwijking-herhaald'), shared: S.byId('f-gedeeld'),
    year: S.byId('f-jaar'), contra: S.byId('f-tegenspraak')
  };
  var indOrder = {};
  S.indicators.forEach(function (m, i) { indOrder[m.id] = i; });
  var short = function (id) { return (S.ind[id] || {}).short || id; };

  // the choices: every region, the indicators a region can give a reason for, every status of a reason
  S.regions.forEach(function (r) { F.regio.appendChild(S.el('option', { value: r.code, text: r.name + ' (' + r.code + ')' })); });
  (D.reason_indicators || []).forEach(function (id) { F.indicator.appendChild(S.el('option', { value: id, text: short(id) })); });
  S.order('reason').filter(function (c) { return c !== NO_REASON; }).forEach(function (c) {
    F.status.appendChild(S.el('option', { value: c, text: GLYPH[c] + ' ' + S.label('reason', c) }));
  });
  var asked = S.hashParams();
  [['regio', F.regio], ['indicator', F.indicator], ['status', F.status]].forEach(function (p) {
    var v = asked[p[0]];
    if (v && Array.prototype.some.call(p[1].options, function (o) { return o.value === v; })) p[1].value = v;
  });

  var num = function (v) { return v == null ? '–' : S.num(v, 0); };
  var small = function (text) { return S.el('div', { class: 'small', text: text }); };
  /* key: sort key; value(r): text or node; sort(r): what is compared (null last). */
  var COLUMNS = [
    { key: 'regio', label: 'Regio', value: function (r) { return S.regionLink(r.region_code); }, sort: function (r) { return S.regionName(r.region_code); } },
    { key: 'indicator', label: 'Indicator', value: function (r) {
      return S.el('a', { href: S.root + 'indicatoren.html#indicator=' + encodeURIComponent(r.indicator_id) + '&peiljaar=' + r.wave, text: short(r.indicator_id) });
    }, sort: function (r) { return indOrder[r.indicator_id] == null ? 999 : indOrder[r.indicator_id]; } },
    { key: 'cel', label: 'Wat wijkt af', value: function (r) { return r.cell_label || r.cell; }, sort: function (r) { return r.cell_label || r.cell; } },
    { key: 'tekst', label: 'Toelichting van de regio', cls: 'text words', value: function (r) {
      return r.reason_text == null ? S.el('span', { class: 'empty', text: 'geen tekst (alleen ‘niet beoefenen onderbouwd’)' }) : r.reason_text;
    }, sort: function (r) { return r.reason_text; } },
    { key: 'status', label: 'Status', cls: 'text', value: function (r) {
      return S.el('span', null, [S.statusBadge('reason', r.status, GLYPH), r.status_reason ? small(r.status_reason) : null]);
    }, sort: function (r) { var i = S.order('reason').indexOf(r.status); return i < 0 ? null : i; } },
    { key: 'weging', label: 'Weging inspectie', title: 'Het oordeel uit wegingen.csv, met de motivering', cls: 'text', value: function (r) {
      if (r.judgement == null) return '–';
      var who = [r.judged_by, r.judged_on].filter(Boolean).join(', ');
      return S.el('span', null, [S.statusBadge('reason', r.judgement, GLYPH), small(r.judgement_motivation || ''), who ? small(who) : null]);
    }, sort: function (r) { return r.judgement; } },
    { key: 'geldig_tot', label: 'Geldig tot', cls: 'num', value: function (r) { return r.valid_until == null ? '–' : String(r.valid_until); }, sort: function (r) { return r.valid_until; } },
    { key: 'tekst_op_rij', label: 'Tekst op rij', title: 'Peiljaren op rij waarin de regio voor deze cel dezelfde tekst gaf', cls: 'num', value: function (r) {
      if (r.waves_same_text_in_row == null) return '–';
      return S.el('span', null, [num(r.waves_same_text_in_row), r.waves_same_text_in_row > 1 ? small('sinds ' + r.first_wave_same_text) : null]);
    }, sort: function (r) { return r.waves_same_text_in_row; } },
    { key: 'afwijking_op_rij', label: 'Afwijking op rij', title: 'Peiljaren op rij waarin deze afwijking bestaat, met of zonder toelichting', cls: 'num', value: function (r) {
      return S.el('span', null, [num(r.deviation_waves_in_row), MAX != null && r.deviation_waves_in_row > MAX ? small('meer dan ' + MAX) : null]);
    }, sort: function (r) { return r.deviation_waves_in_row; } },
    { key: 'gedeeld', label: 'Zelfde tekst elders', title: 'Andere regio\'s die in dit peiljaar dezelfde tekst gaven', cls: 'num', value: function (r) { return num(r.n_other_regions_same_text); }, sort: function (r) { return r.n_other_regions_same_text; } },
    { key: 'jaar', label: 'Verstreken jaar', title: 'Jaren die de tekst noemt en die vóór het peiljaar liggen', value: function (r) { return r.years_named_past || '–'; }, sort: function (r) { return r.years_named_past; } },
    { key: 'tegenspraak', label: 'Tegenspraak', cls: 'text', value: function (r) { return r.contradiction || '–'; }, sort: function (r) { return r.contradiction; } },
    { key: 'oordeel', label: 'Oordeel indicator', value: function (r) { return S.badge(r.verdict); }, sort: function (r) { return r.verdict; } }
  ];
  var sorted = { key: asked.sorteer || null, dir: asked.richting === 'af' ? -1 : 1 };

  function keep(r) {
    return (!F.regio.value || r.region_code === F.regio.value) &&
      (!F.indicator.value || r.indicator_id === F.indicator.value) &&
      (!F.status.value || r.status === F.status.value) &&
      (!F.text.checked || r.waves_same_text_in_row > 1) &&
      (!F.dev.checked || r.deviation_waves_in_row > 1) &&
      (!F.shared.checked || r.n_other_regions_same_text > 0) &&
      (!F.year.checked || !!r.years_named_past) &&
      (!F.contra.checked || !!r.contradiction);
  }

  function draw(wave, rows) {
    var shown = rows.filter(keep);
    S.byId('telling').textContent = S.num(shown.length, 0) + ' van ' + S.plural(rows.length, 'toelichting', 'toelichtingen') + ' in peiljaar ' + wave +
      (shown.length ? '; oranje gemarkeerd: toelichtingen die niet tellen.' : '.');
    if (!rows.length) { S.put('register', S.note('Geen toelichtingen bij afwijkingen in peiljaar ' + wave + '.')); return; }
    if (!shown.length) { S.put('register', S.note('Geen toelichting voldoet aan de gekozen filters.')); return; }
    // sorting is the shared table's (tables.js); the column and direction are kept in the address
    S.put('register', S.table(COLUMNS, shown, {
      cls: 'reasons', caption: 'Toelichtingen van de regio\'s bij hun afwijkingen, peiljaar ' + wave,
      rowClass: function (r) { return COUNTS.indexOf(r.status) < 0 ? 'hi' : null; },
      sort: sorted,
      onSort: function (key, dir) {
        sorted = { key: key, dir: dir };
        S.setHash('sorteer', key);
        S.setHash('richting', dir > 0 ? 'op' : 'af');
      }
    }));
  }

  var render = S.waveRows(all, 'reasons', draw);

  Object.keys(F).forEach(function (k) {
    F[k].addEventListener('change', function () {
      if (F[k].tagName === 'SELECT') S.setHash(k, F[k].value);
      S.safeRender(render);
    });
  });
  S.start(render);
})();
