/* The region report (pipelines/site/rapport.py): the spine chart for print; data-charts tells the printer it is drawn. */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  S.wave = D.wave;
  // the first page holds the follow-up and the flags: a long list is set smaller until it fits on one page
  var first = S.byId('eerste'), limit = S.byId('paginahoogte').offsetHeight, size = 9.5;
  while (first.offsetHeight > limit && size > 5.5) { size -= 0.25; first.style.fontSize = size + 'pt'; }
  document.body.setAttribute('data-font', String(size));
  var done = function (ok) { document.body.setAttribute('data-charts', ok ? '1' : 'error'); };
  try {
    var rows = S.spine('spine', D.region, D.wave, S.unpack(D.register), S.unpack(D.summary), {
      link: false, height: S.indicators.length * 30 + 190, left: 250, axisTitle: '',
      title: 'Waarden tegen de landelijke waarde', layout: { width: 688 }
    });
    Promise.resolve(rows.drawn).then(function () { done(!!window.Plotly); }, function () { done(false); });
  } catch (e) {
    done(false);
    throw e;
  }
})();
