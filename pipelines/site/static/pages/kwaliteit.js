/* Datakwaliteit: statuses, rejections with their messages, missing returns, earlier data in use, runs. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  // the statuses and problems of a wave: in the page, or beyond OVERVIEW_LIMIT regions one data part per wave
  // (D.parts) loaded when the wave is chosen; problems without a wave (a folder that is no wave) are always in the
  // page, and so is the overview of every wave (D.overview, counted in pipelines/site/quality.py)
  var all = D.parts ? null : { status: S.unpack(D.status), problems: S.unpack(D.problems) };
  var noWave = all ? all.problems.filter(function (p) { return p.wave == null; }) : S.unpack(D.problems_no_wave);
  var status = [], problems = []; // those of the wave shown
  var history = S.unpack(D.history);
  var judgementProblems = S.unpack(D.judgement_problems);
  var modules = D.modules || [];
  var GLYPH = S.glyphs('submission');
  var REJECTED = S.code('submission', 'rejected');
  var ABSENT = S.code('submission', 'absent'), CONFLICT = S.code('submission', 'conflict');
  // GX's result of a status (validation_path, under the validation folder), as a link from this page
  var validationHref = function (r) { return r.validation_path ? (D.validation_href || '') + r.validation_path : null; };
  var cmp = function (a, b) { return a == null ? (b == null ? 0 : 1) : b == null ? -1 : a < b ? -1 : a > b ? 1 : 0; };

  if (D.notes && D.notes.length) S.put('kwaliteit-notes', S.el('p', { class: 'warning', text: D.notes.join(' ') }));

  function perWave() {
    var overview = S.groupBy(S.unpack(D.overview), 'wave');
    var rows = S.waves.slice().reverse().map(function (w) {
      var r = (overview.get(w) || [])[0];
      return r ? { w: w, loaded: r.loaded, missing: r.missing, rejected: r.rejected, conflict: r.conflicts, earlier: r.earlier,
        errors: r.errors, warnings: r.warnings }
        : { w: w, loaded: 0, missing: S.regions.length, rejected: 0, conflict: 0, earlier: 0, errors: 0, warnings: 0 };
    });
    S.put('per-peiljaar', S.table([
      { label: 'Peiljaar', value: function (r) { return String(r.w); } },
      { label: 'Regio\'s geladen', cls: 'num', value: function (r) { return S.num(r.loaded, 0) + ' van ' + S.regions.length; } },
      { label: 'Zonder aanlevering', cls: 'num', value: function (r) { return S.num(r.missing, 0); } },
      { label: 'Afgewezen modules', cls: 'num', value: function (r) { return S.num(r.rejected, 0); } },
      { label: 'Conflicten', cls: 'num', value: function (r) { return S.num(r.conflict, 0); } },
      { label: 'Eerdere gegevens in gebruik', cls: 'num', value: function (r) { return S.num(r.earlier, 0); } },
      { label: 'Fouten', cls: 'num', value: function (r) { return S.num(r.errors, 0); } },
      { label: 'Waarschuwingen', cls: 'num', value: function (r) { return S.num(r.warnings, 0); } }
    ], rows, { rowClass: function (r) { return r.w === S.wave ? 'hi' : null; } }));
  }

  function grid(wave) {
    var st = status.filter(function (r) { return r.wave === wave; });
    var mods = modules.slice();
    st.forEach(function (r) { if (r.module && mods.indexOf(r.module) < 0) mods.push(r.module); });
    var codes = S.regions.map(function (r) { return r.code; });
    var known = new Set(codes);
    st.forEach(function (r) { if (!known.has(r.region_code)) { known.add(r.region_code); codes.push(r.region_code); } });
    var byCell = S.groupBy(st, function (r) { return r.region_code + '\u0000' + r.module; });
    // a loaded return with a plausibility warning: marked as on the region page, linked to the list below
    var warned = S.groupBy(problems.filter(function (p) { return p.wave === wave && plausible(p); }),
      function (p) { return p.region_code + '\u0000' + p.module; });
    var cell = function (code, mod) {
      var mine = byCell.get(code + '\u0000' + mod) || [];
      if (!mine.length) return '–';
      var span = S.el('span');
      mine.forEach(function (r, i) {
        if (i) span.appendChild(document.createTextNode(' '));
        var b = S.statusBadge('submission', r.status, GLYPH);
        b.setAttribute('title', (r.source_file || 'geen bestand') + (r.message ? ': ' + r.message : '') +
          (r.validation_run ? ' · toetsing ' + r.validation_run : ''));
        var href = validationHref(r);
        // the badge opens the Great Expectations result this status came from
        span.appendChild(href ? S.el('a', { href: href, class: 'validation-run', 'data-run': r.validation_run }, [b]) : b);
        if (r.earlier_data_in_use) span.appendChild(S.el('span', { class: 'small', text: ' eerdere in gebruik' }));
      });
      var w = warned.get(code + '\u0000' + mod);
      if (w) {
        span.appendChild(S.el('br'));
        var mark = S.el('a', { class: 'check-return small', href: '#controleer', 'data-region': code, 'data-module': mod,
          title: w.map(function (p) { return p.message; }).join('\n'), text: '\u26a0 controleer de aanlevering' });
        // scrolled to, not put in the URL: the hash keeps the wave
        mark.addEventListener('click', function (e) { e.preventDefault(); S.byId('controleer').scrollIntoView(); });
        span.appendChild(mark);
      }
      return span;
    };
    S.put('status-grid', S.table([{ label: 'Regio', value: function (c) { return c == null ? 'onbekende regio' : S.regionLink(c, S.regionName(c) + ' (' + c + ')'); } }]
      .concat(mods.map(function (m) { return { label: m, value: function (c) { return cell(c, m); } }; })), codes, { cls: 'grid' }));
  }

  function problemTable(list) {
    return S.table([
      { label: 'Blad', value: function (p) { return p.sheet; } },
      { label: 'Rij', cls: 'num', value: function (p) { return p.row_number == null ? '–' : String(p.row_number); } },
      { label: 'Kolom', value: function (p) { return p.column_name; } },
      { label: 'Gevonden waarde', cls: 'text', value: function (p) { return p.value; } },
      { label: 'Regel', value: function (p) { return p.rule; } },
      { label: 'Ernst', value: function (p) { return S.statusBadge('severity', p.severity); } },
      { label: 'Melding', cls: 'text file-message', value: function (p) { return p.message; } }
    ], list);
  }

  function rejected(wave) {
    var st = status.filter(function (r) { return r.wave === wave && (r.status === REJECTED || r.status === CONFLICT); })
      .sort(function (a, b) { return cmp(a.region_code, b.region_code) || cmp(a.module, b.module) || cmp(a.source_file, b.source_file); });
    var box = S.clear(S.byId('afgewezen'));
    if (!st.length) { box.appendChild(S.note('Geen bestanden afgewezen en geen conflicten in peiljaar ' + wave + '.')); return; }
    st.forEach(function (r) {
      var list = problems.filter(function (p) {
        return p.wave === wave && p.source_file === r.source_file && (p.module == null || r.module == null || p.module === r.module) &&
          (p.region_code == null || r.region_code == null || p.region_code === r.region_code);
      });
      var d = S.el('details', { class: 'rejection', open: 'open' }, [
        S.el('summary', null, [S.statusBadge('submission', r.status, GLYPH), ' ' + (r.region_code ? S.regionName(r.region_code) + ' (' + r.region_code + ')' : 'onbekende regio') +
          ' · module ' + (r.module || '–') + ' · ' + (r.source_file || 'geen bestand') + ' · ' + S.plural(r.n_errors, 'fout', 'fouten')]),
        S.el('p', null, ['Melding: ', S.el('span', { class: 'file-message', text: r.message || '–' })]),
        validationHref(r) ? S.el('p', null, ['Toetsing (Great Expectations): ',
          S.el('a', { href: validationHref(r), class: 'validation-run', 'data-run': r.validation_run, text: r.validation_run })]) : null,
        S.el('p', { text: r.earlier_data_in_use ? 'Eerder geladen gegevens van deze regio, module en dit peiljaar blijven in gebruik.'
          : 'Er waren geen eerder geladen gegevens: deze module telt als ontbrekend (onvoldoende gegevens).' })
      ]);
      d.appendChild(list.length ? problemTable(list) : S.note('Geen meldingen per cel voor dit bestand.'));
      box.appendChild(d);
    });
  }

  function missing(wave) {
    var st = status.filter(function (r) { return r.wave === wave && r.status === ABSENT; });
    if (!st.length) { S.put('ontbreekt', S.note('Alle regio\'s hebben in peiljaar ' + wave + ' alle modules aangeleverd.')); return; }
    var by = S.groupBy(st, 'region_code');
    var rows = Array.from(by.keys()).sort(cmp).map(function (c) {
      var mods = by.get(c).map(function (r) { return r.module; });
      return { code: c, mods: mods, all: modules.length && modules.every(function (m) { return mods.indexOf(m) >= 0; }), msg: by.get(c)[0].message };
    });
    S.put('ontbreekt', S.table([
      { label: 'Regio', value: function (r) { return r.code == null ? 'onbekende regio' : S.regionLink(r.code, S.regionName(r.code) + ' (' + r.code + ')'); } },
      { label: 'Ontbrekend', value: function (r) { return r.all ? 'geen enkele aanlevering' : r.mods.join(', '); } },
      { label: 'Melding', cls: 'text file-message', value: function (r) { return r.msg; } }
    ], rows));
  }

  function earlier(wave) {
    var st = status.filter(function (r) { return r.wave === wave && r.earlier_data_in_use; });
    if (!st.length) { S.put('eerder', S.note('In peiljaar ' + wave + ' worden geen eerder geladen gegevens gebruikt in plaats van een nieuwe aanlevering.')); return; }
    S.put('eerder', S.table([
      { label: 'Regio', value: function (r) { return r.region_code == null ? 'onbekende regio' : S.regionLink(r.region_code); } },
      { label: 'Module', value: function (r) { return r.module; } },
      { label: 'Nieuw bestand (niet gebruikt)', value: function (r) { return r.source_file; } },
      { label: 'Status', value: function (r) { return S.statusBadge('submission', r.status, GLYPH); } },
      { label: 'Melding', cls: 'text file-message', value: function (r) { return r.message; } }
    ], st));
  }

  // plausibility warnings (rule plausibel.*, docs/plausibility.md): their own list, not among the file warnings
  var plausible = function (p) { return !!D.plausible_prefix && String(p.rule || '').indexOf(D.plausible_prefix) === 0; };

  function implausible(wave) {
    var pr = problems.filter(function (p) { return p.wave === wave && plausible(p); });
    if (!pr.length) { S.put('controleer', S.note('Geen plausibiliteitswaarschuwingen in peiljaar ' + wave + '.')); return; }
    S.put('controleer', S.table([
      { label: 'Regio', value: function (p) { return p.region_code == null ? '–' : S.regionLink(p.region_code, S.regionName(p.region_code) + ' (' + p.region_code + ')'); } },
      { label: 'Module', value: function (p) { return p.module; } },
      { label: 'Bestand', value: function (p) { return p.source_file; } },
      { label: 'Rij', cls: 'num', value: function (p) { return p.row_number == null ? '–' : String(p.row_number); } },
      { label: 'Kolom', value: function (p) { return p.column_name; } },
      { label: 'Melding', cls: 'text file-message', value: function (p) { return p.message; } }
    ], pr));
  }

  function warnings(wave) {
    var pr = problems.filter(function (p) { return p.wave === wave && p.severity !== D.severity_error && !plausible(p); });
    if (!pr.length) { S.put('waarschuwingen', S.note('Geen waarschuwingen in peiljaar ' + wave + '.')); return; }
    S.put('waarschuwingen', S.table([
      { label: 'Bestand', value: function (p) { return p.source_file; } },
      { label: 'Regio', value: function (p) { return p.region_code == null ? '–' : S.regionName(p.region_code); } },
      { label: 'Module', value: function (p) { return p.module; } },
      { label: 'Rij', cls: 'num', value: function (p) { return p.row_number == null ? '–' : String(p.row_number); } },
      { label: 'Kolom', value: function (p) { return p.column_name; } },
      { label: 'Waarde', cls: 'text', value: function (p) { return p.value; } },
      { label: 'Melding', cls: 'text file-message', value: function (p) { return p.message; } }
    ], pr));
  }

  function notRead(wave) {
    var pr = problems.filter(function (p) {
      return (p.wave == null && p.rule === 'map.geen_peiljaar') ||
        (p.wave === wave && (p.rule === 'bestand.genegeerd' || p.rule === 'peiljaar.leeg'));
    });
    if (!pr.length) { S.put('niet-gelezen', S.note('Alles onder de aanleveringenmap is gelezen (peiljaar ' + wave + ').')); return; }
    S.put('niet-gelezen', S.table([
      { label: 'Map of bestand', value: function (p) { return p.source_file; } },
      { label: 'Soort', value: function (p) { return p.rule === 'map.geen_peiljaar' ? 'map, geen peiljaar' : p.rule === 'peiljaar.leeg' ? 'lege map van een peiljaar' : 'genegeerd bestand'; } },
      { label: 'Waarom', cls: 'text file-message', value: function (p) { return p.message; } }
    ], pr));
  }

  /* The Great Expectations runs the wave's statuses came from: each links its run.json (waves, modules, count). */
  function validationRuns(wave) {
    var st = status.filter(function (r) { return r.wave === wave && r.validation_run; });
    if (!st.length) { S.put('toetsingen', S.note('Geen rijen getoetst in peiljaar ' + wave + ' (of de toetsingsresultaten zijn niet bewaard).')); return; }
    var by = S.groupBy(st, 'validation_run');
    var rows = Array.from(by.keys()).sort(cmp).reverse().map(function (run) { return { run: run, st: by.get(run) }; });
    S.put('toetsingen', S.table([
      { label: 'Toetsing', value: function (r) { return S.el('a', { href: (D.validation_href || '') + 'runs/' + r.run + '/run.json', class: 'validation-run', 'data-run': r.run, text: r.run }); } },
      { label: 'Statussen', cls: 'num', value: function (r) { return S.num(r.st.length, 0); } },
      { label: 'Regio\'s', cls: 'num', value: function (r) { return S.num(new Set(r.st.map(function (x) { return x.region_code; })).size, 0); } },
      { label: 'Modules', value: function (r) { return Array.from(new Set(r.st.map(function (x) { return x.module; }))).sort().join(', '); } }
    ], rows));
  }

  function runs() {
    var cols = D.history_columns;
    if (!cols) { S.put('runs', S.note('Er is nog geen verwerkingsgeschiedenis.')); return; }
    if (!history.length) { S.put('runs', S.note('De verwerkingsgeschiedenis is leeg.')); return; }
    S.put('runs', S.table(cols.map(function (c) {
      var head = (S.labels.run_history || {})[c] || c;
      return { label: head, cls: c === 'summary' ? 'text' : null, value: function (r) { var v = r[c]; return v == null ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v); } };
    }), history));
  }

  /* The analyst's file wegingen.csv holds no waves of its own: every problem, whatever the wave shown. */
  function judgements() {
    if (!judgementProblems.length) {
      S.put('wegingen', S.note('Geen problemen gevonden: elke rij van wegingen.csv telt mee.'));
      return;
    }
    S.put('wegingen', S.table([
      { label: 'Regel', cls: 'num', value: function (p) { return p.row_number == null ? '–' : String(p.row_number); } },
      { label: 'Kolom', value: function (p) { return p.column_name || 'hele rij'; } },
      { label: 'Gevonden waarde', cls: 'text', value: function (p) { return p.value; } },
      { label: 'Melding', cls: 'text file-message', value: function (p) { return p.message; } },
      { label: 'Peiljaar', cls: 'num', value: function (p) { return p.wave == null ? '–' : String(p.wave); } },
      { label: 'Regio', value: function (p) { return p.region_code == null ? '–' : S.regionLink(p.region_code, S.regionName(p.region_code) + ' (' + p.region_code + ')'); } }
    ], judgementProblems, { caption: judgementProblems.length + (judgementProblems.length === 1 ? ' rij' : ' rijen') + ' van wegingen.csv genegeerd' }));
  }

  runs();
  judgements();
  var ofWave = S.waveRows(all, ['status', 'problems'], function (wave, got) {
    status = got.status; problems = got.problems.concat(noWave);
    notRead(wave); grid(wave); rejected(wave); validationRuns(wave); missing(wave); earlier(wave); implausible(wave); warnings(wave);
  });
  S.start(function (wave) { perWave(); return ofWave(wave); });
})();
