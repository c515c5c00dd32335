/* Regio's: every region with the counts of its verdicts. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var score = S.unpack(D.scorecard);
  S.start(function (wave) {
    var by = {};
    score.forEach(function (r) { if (r.wave === wave) by[r.region_code] = r; });
    var n = function (r, k) { return r ? S.num(r[k], 0) : '–'; };
    var head = function (v, word) { return S.verdictStyle(v).glyph + ' ' + word; };
    S.put('regiolijst', S.table([
      { label: 'Regio', value: function (x) { return S.regionLink(x.code, x.name + ' (' + x.code + ')'); } },
      { label: head(S.code('verdict', 'unjustified'), 'niet onderbouwd'), cls: 'num', value: function (x) { return n(by[x.code], 'n_unjustified'); } },
      { label: head(S.code('verdict', 'substantiated'), 'onderbouwd'), cls: 'num', value: function (x) { return n(by[x.code], 'n_substantiated'); } },
      { label: head(S.code('verdict', 'favourable'), 'gunstig'), cls: 'num', value: function (x) { return n(by[x.code], 'n_favourable'); } },
      { label: head(S.code('verdict', 'conform'), 'conform'), cls: 'num', value: function (x) { return n(by[x.code], 'n_conform'); } },
      { label: head(S.code('verdict', 'missing'), 'onvoldoende gegevens'), cls: 'num', value: function (x) { return n(by[x.code], 'n_missing'); } }
    ], S.regions, { rowClass: function (x) { return by[x.code] && by[x.code].n_unjustified > 0 ? 'hi' : null; } }));
  });
})();
