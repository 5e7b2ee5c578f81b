// The status and name filters: kept in the page's URL (so a view can be bookmarked), read from the
// filter form, matched against jobs, sent to the gateway and described in the table's caption.
// A filter value is `{ status, name }`, '' meaning "any".
import { STATUS_LABELS } from './jobs.js';

/** The name field filters once typing pauses this long. */
const NAME_INPUT_PAUSE_MS = 300;

export function readFiltersFromUrl() {
  const params = new URLSearchParams(location.search);
  const status = params.get('status') ?? '';
  return { status: status in STATUS_LABELS ? status : '', name: params.get('name') ?? '' };
}

export function writeFiltersToUrl(filters) {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.name) params.set('name', filters.name);
  const query = params.toString();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}

export function matchesFilters(filters, job) {
  return (
    (!filters.status || job.status === filters.status) &&
    (!filters.name || (job.jobName ?? '').includes(filters.name))
  );
}

/** The query's filter; the account-wide stream gets no status filter, so it also sees rows leave it. */
export function gatewayFilter(filters, withStatus) {
  const filter = {};
  if (withStatus && filters.status) filter.statusEquals = filters.status;
  if (filters.name) filter.nameContains = filters.name;
  return Object.keys(filter).length > 0 ? filter : null;
}

/** The filters in words, one entry each; empty when there are none. */
export function describeFilters(filters) {
  return [
    filters.status && `status ${STATUS_LABELS[filters.status]}`,
    filters.name && `name contains “${filters.name}”`,
  ].filter(Boolean);
}

export function sameFilters(a, b) {
  return a.status === b.status && a.name === b.name;
}

/** Shows `filters` in the form's fields. */
export function showFiltersInForm({ status, name }, filters) {
  status.value = filters.status;
  name.value = filters.name;
}

/** Shows `filters` in the form, then calls `onChange(filters)` with the form's values as they change. */
export function bindFilterForm({ form, status, name }, filters, onChange) {
  showFiltersInForm({ status, name }, filters);
  // Bedrock refuses a name filter that no job name could contain (a space, say): say so here.
  const change = () => {
    if (!name.checkValidity()) return name.reportValidity();
    onChange({ status: status.value, name: name.value.trim() });
  };
  let nameTimer;
  status.addEventListener('change', change);
  name.addEventListener('input', () => {
    clearTimeout(nameTimer);
    nameTimer = setTimeout(change, NAME_INPUT_PAUSE_MS);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(nameTimer);
    change();
  });
}
