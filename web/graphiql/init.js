// Starts GraphiQL from the settings the server put in #graphiql-config (endpoint, example query and,
// in development only, a ready-made Authorization header). Queries and mutations go over HTTP;
// subscriptions over a WebSocket to the same endpoint (graphql-ws), authenticated in connection_init
// with the Authorization header the headers editor holds.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href);
  var socketUrl = (endpoint.protocol === "https:" ? "wss:" : "ws:") + "//" + endpoint.host + endpoint.pathname;

  // GraphiQL hands the headers editor's contents to the fetcher on every run, but not to a WebSocket
  // client: the last run's Authorization is kept here for the next connection_init. The socket closes
  // when no subscription runs, so a changed header is used by the next subscription.
  var authorization = null;
  function authorizationOf(headers) {
    for (var name in headers || {}) {
      if (name.toLowerCase() === "authorization" && typeof headers[name] === "string") return headers[name];
    }
    return null;
  }
  var SESSION_OVER = [4401, 4403, 4429];
  var wsClient = graphqlWs.createClient({
    url: socketUrl,
    connectionParams: function () {
      return authorization ? { Authorization: authorization } : {};
    },
    // A refused credential or the connection limit is shown at once, not retried.
    shouldRetry: function (event) {
      return !!event && typeof event.code === "number" && SESSION_OVER.indexOf(event.code) < 0;
    },
  });
  var fetchOrSubscribe = GraphiQL.createFetcher({
    url: config.endpoint,
    // Marks the request as non-simple, as the server's cross-site rule asks.
    headers: { "X-Requested-With": "GraphiQL" },
    wsClient: wsClient,
  });
  var fetcher = function (params, options) {
    authorization = authorizationOf(options && options.headers);
    return fetchOrSubscribe(params, options);
  };

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.query,
      headers: config.headers,
      defaultEditorToolsVisibility: config.headers ? "headers" : true,
      shouldPersistHeaders: false,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    })
  );
})();
