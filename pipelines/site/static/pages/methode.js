/* Methode: mostly static text; for the chosen wave the effect of the overdispersion method and the assessment
 * method against the risk basis (indicator_summary). */
(function () {
  'use strict';
  var S = window.Site, D = S.data;
  var disp = S.unpack(D.overdispersion);
  var fit = S.unpack(D.risk_fit);

  /* A p-value as analysts read it: three decimals, below 0.001 as "p < 0,001". */
  function pval(p) { return p == null ? 'p –' : p < 0.001 ? 'p < 0,001' : 'p = ' + S.num(p, 3); }
  function method(code) { return S.label('overdispersion_method', code); }

  function overdispersion(wave) {
    var rows = disp.filter(function (r) { return r.wave === wave; });
    var order = S.indicators.map(function (m) { return m.id; });
    rows.sort(function (a, b) { return order.indexOf(a.indicator_id) - order.indexOf(b.indicator_id); });
    if (!rows.length) { S.put('overdispersie-tabel', S.note('Geen trechters met overdispersie in peiljaar ' + wave + '.')); return; }
    // two lines per indicator: the method in use, then what the other method would give
    var lines = [];
    rows.forEach(function (r) {
      lines.push({ r: r, first: true, method: r.overdispersion_method, phi: r.phi, tau2: r.tau2, outside: r.n_outside_998 });
      lines.push({ r: r, first: false, method: r.alternative_method, phi: r.phi_alternative, tau2: r.tau2_alternative,
        outside: r.n_outside_998_alternative });
    });
    S.put('overdispersie-tabel', S.table([
      { label: 'Indicator', value: function (x) { return x.first ? (S.ind[x.r.indicator_id] || {}).short || x.r.indicator_id : ''; } },
      { label: 'Methode', value: function (x) { return method(x.method) + (x.first ? ' (gebruikt)' : ' (de andere)'); } },
      { label: 'φ', cls: 'num', value: function (x) { return S.num(x.phi, 3); } },
      { label: 'τ²', cls: 'num', value: function (x) { return S.num(x.tau2, 4); } },
      { label: 'Regio\'s buiten 99,8%', cls: 'num', value: function (x) { return S.num(x.outside, 0); } }
    ], lines, { cls: 'method-effect', rowClass: function (x) {
      var differs = x.r.n_outside_998 != null && x.r.n_outside_998_alternative != null && x.r.n_outside_998 !== x.r.n_outside_998_alternative;
      return x.first ? 'first' : differs ? 'hi' : null;
    } }));
  }

  function riskFit(wave) {
    var r = fit.find(function (x) { return x.wave === wave; });
    var line = S.byId('risico-conclusie');
    if (!r || r.adj_r2_method == null || r.adj_r2_risk == null) {
      line.textContent = 'Voor peiljaar ' + wave + ' is de vergelijking van methode en risico niet te maken (te weinig regio\'s met een beoordeling van dit peiljaar).';
      S.put('risico-tabel', null);
      if (!r) return;
    } else {
      var methodAdds = r.p_method_given_risk != null && r.p_method_given_risk < 0.05;
      var riskAdds = r.p_risk_given_method != null && r.p_risk_given_method < 0.05;
      line.textContent = 'Peiljaar ' + wave + ': gecorrigeerd verklaart de methode ' + S.pct(r.adj_r2_method, 0) + ' en de risicobasis ' +
        S.pct(r.adj_r2_risk, 0) + ' van de verschillen in de ingeschatte kans. ' +
        (methodAdds && !riskAdds ? 'De methode voegt iets toe aan de risicobasis, de risicobasis niet aan de methode: de score weerspiegelt vooral de methode.'
          : methodAdds && riskAdds ? 'Methode en risicobasis voegen elk iets toe aan de ander.'
            : riskAdds ? 'De risicobasis voegt iets toe aan de methode, de methode niet aan de risicobasis.'
              : 'Geen van beide voegt aantoonbaar iets toe aan de ander.');
    }
    var pairs = [
      ['Methoden van beoordelen', S.num(r.n_methods, 0)], ['Regio\'s met gegevens', S.num(r.n_regions, 0)],
      ['R² methode', S.num(r.r2_method, 3)], ['R² risicobasis', S.num(r.r2_risk, 3)],
      ['Gecorrigeerde R² methode', S.num(r.adj_r2_method, 3)], ['Gecorrigeerde R² risicobasis', S.num(r.adj_r2_risk, 3)],
      ['R² methode en risicobasis samen', S.num(r.r2_full, 3)],
      ['F-toets: methode bovenop risicobasis', S.num(r.f_method_given_risk, 2) + ' (' + pval(r.p_method_given_risk) + ')'],
      ['F-toets: risicobasis bovenop methode', S.num(r.f_risk_given_method, 2) + ' (' + pval(r.p_risk_given_method) + ')']
    ];
    S.put('risico-tabel', S.table([
      { label: 'Maat', value: function (p) { return p[0]; } },
      { label: 'Peiljaar ' + wave, cls: 'num', value: function (p) { return p[1]; } }
    ], pairs, { cls: 'risk-fit' }));
  }

  S.start(function (wave) { overdispersion(wave); riskFit(wave); });
})();
