/* Oordelenmatrix ("tartan rug"): regions x indicators for one wave, a cell per verdict in colour, glyph and word,
 * marked where the deviation is persistent or severe and with the status of the region's reason; each cell leads
 * to the verdict and its explanation on the region's page. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  // beyond OVERVIEW_LIMIT regions the verdicts come per wave, as data parts (D.parts)
  var all = D.matrix ? S.unpack(D.matrix) : null;
  var SEVERE = D.severe;
  var UNJUSTIFIED = S.code('verdict', 'unjustified');
  var REASON_GLYPH = S.glyphs('reason');
  var PERSISTENT_MARK = '↻', SEVERE_MARK = '!';
  var F = { domain: S.byId('f-domein'), only: S.byId('f-niet-onderbouwd') };
  var asked = S.hashParams();
  if (asked.domein && Array.prototype.some.call(F.domain.options, function (o) { return o.value === asked.domein; })) F.domain.value = asked.domein;
  // at scale the matrix opens on the regions that matter, unless the link says otherwise
  F.only.checked = asked.alleen != null ? asked.alleen === '1' : !!D.large;

  var legend = S.byId('legend-reasons');
  legend.appendChild(S.el('strong', { text: 'toelichting van de regio' }));
  legend.appendChild(document.createTextNode(' (bij een afwijking die een toelichting kan onderbouwen): '));
  S.order('reason').forEach(function (c, i) {
    if (i) legend.appendChild(document.createTextNode(' '));
    legend.appendChild(S.statusBadge('reason', c, REASON_GLYPH));
  });

  function severity(r) { return r.severity == null || isNaN(r.severity) ? null : r.severity; }
  function isSevere(r) { var s = severity(r); return s != null && SEVERE != null && s >= SEVERE; }

  /* The words a screen reader and the tooltip give for one cell. */
  function verdictWords(r) {
    var s = severity(r), out = [S.verdictWord(r)];
    if (s != null) out.push('ernst ' + S.num(s, 2) + (isSevere(r) ? ' (ernstig)' : ''));
    if (r.persistent) out.push('aanhoudend');
    if (r.reason_status != null) out.push('toelichting: ' + S.label('reason', r.reason_status));
    return out.join('; ');
  }
  function describe(code, m, r) { return S.regionName(code) + ', ' + m.short + ': ' + verdictWords(r); }

  function cell(code, m, r, wave) {
    if (!r) return S.el('span', { class: 'mx mx-none', title: 'geen rij in het register', text: '–' });
    var href = S.regionHref(code);
    var marks = [];
    if (r.persistent) marks.push(PERSISTENT_MARK);
    if (isSevere(r)) marks.push(SEVERE_MARK);
    if (r.reason_status != null && REASON_GLYPH[r.reason_status]) marks.push(REASON_GLYPH[r.reason_status]);
    var words = describe(code, m, r) + learnWords(code, m, r, wave);
    var cls = 'mx v-' + (r.verdict || 'none') + (isSevere(r) ? ' severe' : '') + (r.persistent ? ' persistent' : '') +
      (F.only.checked && r.verdict !== UNJUSTIFIED ? ' faded' : '');
    return withLearning(code, m, r, wave, S.el(href ? 'a' : 'span', {
      class: cls, href: href ? href + '#peiljaar=' + wave + '&indicator=' + encodeURIComponent(m.id) : null,
      title: words, 'aria-label': words, 'data-verdict': r.verdict, 'data-region': code, 'data-indicator': m.id
    }, [
      S.el('span', { class: 'glyph', 'aria-hidden': 'true', text: S.verdictStyle(r.verdict).glyph }),
      S.el('span', { class: 'word', 'aria-hidden': 'true', text: S.verdictWord(r, true) }),
      marks.length ? S.el('span', { class: 'marks', 'aria-hidden': 'true', text: marks.join(' ') }) : null
    ]));
  }

  // Beside each unfavourable deviation: the regions to learn from (learning_matches) in the tooltip, and a link
  // to the section "Leren van" of the region's page at that deviation.
  var UNFAVOURABLE = [UNJUSTIFIED, S.code('verdict', 'substantiated')];
  var MATCHES = {};
  if (D.learning) S.unpack(D.learning).forEach(function (x) { MATCHES[x.wave + '|' + x.region_code + '|' + x.indicator_id] = x.matches; });
  function learnWords(code, m, r, wave) {
    if (UNFAVOURABLE.indexOf(r.verdict) < 0) return '';
    var ms = MATCHES[wave + '|' + code + '|' + m.id];
    return ms ? '; leren van: ' + ms.split('|').map(S.regionName).join(', ') : '';
  }
  function withLearning(code, m, r, wave, el) {
    var href = S.regionHref(code);
    if (!href || UNFAVOURABLE.indexOf(r.verdict) < 0) return el;
    var ms = MATCHES[wave + '|' + code + '|' + m.id];
    var text = 'Leren van' + (ms ? ': ' + ms.split('|').map(S.regionName).join(', ') : '') + ' (' + S.regionName(code) + ', ' + m.short + ')';
    return S.el('span', { class: 'mx-wrap' }, [el, S.el('a', {
      class: 'mx-learn no-print', href: href + '#peiljaar=' + wave + '&leren=' + encodeURIComponent(m.id),
      title: text, 'aria-label': text, 'data-learn': m.id, text: 'leren van →' })]);
  }

  function draw(wave, rows) {
    var inds = S.indicators.filter(function (m) { return !F.domain.value || m.domain === F.domain.value; });
    var byRegion = S.groupBy(rows, 'region_code');
    var lines = S.regions.map(function (reg) {
      var cells = {};
      (byRegion.get(reg.code) || []).forEach(function (r) { cells[r.indicator_id] = r; });
      var n = inds.filter(function (m) { return cells[m.id] && cells[m.id].verdict === UNJUSTIFIED; }).length;
      return { code: reg.code, cells: cells, n: n };
    }).filter(function (x) { return Object.keys(x.cells).length; });
    var shown = F.only.checked ? lines.filter(function (x) { return x.n > 0; }) : lines;
    var total = shown.reduce(function (a, x) { return a + x.n; }, 0);
    S.byId('telling').textContent = S.num(shown.length, 0) + ' van ' + S.plural(lines.length, 'regio', 'regio\'s') + ', ' +
      S.plural(inds.length, 'indicator', 'indicatoren') + '; ' + S.num(total, 0) + ' ' + (total === 1 ? 'afwijking' : 'afwijkingen') +
      ' zonder onderbouwing in peiljaar ' + wave + '.';
    if (!lines.length) { S.put('matrix', S.note('Geen oordelen in peiljaar ' + wave + '.')); return; }
    if (!shown.length) { S.put('matrix', S.note('Geen regio heeft in peiljaar ' + wave + ' een afwijking zonder onderbouwing bij deze indicatoren.')); return; }
    var columns = [
      { label: 'Regio', cls: 'mx-region', value: function (x) { return S.regionLink(x.code, S.regionName(x.code) + ' (' + x.code + ')'); } },
      { label: 'Niet onderbouwd', cls: 'num', value: function (x) { return S.num(x.n, 0); } }
    ].concat(inds.map(function (m) {
      return { label: m.short, title: m.label, cls: 'mx-col', key: m.id, value: function (x) { return cell(x.code, m, x.cells[m.id], wave); },
        // sorted the most serious verdict first; in the CSV the verdict's words and its marks
        sort: function (x) { var r = x.cells[m.id], i = r ? S.VERDICTS_BY_CONCERN.indexOf(r.verdict) : -1; return i < 0 ? null : i; },
        csv: function (x) { var r = x.cells[m.id]; return r ? verdictWords(r) : ''; } };
    }));
    S.put('matrix', S.table(columns, shown, { cls: 'matrix', caption: 'Oordelen per regio en indicator, peiljaar ' + wave }));
  }

  var render = S.waveRows(all, 'matrix', draw);

  F.domain.addEventListener('change', function () { S.setHash('domein', F.domain.value); S.safeRender(render); });
  F.only.addEventListener('change', function () { S.setHash('alleen', F.only.checked ? '1' : '0'); S.safeRender(render); });
  S.start(render);
})();
