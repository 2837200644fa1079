// Starts GraphiQL from the settings the server put in #graphiql-config (endpoint, example query and,
// in development only, a ready-made Authorization header).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var fetcher = GraphiQL.createFetcher({
    url: config.endpoint,
    // Marks the request as non-simple, as the server's cross-site rule asks.
    headers: { "X-Requested-With": "GraphiQL" },
  });
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
