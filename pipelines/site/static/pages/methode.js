/* Methode: static text; only the links keep the chosen wave. */
(function () {
  'use strict';
  var S = window.Site;
  var w = parseInt(S.hashParams().peiljaar, 10);
  if (S.waves.indexOf(w) >= 0) S.wave = w;
  S.updateLinks();
  document.body.setAttribute('data-ready', '1');
  S.loadPlotly();
})();
