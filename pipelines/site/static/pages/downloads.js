/* Downloads: every published file, and the data dictionary of the marts in Dutch (pipelines/site/dictionary.py). */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var byMart = {};
  (D.files || []).forEach(function (f) { if (f.mart) (byMart[f.mart] = byMart[f.mart] || []).push(f); });

  function link(f) { return S.el('a', { href: f.href, download: f.file, text: f.file }); }

  S.put('bestandenlijst', S.table([
    { label: 'Bestand', value: link, csv: function (f) { return f.file; } },
    { label: 'Mart', value: function (f) { return f.mart ? S.el('a', { href: '#mart-' + f.mart, text: f.mart }) : 'alle marts'; } },
    { label: 'Wat', cls: 'text', value: function (f) { return f.what; } }
  ], D.files || [], { caption: 'Gepubliceerde bestanden' }));

  function english(text) { return S.el('span', null, [S.el('span', { class: 'lang-en', text: '(Engels) ' }), text]); }

  function codes(c) {
    if (!c.codes) return c.unit;
    return S.el('span', null, [c.unit ? S.el('div', { class: 'small', text: c.unit }) : null,
      S.el('ul', { class: 'codes' }, c.codes.map(function (kv) {
        return S.el('li', null, [S.el('code', { text: kv[0] }), ' = ' + kv[1]]);
      }))]);
  }

  var index = S.byId('mart-index'), box = S.byId('marts');
  (D.marts || []).forEach(function (m) {
    index.appendChild(S.el('li', null, [S.el('a', { href: '#mart-' + m.name, text: m.name })]));
    var files = (byMart[m.name] || []).map(function (f, i) { return [i ? ' · ' : '', link(f)]; })
      .reduce(function (a, b) { return a.concat(b); }, []);
    var section = S.el('section', { class: 'mart', id: 'mart-' + m.name }, [
      S.el('h3', null, [S.el('code', { text: m.name })]),
      S.el('p', null, [m.purpose || english(m.purpose_en)]),
      S.el('p', { class: 'small' }, [S.el('strong', { text: 'Een rij: ' }), m.grain || english(m.grain_en),
        '. ', S.el('strong', { text: 'Sleutel: ' }), m.key.length ? m.key.join(', ') : 'geen (twee gelijke rijen kunnen voorkomen)', '. ',
        S.el('strong', { text: 'Bestanden: ' })].concat(files)),
      S.el('div', { id: 'kolommen-' + m.name })
    ]);
    box.appendChild(section);
    S.put('kolommen-' + m.name, S.table([
      { label: 'Kolom', value: function (c) { return S.el(c.key ? 'strong' : 'span', null, [S.el('code', { text: c.name })]); },
        csv: function (c) { return c.name; } },
      { label: 'Type', value: function (c) { return c.type; } },
      { label: 'Eenheid of codes', cls: 'text', value: codes,
        csv: function (c) { return c.codes ? c.codes.map(function (kv) { return kv[0] + ' = ' + kv[1]; }).join('; ') : c.unit; } },
      { label: 'Betekenis', cls: 'text', value: function (c) { return c.nl || english(c.en); },
        csv: function (c) { return c.nl || '(Engels) ' + c.en; } }
    ], m.columns, { caption: 'Kolommen van ' + m.name }));
  });

  // nothing here depends on the wave; S.start keeps the chosen wave on the links to other pages
  S.start(function () { return null; });
})();
