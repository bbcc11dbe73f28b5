import type { ServerRoute } from '@hapi/hapi';

/**
 * The pop-up's only script (the page's CSP forbids inline ones). It reads what to send
 * from data attributes and posts it to the opener, to the returnTo origin only; with no
 * opener (pop-up blocked, opened as a tab) it goes to returnTo with the result in the
 * fragment, as the redirect mode does.
 */
const SCRIPT = `(function () {
  var el = document.getElementById('relais-psc');
  if (!el) return;
  var d = el.dataset;
  var message = d.handoff
    ? { type: 'relais:psc', handoff: d.handoff }
    : { type: 'relais:psc', error: d.error, code: d.code };
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(message, d.targetOrigin);
    window.close();
  } else if (d.returnTo) {
    window.location.replace(d.returnTo);
  }
})();
`;

export const pscHandoffScriptRoute: ServerRoute = {
  method: 'GET',
  path: '/auth/psc/handoff.js',
  options: {
    auth: false,
    // Public by design: a static script with no data.
    plugins: { relais: { public: true } },
    description: 'Script of the Pro Santé Connect pop-up page',
  },
  handler: (_request, h) =>
    h.response(SCRIPT).type('text/javascript; charset=utf-8').header('cache-control', 'no-cache'),
};
