/* regiobench: every table a reader can work with (loaded after site.js on every page).
 *
 * Site.table(columns, rows, opts) draws a table from data; Site.enhance(table) gives any <table class="data">,
 * drawn here or written by the builder, the same tools: a sort button in every column header (with aria-sort),
 * a search field that filters the rows, and a button that downloads the rows as shown as a CSV file for a
 * Dutch spreadsheet (';' between fields, decimal comma, UTF-8 with BOM). Sorting and filtering move the
 * rows that are there; nothing is drawn again. A cell sorts by its data-order (a code's place in its order,
 * set by Site.badge and Site.statusBadge), else by its text read as a Dutch number where it is one.
 */
(function () {
  'use strict';
  var S = window.Site;
  var collator = new Intl.Collator('nl', { numeric: true, sensitivity: 'base' });
  var plainNumber = new Intl.NumberFormat('nl-NL', { useGrouping: false, maximumFractionDigits: 10 });
  var saved = {};  // per container id: the sort and search a reader chose, kept when the table is drawn again
  var counter = 0;

  /* The text a reader sees in a cell, without the glyphs beside the words (aria-hidden). */
  function cellText(td) {
    if (td.hasAttribute('data-csv')) return td.getAttribute('data-csv');
    var out = '';
    (function walk(n) {
      n.childNodes.forEach(function (c) {
        if (c.nodeType === 3) out += c.nodeValue;
        else if (c.nodeType === 1 && c.getAttribute('aria-hidden') !== 'true') { walk(c); if (/^(DIV|P|BR|LI)$/.test(c.tagName)) out += ' '; }
      });
    })(td);
    return out.replace(/\s+/g, ' ').trim();
  }
  /* A Dutch number as the site writes it ('1.234,5', '12%', '3,8×', '−2'), or null. */
  var NUMBER = /^[-−]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*[%×]?$/;
  function dutchNumber(text) {
    if (!NUMBER.test(text)) return null;
    return parseFloat(text.replace(/[%×\s]/g, '').replace(/\./g, '').replace(',', '.').replace('−', '-'));
  }
  function sortKey(td) {
    if (!td) return null;
    if (td.__key !== undefined) return td.__key === '' ? null : td.__key;  // the column's own sort (Site.table)
    var ordered = td.querySelector('[data-order]');
    if (td.hasAttribute('data-order')) ordered = td;
    if (ordered) return parseFloat(ordered.getAttribute('data-order'));
    var text = cellText(td);
    if (text === '' || text === '–') return null;
    var n = dutchNumber(text);
    return n == null ? text : n;
  }
  function compare(x, y) {
    if (x == null) return y == null ? 0 : 1;  // empty last, either way round
    if (y == null) return -1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return collator.compare(x, y);
  }

  /* One field of a CSV line: a value that a spreadsheet would read as a formula gets a leading apostrophe. */
  function csvField(v) {
    var s = v == null ? '' : typeof v === 'number' ? plainNumber.format(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s) && dutchNumber(s) == null) s = "'" + s;
    return /[;"\r\n]/.test(s) || /^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  S.csvText = function (header, lines) {
    return '\ufeff' + [header].concat(lines).map(function (l) { return l.map(csvField).join(';'); }).join('\r\n') + '\r\n';
  };
  S.download = function (name, text) {
    var url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    var a = S.el('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  };
  function fileName(table) {
    var holder = table.closest('[id]:not(.table-wrap)');
    var what = holder && holder.id !== 'inhoud' ? holder.id : 'tabel-' + (table.getAttribute('data-n') || '1');
    var page = document.body.getAttribute('data-page') || 'pagina';
    var wave = document.querySelector('#peiljaar') && S.wave != null ? '-peiljaar-' + S.wave : '';
    return ('regiobench-' + page + '-' + what + wave).replace(/[^A-Za-z0-9_-]+/g, '-') + '.csv';
  }

  /* A caption for a table that has none: the nearest heading before it (in the page or, for a table not yet
   * in the page, the page's own heading). */
  function captionFor(table) {
    var heads = Array.prototype.slice.call(document.querySelectorAll('main h1, main h2, main h3'));
    var before = table.isConnected ? heads.filter(function (h) {
      return h.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING;
    }) : [];
    var h = before.length ? before[before.length - 1] : heads[0];
    var text = h ? h.textContent.replace(/\s+/g, ' ').trim() : document.title;
    return 'Tabel: ' + text;
  }

  /* Sort buttons, search and CSV for a table already in the page or about to be. opts: sort {key, dir}
   * (the column to sort by at the start), onSort(key, dir), name (of the CSV file). */
  S.enhance = function (table, opts) {
    opts = opts || {};
    if (table.getAttribute('data-enhanced')) return table;
    table.setAttribute('data-enhanced', '1');
    table.setAttribute('data-n', String(++counter));
    var body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : []);
    if (!body || !heads.length) return table;
    if (!table.caption) {  // every table has a caption; this one is heard, not seen (the heading above says it)
      var cap = S.el('caption', { class: 'visually-hidden', 'data-auto': '1', text: captionFor(table) });
      table.insertBefore(cap, table.firstChild);
    }
    var rows = Array.prototype.slice.call(body.rows);
    var state = { key: null, dir: 1, query: '' };
    var buttons = heads.map(function (th, i) {
      var key = th.getAttribute('data-key') || String(i);
      var label = th.textContent;
      var b = S.el('button', { type: 'button', class: 'sort', 'data-sort': key,
        title: (th.getAttribute('title') ? th.getAttribute('title') + '. ' : '') + 'Klik om hierop te sorteren.' }, [label]);
      S.clear(th).appendChild(b);
      th.setAttribute('aria-sort', 'none');
      b.addEventListener('click', function () {
        sortBy(key, state.key === key ? -state.dir : 1);
        if (opts.onSort) opts.onSort(state.key, state.dir);
        remember();
      });
      return { th: th, button: b, key: key, label: label, index: i };
    });
    function sortBy(key, dir) {
      var col = buttons.find(function (b) { return b.key === key; });
      if (!col) return;
      state.key = key; state.dir = dir;
      var keyed = rows.map(function (tr, i) { return [sortKey(tr.cells[col.index]), i, tr]; });
      keyed.sort(function (a, b) {
        var c = compare(a[0], b[0]);
        return (a[0] == null || b[0] == null ? c : c * dir) || a[1] - b[1];
      });
      rows = keyed.map(function (k) { return k[2]; });
      rows.forEach(function (tr) { body.appendChild(tr); });
      buttons.forEach(function (b) {
        var s = b.key === key ? (dir > 0 ? 'ascending' : 'descending') : 'none';
        b.th.setAttribute('aria-sort', s);
        b.button.textContent = b.label + (s === 'ascending' ? ' ▲' : s === 'descending' ? ' ▼' : '');
      });
    }
    // the tools above the table
    var search = S.el('input', { type: 'search', class: 'table-search', 'aria-label': 'Zoeken in de tabel', placeholder: 'zoeken in de tabel' });
    var count = S.el('span', { class: 'table-count small', 'aria-live': 'polite' });
    var csv = S.el('button', { type: 'button', class: 'csv', title: 'De rijen zoals getoond, voor Excel en LibreOffice' }, ['CSV downloaden']);
    var tools = S.el('div', { class: 'table-tools no-print' }, [search, count, csv]);
    function filter(q) {
      state.query = q;
      var words = q.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
      rows.forEach(function (tr) {
        var text = tr.__text || (tr.__text = tr.textContent.toLowerCase());
        tr.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
        if (!tr.hidden) shown++;
      });
      count.textContent = words.length ? S.num(shown, 0) + ' van ' + S.plural(rows.length, 'rij', 'rijen') : '';
    }
    search.addEventListener('input', function () { filter(search.value); remember(); });
    csv.addEventListener('click', function () {
      var header = buttons.map(function (b) { return b.label; });
      var lines = rows.filter(function (tr) { return !tr.hidden; }).map(function (tr) {
        return buttons.map(function (b) { return tr.cells[b.index] ? cellText(tr.cells[b.index]) : ''; });
      });
      S.download(opts.name || fileName(table), S.csvText(header, lines));
    });
    function remember() {
      var holder = tools.parentNode && tools.parentNode.closest('[id]');
      if (holder) saved[holder.id] = { key: state.key, dir: state.dir, query: state.query };
    }
    table.__tools = { sortBy: sortBy, filter: function (q) { search.value = q; filter(q); }, state: state };
    if (opts.sort && opts.sort.key) sortBy(opts.sort.key, opts.sort.dir || 1);
    var wrap = table.parentNode && table.parentNode.classList.contains('table-wrap') ? table.parentNode : table;
    if (wrap === table && table.parentNode) {  // a table the builder wrote: it scrolls in its own box, not the page
      wrap = S.el('div', { class: 'table-wrap' });
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    if (wrap.parentNode) wrap.parentNode.insertBefore(tools, wrap);
    else table.__toolsNode = tools;
    return table;
  };

  /* columns: [{label, value: row => string | Node, cls, title, key, sort: row => what is compared (null last),
   * csv: row => value for the CSV}];
   * opts: cls, caption, rowClass(row), rowId(row), sort {key, dir}, onSort(key, dir). */
  S.table = function (columns, rows, opts) {
    opts = opts || {};
    var thead = S.el('thead', null, [S.el('tr', null, columns.map(function (c, i) {
      return S.el('th', { scope: 'col', class: c.cls, title: c.title, 'data-key': c.key || String(i), text: c.label });
    }))]);
    var tbody = S.el('tbody', null, rows.map(function (r) {
      return S.el('tr', { class: opts.rowClass ? opts.rowClass(r) : null, id: opts.rowId ? opts.rowId(r) : null }, columns.map(function (c) {
        var v = c.value(r);
        var td = S.el('td', { class: c.cls, 'data-csv': c.csv ? c.csv(r) : null }, [v == null ? '–' : v]);
        if (c.sort) td.__key = c.sort(r);
        return td;
      }));
    }));
    var t = S.el('table', { class: 'data' + (opts.cls ? ' ' + opts.cls : '') }, [
      opts.caption ? S.el('caption', { text: opts.caption }) : null, thead, tbody]);
    var wrap = S.el('div', { class: 'table-wrap' }, [t]);
    S.enhance(t, opts);
    return S.el('div', { class: 'table-block' }, [t.__toolsNode, wrap]);
  };

  /* Put a table in its place; the sort and search chosen there before come back (a wave changed). */
  var put = S.put;
  S.put = function (id, child) {
    var e = put(id, child);
    var t = child && child.querySelector ? child.querySelector('table[data-enhanced]') : null;
    var s = saved[id];
    if (t && t.caption && t.caption.getAttribute('data-auto')) t.caption.textContent = captionFor(t);  // now in its place
    if (t && t.__tools && s) {
      if (s.key != null && t.__tools.state.key == null) t.__tools.sortBy(s.key, s.dir);
      if (s.query) t.__tools.filter(s.query);
    }
    return e;
  };

  // the tables the builder wrote into the page
  document.querySelectorAll('table.data').forEach(function (t) { S.enhance(t); });
})();
