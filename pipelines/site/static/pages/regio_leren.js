/* Regioprofiel, learning from each other (issue 21): what became of last wave's deviations (first), and per
 * unfavourable deviation of the wave the regions to learn from with their lessons on the same subject.
 * Loaded with defer after regio.js; draws on every change of the wave. A link #leren-<indicator> or
 * #peiljaar=<wave>&leren=<indicator> (the verdict matrix) opens at that deviation. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var L = D.learning;
  if (!S.byId('leren-regio')) return;
  if (!L) {
    S.put('opvolging-regio', S.note('Deze publicatie heeft de gegevens over leren van elkaar nog niet: ze komen er bij de volgende run van de pijplijn (regiobench run).'));
    S.put('leren-regio', S.note('Deze publicatie heeft de gegevens over leren van elkaar nog niet: ze komen er bij de volgende run van de pijplijn (regiobench run).'));
    return;
  }
  var LL = L.labels || {};
  var matches = S.unpack(L.matches), follow = S.unpack(L.followup), reg = S.unpack(D.register);
  var UNFAVOURABLE = [S.code('verdict', 'unjustified'), S.code('verdict', 'substantiated')];

  function n(v) { return S.num(v, 0); }
  function indName(id) { return (S.ind[id] || {}).short || id; }
  function statusWord(c) { return c == null ? '–' : ((LL.followup || {})[c] || c).split(':')[0]; }
  function lessonList(text) {
    if (!text) return null;
    return S.el('ul', { class: 'lessons small' }, String(text).split(' | ').map(function (t) { return S.el('li', { text: t }); }));
  }
  function names(codes) {
    return codes == null || codes === '' ? '–' : String(codes).split(/\s*,\s*/).filter(Boolean).map(S.regionName).join(', ');
  }

  function followup(wave) {
    var rows = follow.filter(function (r) { return r.next_wave === wave; });
    var waves = S.waves.filter(function (w) { return w < wave; });
    if (!waves.length) { S.put('opvolging-regio', S.note('Er is geen peiljaar vóór ' + wave + '.')); return; }
    var prev = waves[waves.length - 1];
    if (!rows.length) { S.put('opvolging-regio', S.note('In ' + prev + ' had de regio geen ongunstige afwijking.')); return; }
    S.put('opvolging-regio', S.table([
      { label: 'Indicator', value: function (r) { return indName(r.indicator_id); } },
      { label: 'Oordeel ' + prev, value: function (r) { return S.badge(r.verdict); } },
      { label: 'Oordeel ' + wave, value: function (r) { return r.next_verdict == null ? '–' : S.badge(r.next_verdict); } },
      { label: 'Wat werd ervan', value: function (r) {
        return S.el('span', { 'data-status': r.followup_status, title: (LL.followup || {})[r.followup_status] || '', text: statusWord(r.followup_status) }); } },
      { label: 'Lessen over het onderwerp in ' + wave, cls: 'num', value: function (r) { return n(r.n_lessons_on_subject); } },
      { label: 'Overgenomen (van een voorbeeldregio)', cls: 'num', value: function (r) {
        return r.n_taken_over == null ? '–' : n(r.n_taken_over) + ' (' + n(r.n_from_matches) + ')'; } },
      { label: 'Overgenomen van', value: function (r) { return names(r.taken_from); } },
      { label: 'Lessen', cls: 'text', value: function (r) { return lessonList(r.lessons); }, csv: function (r) { return r.lessons || ''; } },
      { label: 'Toelichtingen ' + wave, cls: 'text', value: function (r) { return r.reasons; } }
    ], rows, { caption: 'Ongunstige afwijkingen van ' + prev + ' en wat er in ' + wave + ' van werd',
      rowClass: function (r) { return (LL.followup_concern || []).indexOf(r.followup_status) >= 0 ? 'hi' : null; } }));
  }

  function match(m) {
    var head = S.el('p', null, [
      S.el('strong', null, [S.regionLink(m.match_code, S.regionName(m.match_code))]),
      ' (' + S.verdictStyle(m.match_verdict).label + ')'
    ]);
    var counts = m.n_lessons ? 'Lessen over hetzelfde onderwerp in de laatste drie peiljaren: ' + n(m.n_lessons) +
      ', waarvan ' + n(m.n_lessons_shared) + ' gedeeld via het virtueel kantoor en ' + n(m.n_lessons_followed_up) + ' opgevolgd (uitgevoerd).'
      : 'Geen les over hetzelfde onderwerp in de laatste drie peiljaren.';
    return S.el('li', { class: 'match', 'data-match': m.match_code }, [head,
      S.el('p', { class: 'small why', text: 'Waarom: ' + m.why + '.' }),
      S.el('p', { class: 'small', text: counts }), lessonList(m.lessons)]);
  }

  function learnFrom(wave) {
    var devs = S.indicators.map(function (i) {
      return reg.find(function (r) { return r.wave === wave && r.indicator_id === i.id && UNFAVOURABLE.indexOf(r.verdict) >= 0; });
    }).filter(Boolean);
    if (!devs.length) { S.put('leren-regio', S.note('Geen ongunstige afwijking in peiljaar ' + wave + '.')); return; }
    var box = S.el('div');
    devs.forEach(function (r) {
      var ms = matches.filter(function (m) { return m.wave === wave && m.indicator_id === r.indicator_id; })
        .sort(function (a, b) { return a.match_rank - b.match_rank; });
      var block = S.el('div', { class: 'leren-afwijking', id: 'leren-' + r.indicator_id, 'data-indicator': r.indicator_id }, [
        S.el('h3', null, [indName(r.indicator_id) + ' ', S.badge(r.verdict)])]);
      if (!ms.length) block.appendChild(S.note('Geen andere regio was in ' + wave + ' conform of gunstig op deze indicator.'));
      else {
        block.appendChild(S.el('p', { class: 'small', text: ms[0].n_candidates > ms.length
          ? 'De eerste ' + ms.length + ' van ' + n(ms[0].n_candidates) + ' regio\'s die conform of gunstig waren:' : 'Regio\'s die conform of gunstig waren:' }));
        block.appendChild(S.el('ol', { class: 'matches' }, ms.map(match)));
      }
      box.appendChild(block);
    });
    S.put('leren-regio', box);
  }

  function asked() {
    var h = location.hash.replace(/^#/, '');
    if (/^leren-/.test(h)) return h.slice(6);
    return S.hashParams().leren || null;
  }
  var shown = false;
  function render() {
    var wave = S.wave;
    if (wave == null) return;
    followup(wave); learnFrom(wave);
    var id = asked();
    var target = id && S.byId('leren-' + id);
    if (target && !shown) { shown = true; target.classList.add('target'); target.scrollIntoView({ block: 'start' }); }
  }
  var sel = S.byId('peiljaar');
  if (sel) sel.addEventListener('change', function () { setTimeout(render, 0); });
  window.addEventListener('hashchange', function () { setTimeout(render, 0); });
  render();
})();
