/* regiobench: shared code of every page.
 *
 * The data of a page is embedded in <script type="application/json" id="site-data">; what
 * every page shares (regions, indicators, labels, codes) is in assets/data/common.js, loaded once
 * by a plain <script src> before this file (it fills window.SiteShared; file:// allows no
 * fetch()). Data too large for one page comes in parts that Site.need loads on demand.
 * Everything from the data reaches the page as text: DOM nodes get textContent (never
 * innerHTML), and text handed to Plotly (which renders a subset of HTML in titles,
 * tick labels and hover labels) goes through Site.esc first.
 */
(function () {
  'use strict';
  var S = (window.Site = {});
  var node = document.getElementById('site-data');
  S.data = Object.assign({}, window.SiteShared || {}, node ? JSON.parse(node.textContent) : {});
  S.root = document.body.getAttribute('data-root') || '';

  // ------------------------------------------------------------------ tables packed by column
  /* Columns: a list of values; {d: distinct values, i: index per row}; or text from shared templates
   * {s: name of the template list in Site.data, k: template per row (-1: none), v: the row's digit runs
   * joined by commas, or its whole text where k is -1}: a template's U+0000 marks stand for the digit runs. */
  var split = {};
  function fromTemplates(v) {
    var parts = split[v.s] || (split[v.s] = (S.data[v.s] || []).map(function (t) { return t.split('\u0000'); }));
    return v.k.map(function (k, i) {
      var x = v.v[i];
      if (k == null || k < 0 || !parts[k]) return x;
      var p = parts[k], nums = x ? String(x).split(',') : [], out = p[0];
      for (var j = 1; j < p.length; j++) out += (nums[j - 1] || '') + p[j];
      return out;
    });
  }
  S.unpack = function (t) {
    if (!t || !t.n) return [];
    var cols = Object.keys(t.c);
    var arrays = cols.map(function (c) {
      var v = t.c[c];
      if (Array.isArray(v)) return v;
      if (v.k) return fromTemplates(v);
      return v.i.map(function (i) { return v.d[i]; });
    });
    var out = new Array(t.n);
    for (var i = 0; i < t.n; i++) {
      var row = {};
      for (var j = 0; j < cols.length; j++) row[cols[j]] = arrays[j][i];
      out[i] = row;
    }
    return out;
  };
  /* A data part (assets/data/<file>, written by the builder) loaded by a <script> tag; done(data or null). */
  var parts = (window.SiteParts = window.SiteParts || {}), waiting = {};
  S.need = function (file, done) {
    if (Object.prototype.hasOwnProperty.call(parts, file)) { done(parts[file]); return; }
    if (waiting[file]) { waiting[file].push(done); return; }
    waiting[file] = [done];
    var tag = document.createElement('script');
    var finish = function () {
      var cbs = waiting[file] || [];
      delete waiting[file];
      var got = Object.prototype.hasOwnProperty.call(parts, file) ? parts[file] : null;
      cbs.forEach(function (cb) { cb(got); });
    };
    tag.onload = finish;
    tag.onerror = finish;
    tag.src = S.root + 'assets/data/' + file;
    document.body.appendChild(tag);
  };
  /* A render(wave) for a page whose rows are all in the page (``all``) or, at scale, one data part per wave
     (D.parts, written by payloads.rows_or_wave_parts under ``key``), loaded once when the wave is chosen.
     ``key`` a list of keys: ``all`` is {key: rows} and draw gets {key: the rows of the wave} (a key missing in
     a part: no rows). */
  S.waveRows = function (all, key, draw) {
    var rowsOf = {}, keys = Array.isArray(key) ? key : null;
    function ofWave(rows, wave) { return (rows || []).filter(function (r) { return r.wave === wave; }); }
    function got(each) {
      if (!keys) return each(key);
      var out = {};
      keys.forEach(function (k) { out[k] = each(k); });
      return out;
    }
    return function (wave) {
      if (all) { draw(wave, got(function (k) { return ofWave(keys ? all[k] : all, wave); })); return null; }
      var file = (S.data.parts || {})[String(wave)];
      if (!file) { draw(wave, got(function () { return []; })); return null; }
      if (rowsOf[wave]) { draw(wave, rowsOf[wave]); return null; }
      return new Promise(function (done) {
        S.need(file, function (part) {
          rowsOf[wave] = got(function (k) { return part && part[k] ? S.unpack(part[k]) : []; });
          if (S.wave === wave) draw(wave, rowsOf[wave]);
          done();
        });
      });
    };
  };
  S.groupBy = function (rows, key) {
    var m = new Map();
    rows.forEach(function (r) {
      var k = typeof key === 'function' ? key(r) : r[key];
      if (!m.has(k)) m.set(k, []);
      m.get(k).push(r);
    });
    return m;
  };

  // ------------------------------------------------------------------ words and numbers
  S.regions = S.data.regions || [];
  S.regionByCode = {};
  S.regions.forEach(function (r) { S.regionByCode[r.code] = r; });
  S.regionName = function (code) { var r = S.regionByCode[code]; return r ? r.name : (code == null ? 'onbekende regio' : String(code)); };
  S.regionHref = function (code) {
    var r = S.regionByCode[code];
    return r ? S.root + 'regio/' + r.file : null;
  };
  S.indicators = S.data.indicators || [];
  S.ind = {};
  S.indicators.forEach(function (m) { S.ind[m.id] = m; });
  S.labels = S.data.labels || {};
  S.label = function (group, code) {
    if (code == null || code === '') return '–';
    var g = S.labels[group];
    return g && Object.prototype.hasOwnProperty.call(g, code) ? g[code] : String(code).replace(/_/g, ' ');
  };

  var formats = {};
  function nf(d) {
    return formats[d] || (formats[d] = new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 0, maximumFractionDigits: d }));
  }
  S.num = function (v, d) { return v == null || isNaN(v) ? '–' : nf(d == null ? 2 : d).format(v); };
  /* A count with its noun: S.plural(1, 'regio', 'regio\'s') is '1 regio', with 2 '2 regio\'s'. */
  S.plural = function (n, one, many) { return S.num(n, 0) + ' ' + (n === 1 ? one : many); };
  S.pct = function (v, d) { return v == null || isNaN(v) ? '–' : nf(d == null ? 0 : d).format(v * 100) + '%'; };
  /* A value in the indicator's own terms; plain = the value of indicator_values (for O/E: the count). */
  S.fmt = function (indId, v, plain) {
    var m = S.ind[indId] || { kind: 'score' };
    if (v == null) return '–';
    switch (m.kind) {
      case 'share': return S.pct(v, 0);
      case 'ratio': return plain ? S.num(v, 0) : S.num(v, 2);
      case 'yesno': return v >= 1 ? 'ja' : v <= 0 ? 'nee' : S.num(v, 2);
      case 'count': return S.num(v, 1);
      default: return S.num(v, 2);
    }
  };
  S.tickformat = function (indId) {
    var m = S.ind[indId] || {};
    return m.kind === 'share' ? ',.0%' : '';
  };

  /* For Plotly text: escape the characters Plotly's label markup would read. */
  S.esc = function (s) {
    return s == null ? '' : String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  };
  /* Wrap to lines of about `width` characters, escape every line, join with <br>. */
  S.wrap = function (s, width) {
    width = width || 70;
    if (s == null || s === '') return '';
    var lines = [], line = '';
    String(s).split(/\s+/).forEach(function (word) {
      while (word.length > width) {
        if (line) { lines.push(line); line = ''; }
        lines.push(word.slice(0, width));
        word = word.slice(width);
      }
      if (!word) return;
      if (line && (line + ' ' + word).length > width) { lines.push(line); line = word; }
      else line = line ? line + ' ' + word : word;
    });
    if (line) lines.push(line);
    return lines.map(S.esc).join('<br>');
  };
  /* Hover text from [label, value] pairs (both plain text) plus optional long sentences. */
  S.hover = function (title, pairs, sentences) {
    var out = ['<b>' + S.esc(title) + '</b>'];
    (pairs || []).forEach(function (p) { if (p && p[1] != null && p[1] !== '') out.push(S.esc(p[0]) + ': ' + S.esc(p[1])); });
    (sentences || []).forEach(function (s) { if (s) out.push(S.wrap(s, 70)); });
    return out.join('<br>');
  };

  // ------------------------------------------------------------------ codes (colour + symbol + glyph + word)
  /* The verdict and status codes come from pipelines/contract, through S.data.codes (common.js): per group
   * (verdict, submission, plan, recommendation_status) the codes by name, their order, and each code's
   * colour, glyph and marker. A script names a code by S.code(group, name), never by the code itself. */
  S.codes = S.data.codes || {};
  S.code = function (group, name) {
    var names = (S.codes[group] || {}).names || {};
    if (!Object.prototype.hasOwnProperty.call(names, name)) throw new Error('regiobench: geen code ' + group + '.' + name);
    return names[name];
  };
  S.order = function (group) { return ((S.codes[group] || {}).order || []).slice(); };
  S.look = function (group, code) { var g = (S.codes[group] || {}).look || {}; return Object.prototype.hasOwnProperty.call(g, code) ? g[code] : {}; };
  /* glyph per code of a group, for S.statusBadge */
  S.glyphs = function (group) {
    var out = {};
    S.order(group).forEach(function (c) { out[c] = S.look(group, c).glyph; });
    return out;
  };
  // every verdict has its colour (Okabe-Ito), its own marker shape and glyph, and its word
  S.VERDICTS = S.order('verdict');
  S.VERDICTS_BY_CONCERN = ((S.codes.verdict || {}).by_concern || []).slice();
  S.VERDICT = {};
  S.VERDICTS.forEach(function (v) { S.VERDICT[v] = Object.assign({ label: S.label('verdict', v) }, S.look('verdict', v)); });
  S.verdictStyle = function (v) {
    return S.VERDICT[v] || { label: v == null ? 'geen oordeel' : String(v).replace(/_/g, ' '), color: '#666666', symbol: 'square-open', glyph: '□' };
  };

  // ------------------------------------------------------------------ DOM, text only
  S.el = function (tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) {
      if (c == null) return;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return e;
  };
  S.clear = function (e) { while (e.firstChild) e.removeChild(e.firstChild); return e; };
  S.byId = function (id) { return document.getElementById(id); };
  /* The words of a register row's verdict: 'geen oefeningen gehouden' where a share had nothing to divide by
   * (the indicator's empty_verdict), not 'onvoldoende gegevens'. */
  S.verdictWord = function (r, short) {
    var m = S.ind[r.indicator_id] || {};
    if (r.verdict === S.code('verdict', 'missing') && r.denominator === 0 && m.empty_verdict) return m.empty_verdict;
    return short ? S.label('verdict_short', r.verdict) : S.verdictStyle(r.verdict).label;
  };
  S.badge = function (verdict, row) {
    var st = Object.assign({}, S.verdictStyle(verdict));
    if (row) st.label = S.verdictWord(row);
    var order = S.VERDICTS_BY_CONCERN.indexOf(verdict);
    // data-order: a table sorted on this column puts the most serious verdict first
    return S.el('span', { class: 'badge v-' + (verdict || 'none'), 'data-order': order < 0 ? null : order }, [S.el('span', { class: 'glyph', 'aria-hidden': 'true', text: st.glyph }), ' ' + st.label]);
  };
  S.statusBadge = function (group, code, glyphs) {
    var order = S.order(group).indexOf(code);
    return S.el('span', { class: 'badge s-' + String(code || 'none').replace(/[^a-z_]/g, ''), 'data-order': order < 0 ? null : order },
      [glyphs && glyphs[code] ? S.el('span', { class: 'glyph', 'aria-hidden': 'true', text: glyphs[code] }) : null,
        (glyphs && glyphs[code] ? ' ' : '') + S.label(group, code)]);
  };
  S.regionLink = function (code, text) {
    var href = S.regionHref(code);
    var label = text == null ? S.regionName(code) : text;
    if (!href) return document.createTextNode(label);
    return S.el('a', { href: S.withWave(href), 'data-keep-wave': '1', text: label });
  };
  // S.table (a table from rows, sortable, searchable, as CSV): tables.js
  S.put = function (id, child) {
    var e = S.clear(S.byId(id));
    if (child) e.appendChild(child);
    return e;
  };
  S.note = function (text) { return S.el('p', { class: 'empty', text: text }); };

  // ------------------------------------------------------------------ the wave (peiljaar) and the URL hash
  S.waves = S.data.waves || [];
  // the site opens on the latest wave with returns (default_wave), not on an empty or later folder
  S.wave = S.waves.indexOf(S.data.default_wave) >= 0 ? S.data.default_wave : S.waves.length ? S.waves[S.waves.length - 1] : null;
  S.hashParams = function () {
    var out = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (p) {
      if (!p) return;
      var i = p.indexOf('=');
      try { out[decodeURIComponent(i < 0 ? p : p.slice(0, i))] = i < 0 ? '' : decodeURIComponent(p.slice(i + 1)); } catch (e) { /* ignore */ }
    });
    return out;
  };
  S.setHash = function (key, value) {
    var p = S.hashParams();
    p[key] = value;
    var h = '#' + Object.keys(p).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(p[k]); }).join('&');
    try { history.replaceState(null, '', h); } catch (e) { /* some file:// setups refuse; the page still works */ }
  };
  S.withWave = function (href) {
    return S.wave == null ? href : href.replace(/#.*$/, '') + '#peiljaar=' + S.wave;
  };
  S.updateLinks = function () {
    document.querySelectorAll('a[data-keep-wave]').forEach(function (a) {
      a.setAttribute('href', S.withWave(a.getAttribute('href')));
    });
    document.querySelectorAll('.fn-wave').forEach(function (e) {
      e.textContent = S.wave == null ? 'geen peiljaar' : 'peiljaar ' + S.wave;
    });
  };
  /* Wire the wave select; call render(wave) now and after every change.
   * Tables and cards appear at once; charts as soon as plotly.min.js is parsed (see loadPlotly). */
  S.start = function (render) {
    var sel = S.byId('peiljaar');
    var asked = parseInt(S.hashParams().peiljaar, 10);
    if (S.waves.indexOf(asked) >= 0) S.wave = asked;
    if (sel) {
      sel.value = String(S.wave);
      sel.addEventListener('change', function () {
        S.wave = parseInt(sel.value, 10);
        S.setHash('peiljaar', S.wave);
        S.updateLinks();
        S.safeRender(render);
      });
    }
    window.addEventListener('hashchange', function () {
      var w = parseInt(S.hashParams().peiljaar, 10);
      if (S.waves.indexOf(w) >= 0 && w !== S.wave) {
        S.wave = w;
        if (sel) sel.value = String(w);
        S.updateLinks();
        S.safeRender(render);
      }
    });
    S.updateLinks();
    var ready = function () {
      document.body.setAttribute('data-ready', '1');
      S.loadPlotly();
    };
    var first = S.safeRender(render);
    // a page whose data comes in parts is ready once the first part is drawn
    if (first && typeof first.then === 'function') first.then(ready, ready);
    else ready();
  };
  /* render(wave) may return a Promise (data loaded on demand); data-busy is set until it settles. */
  var busy = 0;
  S.safeRender = function (render) {
    if (S.wave == null) {
      document.querySelectorAll('.needs-data').forEach(function (e) { S.clear(e).appendChild(S.note('Er zijn nog geen gegevens.')); });
      return null;
    }
    var out = render(S.wave);
    if (out && typeof out.then === 'function') {
      busy++;
      document.body.setAttribute('data-busy', '1');
      var done = function () { if (--busy === 0) document.body.removeAttribute('data-busy'); };
      out.then(done, done);
    }
    return out;
  };

  // ------------------------------------------------------------------ Plotly
  S.config = {
    displaylogo: false,
    // never offer to upload a chart to Plotly's cloud (the analysts work offline, the data are not public):
    // no button (plotly.js 4 calls it sendChartToCloud, older versions sendDataToCloud and editInChartStudio)
    // and no address to send to, should a later Plotly bring the button back under another name
    showSendToCloud: false,
    showEditInChartStudio: false,
    showLink: false,
    plotlyServerURL: '',
    responsive: true,
    locale: 'nl',
    locales: { nl: { dictionary: {
      'Download plot as a PNG': 'Grafiek opslaan als PNG', 'Download plot': 'Grafiek opslaan', 'Zoom': 'Zoomen',
      'Pan': 'Verschuiven', 'Zoom in': 'Inzoomen', 'Zoom out': 'Uitzoomen', 'Autoscale': 'Automatisch schalen',
      'Reset axes': 'Assen herstellen', 'Reset view': 'Beeld herstellen', 'Reset': 'Herstellen',
      'Toggle Spike Lines': 'Hulplijnen aan/uit', 'Show closest data on hover': 'Dichtstbijzijnde punt tonen',
      'Compare data on hover': 'Punten vergelijken', 'Box Select': 'Rechthoek selecteren', 'Lasso Select': 'Lasso selecteren',
      'Double-click to zoom back out': 'Dubbelklik om uit te zoomen'
    }, format: { decimal: ',', thousands: '.', date: '%d-%m-%Y',
      days: ['zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag'],
      shortDays: ['zo', 'ma', 'di', 'wo', 'do', 'vr', 'za'],
      months: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
      shortMonths: ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'] } } },
    modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d', 'toggleSpikelines', 'sendChartToCloud', 'sendDataToCloud', 'editInChartStudio'],
    toImageButtonOptions: { format: 'png', scale: 2 }
  };
  S.layout = function (title, extra) {
    var base = {
      title: { text: '<b>' + S.esc(title) + '</b>', x: 0, xanchor: 'left', pad: { l: 8 }, font: { size: 15 } },
      separators: ',.',
      font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif', size: 12, color: '#1a1a1a' },
      paper_bgcolor: '#ffffff', plot_bgcolor: '#ffffff',
      margin: { l: 70, r: 20, t: 50, b: 60 },
      hoverlabel: { align: 'left', bgcolor: '#ffffff', bordercolor: '#333333', font: { color: '#1a1a1a' } },
      legend: { orientation: 'h', y: -0.18, yanchor: 'top', x: 0 }
    };
    return Object.assign(base, extra || {});
  };
  S.axis = function (title, extra) {
    return Object.assign({ title: { text: S.esc(title) }, gridcolor: '#e5e5e5', zerolinecolor: '#bbbbbb', automargin: true }, extra || {});
  };
  // Charts asked for before Plotly is there wait here (latest per chart); loadPlotly draws them.
  var pending = {}, pendingOrder = [];
  S.plot = function (id, traces, layout, opts) {
    var div = S.byId(id);
    if (!div) return null;
    if (!window.Plotly) {
      if (!pending[id]) { pendingOrder.push(id); if (!div.querySelector('.loading')) S.clear(div).appendChild(S.el('p', { class: 'loading', text: 'Grafiek wordt geladen …' })); }
      pending[id] = [traces, layout, opts];
      return null;
    }
    var stale = div.querySelector('.loading, .empty');
    if (stale && !div.classList.contains('js-plotly-plot')) S.clear(div);
    else if (stale) stale.remove();
    div.classList.add('chart-live');
    var done = Plotly.react(div, traces, layout, S.config);
    if ((opts && opts.link) || linkWanted[id]) S.linkPoints(id);
    S.nameChart(div, layout && layout.title ? layout.title.text : '');
    if (done && typeof done.then === 'function') done.then(function () { S.keyboardToolbar(div); });
    return done;
  };
  S.purge = function (id) {
    var div = S.byId(id);
    delete pending[id];
    if (div && window.Plotly && div.classList.contains('js-plotly-plot')) Plotly.purge(div);
    if (div) { div.classList.remove('chart-live'); S.clear(div); }
  };
  /* Load assets/plotly.min.js after the first paint (it takes a while to parse), then draw what waits. */
  S.loadPlotly = function () {
    if (document.body.getAttribute('data-plotly') !== '1' || window.Plotly) { document.body.setAttribute('data-charts', '1'); return; }
    var go = function () {
      var tag = document.createElement('script');
      tag.src = S.root + 'assets/plotly.min.js';
      tag.onload = function () {
        var ids = pendingOrder.slice();
        pendingOrder = [];
        var jobs = ids.map(function (id) { var p = pending[id]; delete pending[id]; return p ? S.plot(id, p[0], p[1], p[2]) : null; });
        Promise.all(jobs).then(function () { document.body.setAttribute('data-charts', '1'); });
      };
      tag.onerror = function () {
        pendingOrder.forEach(function (id) { S.put(id, S.el('p', { class: 'warning', text: 'De grafiekbibliotheek assets/plotly.min.js ontbreekt; de tabellen zijn wel volledig.' })); });
        document.body.setAttribute('data-charts', 'error');
      };
      document.body.appendChild(tag);
    };
    // two animation frames: the tables and cards are painted before the parse starts
    requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(go, 0); }); });
  };
  /* One marker trace per verdict, so that the legend shows colour, shape and word together. */
  S.verdictTraces = function (points, base) {
    var by = S.groupBy(points, 'verdict');
    var order = S.VERDICTS.concat(Array.from(by.keys()).filter(function (v) { return S.VERDICTS.indexOf(v) < 0; }));
    var traces = [];
    order.forEach(function (v) {
      var pts = by.get(v);
      if (!pts || !pts.length) return;
      var st = S.verdictStyle(v);
      traces.push(Object.assign({
        type: 'scatter', mode: 'markers', name: st.label,
        x: pts.map(function (p) { return p.x; }), y: pts.map(function (p) { return p.y; }),
        hovertext: pts.map(function (p) { return p.hover; }), hoverinfo: 'text',
        customdata: pts.map(function (p) { return p.code; }),
        marker: { color: st.color, symbol: st.symbol, size: 11, line: { color: '#222222', width: st.symbol === 'x' ? 0 : 1 } },
        meta: { role: 'regio' }
      }, base || {}));
    });
    return traces;
  };
  /* Clicking a point opens the page its customdata names: by default the profile of the region whose code it is,
   * in the same wave; href(customdata) gives another address (or null: no link). */
  var linkWanted = {}, linkHref = {};
  S.linkPoints = function (id, href) {
    var div = S.byId(id);
    if (!div) return;
    if (href) linkHref[id] = href;
    if (typeof div.on !== 'function') { linkWanted[id] = true; return; }
    if (div.__linked) return;
    div.__linked = true;
    div.on('plotly_click', function (ev) {
      var p = ev && ev.points && ev.points[0];
      var code = p && (Array.isArray(p.customdata) ? p.customdata[0] : p.customdata);
      if (code == null) return;
      var to = linkHref[id] ? linkHref[id](code) : S.regionHref(code) && S.withWave(S.regionHref(code));
      if (to) location.href = to;
    });
  };
  /* The indicator page of one indicator in the current wave, with a region marked in its charts. */
  /* A list of indicator ids as the marts hold it (a list, or text joined by ', ' or '|'): the ids, trimmed. */
  S.indicatorIds = function (v) {
    return (Array.isArray(v) ? v : String(v == null ? '' : v).split(/[|,;]/)).map(function (x) { return String(x).trim(); }).filter(Boolean);
  };
  S.indicatorHref = function (indicatorId, regionCode) {
    return S.root + 'indicatoren.html#indicator=' + encodeURIComponent(indicatorId) + (S.wave == null ? '' : '&peiljaar=' + S.wave) +
      (regionCode == null ? '' : '&regio=' + encodeURIComponent(regionCode));
  };
  /* A region's profile in the current wave, opened at its verdict on one indicator. */
  S.verdictHref = function (regionCode, indicatorId) {
    var href = S.regionHref(regionCode);
    if (!href) return null;
    href = S.withWave(href);
    return href + (href.indexOf('#') < 0 ? '#' : '&') + 'indicator=' + encodeURIComponent(indicatorId);
  };

  // ------------------------------------------------------------------ charts for assistive technology
  /* Plotly's markup out of a title: the plain words a screen reader says. */
  S.plainTitle = function (html) {
    // the tags out, then the three entities S.esc writes (never through innerHTML: nothing may run or load)
    return String(html || '').replace(/<br\s*\/?>/gi, ' ').replace(/<[^>]*>/g, '')
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
  };
  /* A chart's title is its accessible name; the chart is a group (not an image), so that its toolbar stays
   * reachable, and the drawing inside is an image with the same name. */
  S.nameChart = function (div, titleHtml) {
    var name = S.plainTitle(titleHtml) || 'grafiek';
    div.setAttribute('role', 'group');
    div.setAttribute('aria-roledescription', 'grafiek');
    div.setAttribute('aria-label', name);
    var svgs = div.querySelectorAll('svg.main-svg');
    svgs.forEach(function (svg, i) {
      if (i === 0) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', name); }
      else svg.setAttribute('aria-hidden', 'true');
    });
  };
  /* Plotly's toolbar buttons are links without an address, out of reach of the keyboard: each becomes a button
   * in the tab order. It is the last thing in the chart's box, so a reader tabs to it after the content. */
  S.keyboardToolbar = function (div) {
    S.nameChart(div, div.layout && div.layout.title ? div.layout.title.text : '');
    if (!div.__kbHooked && typeof div.on === 'function') {  // Plotly may draw its toolbar anew (a resize, a relayout)
      div.__kbHooked = true;
      div.on('plotly_afterplot', function () { S.keyboardToolbar(div); });
    }
    div.querySelectorAll('.modebar-btn').forEach(function (b) {
      if (b.__keyed) return;
      b.__keyed = true;
      b.setAttribute('tabindex', '0');
      b.setAttribute('role', 'button');
      b.setAttribute('aria-label', b.getAttribute('data-title') || 'knop');
      b.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); b.click(); }
      });
    });
  };
  /* The table alternative of a chart: a table in a <details> just before the chart in its figure (so the
   * toolbar comes after it in the tab order). columns and opts as for Site.table; the caption names the chart. */
  S.chartTable = function (id, columns, rows, caption, opts) {
    var div = S.byId(id);
    if (!div) return null;
    var holder = div.parentNode.querySelector('details.chart-table[data-for="' + id + '"]');
    if (!holder) {
      holder = S.el('details', { class: 'chart-table', 'data-for': id }, [S.el('summary', { text: 'Tabel bij deze grafiek' }),
        S.el('div', { id: id + '-tabel' })]);
      div.parentNode.insertBefore(holder, div);
    }
    if (!rows || !rows.length) { S.put(id + '-tabel', S.note('Geen gegevens voor deze grafiek.')); return holder; }
    S.put(id + '-tabel', S.table(columns, rows, Object.assign({ caption: caption }, opts || {})));
    return holder;
  };

  // A4 printing: charts get the width of the paper, and back afterwards.
  window.addEventListener('beforeprint', function () {
    if (window.Plotly) document.querySelectorAll('.js-plotly-plot').forEach(function (d) { Plotly.relayout(d, { width: 680 }); });
  });
  window.addEventListener('afterprint', function () {
    if (window.Plotly) document.querySelectorAll('.js-plotly-plot').forEach(function (d) { Plotly.relayout(d, { width: null, autosize: true }); });
  });
})();
