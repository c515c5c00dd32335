/* Definities: the page is written whole by the builder (pipelines/site/definitions.py); nothing depends on the wave. */
(function () {
  'use strict';
  window.Site.start(function () { return null; });
})();
