// The page's two views and their URLs: the jobs list (`?status=…&name=…`, see filters.js) and one
// job (`?job=<jobId>`, with the list's filters kept beside it so that "All jobs" and the browser's
// Back button return to the list as it was). A query parameter, not a path: the gateway serves the
// page at `/` only, and links keep working when the page is opened from a file or behind a prefix.
const JOB_PARAM = 'job';

/** `{ view: 'job', jobId }` or `{ view: 'list' }`, from the current URL. */
export function readRoute() {
  const jobId = new URLSearchParams(location.search).get(JOB_PARAM);
  return jobId ? { view: 'job', jobId } : { view: 'list' };
}

/** The URL of a job's view, carrying the list's current filters. */
export function jobHref(jobId) {
  const params = new URLSearchParams(location.search);
  params.delete(JOB_PARAM);
  params.set(JOB_PARAM, jobId);
  return `?${params}`;
}

/** The URL of the list with the filters it had when a job was opened. */
export function listHref() {
  const params = new URLSearchParams(location.search);
  params.delete(JOB_PARAM);
  const query = params.toString();
  return query ? `?${query}` : location.pathname;
}

/**
 * Follows clicks on same-page links marked `data-route` without reloading the page (the list
 * stays loaded and live behind a job's view), and Back/Forward: `onRoute(route, { back })` runs
 * after each change of URL. Clicks with a modifier key (new tab, new window) are left to the browser.
 */
export function bindRoutes(onRoute) {
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[data-route]') : null;
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(link.href);
  });
  window.addEventListener('popstate', () => onRoute(readRoute(), { back: true }));

  function navigate(href) {
    if (href !== location.href) history.pushState(null, '', href);
    onRoute(readRoute(), { back: false });
  }
  return { navigate };
}
