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
    return fetchOrSubscribe(withOperationOf(params), options);
  };

  // GraphiQL reads the operation's name from its editor 100 ms after each change, but sends the text as
  // it is when Run is pressed: pressed sooner, the previous document's name went with the new text
  // ("Unknown operation"). So the name is checked against the text sent: a name the text defines is
  // kept (GraphiQL's choice among several); otherwise the operation under the cursor runs, else the
  // first one, as GraphiQL itself would choose once it has read the text.
  function withOperationOf(params) {
    if (!params || typeof params.query !== "string") return params;
    var operations = operationsIn(params.query);
    if (operations.length === 0) return params;
    var names = operations.map(function (operation) { return operation.name; });
    if (params.operationName && names.indexOf(params.operationName) >= 0) return params;
    var cursor = cursorIndex();
    var chosen = operations[0];
    for (var i = 0; i < operations.length; i++) {
      if (operations.length > 1 && operations[i].start <= cursor && cursor <= operations[i].end) chosen = operations[i];
    }
    return Object.assign({}, params, { operationName: chosen.name });
  }

  function cursorIndex() {
    var element = document.querySelector(".graphiql-query-editor .CodeMirror");
    var editor = element && element.CodeMirror;
    return editor ? editor.indexFromPos(editor.getCursor()) : -1;
  }

  // The operations a document defines, with their names (null when anonymous) and where each starts
  // and ends: top-level definitions read past comments and strings; braces and parentheses counted.
  function operationsIn(text) {
    var operations = [];
    var depth = 0, parentheses = 0, current = null, i = 0;
    while (i < text.length) {
      var c = text[i];
      if (c === "#") {
        while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i++;
      } else if (text.startsWith('"""', i)) {
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
        i += 3;
      } else if (c === '"') {
        i++;
        while (i < text.length && text[i] !== '"' && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
        i++;
      } else if (/[_A-Za-z]/.test(c)) {
        var word = /^[_0-9A-Za-z]+/.exec(text.slice(i, i + 256))[0];
        if (depth === 0 && parentheses === 0) {
          if (!current && (word === "query" || word === "mutation" || word === "subscription")) {
            current = { operation: true, name: null, start: i, naming: true };
          } else if (!current && word === "fragment") {
            current = { operation: false, name: null, start: i, naming: false };
          } else if (current && current.naming) {
            current.name = word;
            current.naming = false;
          }
        }
        i += word.length;
      } else {
        if (c === "(") parentheses++;
        else if (c === ")") parentheses--;
        else if (parentheses === 0 && c === "{") {
          if (depth === 0 && !current) current = { operation: true, name: null, start: i };
          depth++;
        } else if (parentheses === 0 && c === "}") {
          depth--;
          if (depth === 0 && current) {
            if (current.operation) operations.push({ name: current.name, start: current.start, end: i + 1 });
            current = null;
          }
        }
        if (current && (c === "(" || c === "@" || c === "{")) current.naming = false;
        i++;
      }
    }
    return operations;
  }

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
