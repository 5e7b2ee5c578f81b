// GraphiQL's HTML: Yoga's GraphiQL build from the installed package, all inline (no CDN, so it
// works offline), laid out as @graphql-yoga/render-graphiql lays it out, but started by a script
// of ours, because Yoga's renderer can only pass JSON options and reloading the schema once a key
// is typed needs two callbacks. Its scripts run under a Content-Security-Policy that allows these
// inline scripts by their hashes and nothing else.
import { createHash } from 'node:crypto';
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

export interface GraphiQLPage {
  /** The whole page (about 9 MB: the bundle and Monaco's three workers inline). */
  html: string;
  /** The page's Content-Security-Policy: its own inline scripts, by hash, and nothing else of the kind. */
  contentSecurityPolicy: string;
}

/** Renders the page and its policy. Loads the bundle's module on first call. */
export async function renderGraphiQLPage(options: GraphiQLOptions): Promise<GraphiQLPage> {
  const { css, js, favicon, editorWorkerService, jsonWorker, graphqlWorker } = await import('@graphql-yoga/render-graphiql/graphiql');
  const bundleScript = inlineScript(`
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
    `);
  const startScript = inlineScript(`
${START_GRAPHIQL}
    `);
  const html = `<!doctype html>
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
    <script>${bundleScript}</script>
    <script>${startScript}</script>
  </body>
</html>
`;
  return { html, contentSecurityPolicy: contentSecurityPolicy([bundleScript, startScript]) };
}

/**
 * A script's text as the browser will hash it: the HTML parser turns every CR and CRLF into LF
 * before a script sees its text (so this changes nothing for the script), and the hash is of the
 * text after that.
 */
function inlineScript(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * The page's policy, found by running GraphiQL under it with every violation watched
 * (graphiql-browser.test.ts): what is listed is what the page uses, nothing more. No
 * 'unsafe-eval': neither the bundle nor Monaco's workers need it.
 */
function contentSecurityPolicy(scripts: readonly string[]): string {
  const hashes = scripts.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  return [
    "default-src 'none'",
    // Only these scripts (the options' JSON block is data, never run, so needs no hash).
    `script-src ${hashes.join(' ')}`,
    // Monaco's workers, started from blobs of the page's own text (they inherit this policy).
    'worker-src blob:',
    // The schema's introspection, operations, and subscriptions over SSE: this origin only.
    "connect-src 'self'",
    // Monaco and GraphiQL add <style> elements and style attributes as they run, which no hash
    // can name (a hash would also turn 'unsafe-inline' off). Styles run no script, and can load
    // nothing but data: fonts and images.
    "style-src 'unsafe-inline'",
    // The stylesheet's fonts, its icons and the favicon are data: URLs inside the page.
    'font-src data:',
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** JSON that cannot end the <script> it is in (`</script>` inside a string). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
