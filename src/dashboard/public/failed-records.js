// "Failed records" of a job's view: a table of the records that carry an error, with their
// messages, paged with `records(filter: { errorsOnly: true }, first, after)` and "Load more".
import { createLiveButton, isUnavailable } from './button-availability.js';
import { createElement } from './create-element.js';
import { formatCount } from './format.js';
import { describeProblem } from './gateway-error.js';

/** `fetchPage(after)` resolves to the next connection of failed records, or throws a GatewayError. */
export function createFailedRecords({ panel, table, caption, body, empty, error, more, announce }, { fetchPage }) {
  let endCursor = null;
  let hasNextPage = false;
  /** The manifest's errorRecordCount, when there is one. */
  let total = null;
  /** Bumped by every reset; a page that arrives for an older list is dropped. */
  let generation = 0;
  const moreButton = createLiveButton(more);

  function updateCaption() {
    const shown = body.rows.length;
    caption.textContent =
      total !== null
        ? `${formatCount(shown)} of ${formatCount(total)} failed records`
        : `${formatCount(shown)} failed records${hasNextPage ? ' (more below)' : ''}`;
  }

  function addPage(connection) {
    const rows = connection.nodes.map(recordRow);
    body.append(...rows);
    hasNextPage = connection.pageInfo.hasNextPage;
    endCursor = connection.pageInfo.endCursor;
    table.hidden = body.rows.length === 0;
    // A filtered page may stop at the gateway's scan limit before it finds any record.
    empty.textContent = hasNextPage ? 'No failed record in the part of the output read so far.' : 'No record failed.';
    empty.hidden = body.rows.length > 0;
    more.hidden = !hasNextPage;
    updateCaption();
    return rows;
  }

  function showError(problem, what) {
    error.textContent = describeProblem(problem, what);
    error.hidden = false;
  }

  return {
    /** Empties the table; `errorRecordCount` is the total to show beside the rows. */
    reset(errorRecordCount) {
      generation += 1;
      body.replaceChildren();
      total = errorRecordCount ?? null;
      hasNextPage = false;
      endCursor = null;
      for (const element of [table, empty, error, more]) element.hidden = true;
      moreButton.setBusy(false);
      panel.hidden = false;
    },

    /** Hides the section, e.g. while the job runs and has no output yet. */
    hide() {
      generation += 1;
      panel.hidden = true;
    },

    /** The first page, as the view's query brought it, or why there is none. */
    showFirstPage(connection, problem) {
      if (problem) return showError(problem, 'The failed records could not be read');
      addPage(connection);
    },

    async loadMore() {
      if (isUnavailable(more)) return;
      const started = generation;
      const hadFocus = document.activeElement === more;
      moreButton.setBusy(true);
      error.hidden = true;
      try {
        const connection = await fetchPage(endCursor);
        if (started !== generation) return;
        const rows = addPage(connection);
        announce(`${formatCount(rows.length)} more failed records. ${caption.textContent}.`);
        // The keyboard goes on at the first new record when the button is gone.
        if (hadFocus && more.hidden && rows[0]) rows[0].cells[0].focus();
      } catch (problem) {
        if (started === generation) showError(problem, 'More failed records could not be read');
      } finally {
        if (started === generation) moreButton.setBusy(false);
      }
    },

    /** Whether the live connection is up: "Load more" waits for it. */
    setOnline: (online) => moreButton.setOnline(online),
  };
}

function recordRow(record) {
  const file = record.file ? record.file.slice(record.file.lastIndexOf('/') + 1) : '';
  const header = createElement('th', { scope: 'row', tabIndex: -1 }, [
    createElement('code', { className: 'record-id', textContent: record.recordId }),
  ]);
  if (file) header.append(createElement('span', { className: 'record-file', textContent: file, title: record.file }));
  const code = record.error?.errorCode;
  const message = createElement('td', { className: 'record-error' });
  if (code !== null && code !== undefined) message.append(createElement('span', { className: 'record-code', textContent: String(code) }), ' ');
  message.append(record.error?.errorMessage ?? '');
  return createElement('tr', {}, [header, message]);
}
