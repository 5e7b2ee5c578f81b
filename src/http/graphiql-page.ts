// GraphiQL's HTML: Yoga's GraphiQL build from the installed package, all inline (no CDN, so it
// works offline), laid out as @graphql-yoga/render-graphiql lays it out, but started by a script
// of ours, because Yoga's renderer can only pass JSON options and reloading the schema once a key
// is typed needs two callbacks.
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * Starts GraphiQL with the options of #graphiql-options. GraphiQL loads the schema when the page
 * opens, with the Headers tab of that moment: with auth on, before any key is there; and it
 * never tries again by itself. So until a load has succeeded, an edit that leaves the headers a
 * JSON object other than the last one tried loads it again, once typing pauses (each failed
 * attempt counts against the client's rate limit), by GraphiQL's own Shift-Ctrl-R.
 */
const START_GRAPHIQL = `(function () {
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  var schemaLoaded = false;
  var tried = null;
  var timer;
  options.onSchemaChange = function () {
    schemaLoaded = true;
  };
  options.onEditHeaders = function (text) {
    clearTimeout(timer);
    if (schemaLoaded) return;
    timer = setTimeout(function () {
      var headers;
      try {
        headers = JSON.parse((text || '').trim() || '{}');
      } catch (notYet) {
        return;
      }
      if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return;
      var key = JSON.stringify(headers);
      if (schemaLoaded || key === tried) return;
      tried = key;
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'R', ctrlKey: true, shiftKey: true }));
    }, 400);
  };
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
})();`;

/** The whole page (about 9 MB: the bundle and Monaco's three workers inline). Loads the bundle's module on first call. */
export async function renderGraphiQLPage(options: GraphiQLOptions): Promise<string> {
  const { css, js, favicon, editorWorkerService, jsonWorker, graphqlWorker } = await import('@graphql-yoga/render-graphiql/graphiql');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${escapeHtml(options.favicon ?? favicon)}" />
    <style>
      ${css}
    </style>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${scriptJson(options)}</script>
    <script>
      // Monaco's workers run from blobs of the page's own text.
      function prepareBlob(workerContent) {
        return URL.createObjectURL(new Blob([workerContent], { type: 'application/javascript' }));
      }
      const workers = {
        editorWorkerService: prepareBlob(${scriptJson(editorWorkerService)}),
        json: prepareBlob(${scriptJson(jsonWorker)}),
        graphql: prepareBlob(${scriptJson(graphqlWorker)}),
      };
      self['MonacoEnvironment'] = {
        globalAPI: false,
        getWorkerUrl: function (moduleId, label) {
          return workers[label];
        },
      };
      ${js};
    </script>
    <script>
${START_GRAPHIQL}
    </script>
  </body>
</html>
`;
}

/** JSON that cannot end the <script> it is in (`</script>` inside a string). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
