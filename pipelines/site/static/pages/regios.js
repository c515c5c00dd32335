/* Regio's: every region with the counts of its verdicts. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var score = S.unpack(D.scorecard);
  S.start(function (wave) {
    var by = {};
    score.forEach(function (r) { if (r.wave === wave) by[r.region_code] = r; });
    var n = function (r, k) { return r ? S.num(r[k], 0) : '–'; };
    S.put('regiolijst', S.table([
      { label: 'Regio', value: function (x) { return S.regionLink(x.code, x.name + ' (' + x.code + ')'); } },
      { label: '✖ niet onderbouwd', cls: 'num', value: function (x) { return n(by[x.code], 'n_unjustified'); } },
      { label: '◆ onderbouwd', cls: 'num', value: function (x) { return n(by[x.code], 'n_substantiated'); } },
      { label: '▲ gunstig', cls: 'num', value: function (x) { return n(by[x.code], 'n_favourable'); } },
      { label: '● conform', cls: 'num', value: function (x) { return n(by[x.code], 'n_conform'); } },
      { label: '○ onvoldoende gegevens', cls: 'num', value: function (x) { return n(by[x.code], 'n_missing'); } }
    ], S.regions, { rowClass: function (x) { return by[x.code] && by[x.code].n_unjustified > 0 ? 'hi' : null; } }));
  });
})();
