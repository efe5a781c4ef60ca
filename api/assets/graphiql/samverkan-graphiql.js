// Samverkan's GraphiQL: starts the vendored GraphiQL (global `GraphiQL`, with `React` and
// `ReactDOM`) against this server. Served from /graphql/assets/ like every other asset;
// the page's Content-Security-Policy allows no inline script and no other host.
//
// - Queries and mutations go to the page's own URL (`/graphql`), subscriptions to
//   `/graphql/ws` (graphql-transport-ws). Both are taken relative to the page, so a
//   reverse proxy that serves the API under a path prefix keeps working.
// - Every request needs `Authorization: Bearer <token>`, given in the Headers tab.
//   GraphiQL sends those headers with queries and mutations, and puts them in the
//   `connection_init` payload of a subscription's socket, where the server reads the
//   token.
// - GraphiQL reads the schema once, when it starts (before a token is there). When the
//   Authorization header changes, the page hands GraphiQL a new fetcher carrying it,
//   and GraphiQL reads the schema again: the docs fill in once a token is pasted.
// - The page's Content-Security-Policy allows inline styles only with this response's
//   nonce, which this script's own tag carries. GraphiQL's dialogs add a style while
//   open (to keep the page from scrolling); their library takes its nonce from the
//   global `__webpack_nonce__`.
(function () {
  'use strict';

  var script = document.currentScript;
  if (script && script.nonce) {
    window.__webpack_nonce__ = script.nonce;
  }

  var page = new URL(window.location.href);
  page.search = '';
  page.hash = '';
  var endpoint = page.href;
  var socket = new URL(page.pathname.replace(/\/+$/, '') + '/ws', page);
  socket.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';

  var DEFAULT_HEADERS = '{\n  "Authorization": "Bearer "\n}';
  var DEFAULT_QUERY = [
    '# Samverkan GraphQL API.',
    '#',
    '# Paste a token after "Bearer " in the Headers',
    '# tab below (`samverkan token --help` mints one),',
    '# then run this with Ctrl-Enter. The docs (book',
    '# icon, top left) list every type and field.',
    '',
    '{',
    '  viewer {',
    '    sub',
    '    roles',
    '  }',
    '  districts(first: 5) {',
    '    totalCount',
    '    nodes {',
    '      name',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');

  // The Authorization header of the headers editor's text, when it holds a token:
  // `[name as written, value]`.
  function authorizationOf(text) {
    var headers;
    try {
      headers = JSON.parse(text || '{}');
    } catch (_) {
      return null;
    }
    if (!headers || typeof headers !== 'object') {
      return null;
    }
    var name = Object.keys(headers).find(function (key) {
      return key.toLowerCase() === 'authorization';
    });
    var value = name && headers[name];
    if (typeof value !== 'string' || !value.replace(/^\s*bearer\s*/i, '').trim()) {
      return null;
    }
    return [name, value.trim()];
  }

  function sameAuthorization(a, b) {
    return a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1]);
  }

  // GraphiQL merges the editor's headers over these: under the same name, so the
  // request carries one Authorization header.
  function fetcherFor(authorization) {
    var headers = {};
    if (authorization) {
      headers[authorization[0]] = authorization[1];
    }
    return GraphiQL.createFetcher({
      url: endpoint,
      subscriptionUrl: socket.href,
      headers: headers,
      wsConnectionParams: headers,
    });
  }

  function App() {
    var state = React.useState(null);
    var authorization = state[0];
    var setAuthorization = state[1];
    var fetcher = React.useMemo(
      function () {
        return fetcherFor(authorization);
      },
      [authorization],
    );
    var timer = React.useRef(null);
    var onEditHeaders = React.useCallback(function (text) {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(function () {
        var next = authorizationOf(text);
        setAuthorization(function (current) {
          return sameAuthorization(current, next) ? current : next;
        });
      }, 300);
    }, []);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: DEFAULT_HEADERS,
      defaultEditorToolsVisibility: 'headers',
      onEditHeaders: onEditHeaders,
    });
  }

  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(App));
})();
