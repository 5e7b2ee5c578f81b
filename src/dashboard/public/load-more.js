// "Load more jobs" under the jobs table: whether the list has a next page and where it starts, the
// button that reads it, and why the last try failed. The button shows only under a loaded list, and
// waits while a page loads or the live connection is down.
import { createLiveButton, isUnavailable } from './button-availability.js';

/**
 * `button` is "Load more"; `error` says why it failed. `onLoadMore()` runs on the button unless
 * that is unavailable.
 */
export function createLoadMore({ button, error }, { onLoadMore }) {
  let hasNextPage = false;
  let endCursor = null;
  /** Whether the list above it is loaded (not loading, nor failed). */
  let listed = false;
  const live = createLiveButton(button, { text: 'Load more jobs', busyText: 'Loading more jobs…' });

  button.addEventListener('click', () => {
    if (!isUnavailable(button)) onLoadMore();
  });

  function render() {
    live.setShown(hasNextPage && listed);
  }

  return {
    get hasNextPage() {
      return hasNextPage;
    },
    /** Where the next list page starts. */
    get endCursor() {
      return endCursor;
    },
    /** Whether the keyboard is on the button (the first new row then takes it). */
    get hasFocus() {
      return document.activeElement === button;
    },

    /** The list is read afresh: nothing to load more of until its first page is in. */
    reset() {
      listed = false;
      error.hidden = true;
      hasNextPage = false;
      render();
    },

    /** Whether the list above is loaded; a list that failed has no more to load. */
    setListed(value) {
      listed = value;
      render();
    },

    setPageInfo(pageInfo) {
      hasNextPage = pageInfo.hasNextPage;
      endCursor = pageInfo.endCursor;
      render();
    },

    setLoading(loading) {
      if (loading) error.hidden = true;
      live.setBusy(loading);
    },

    /** Why the last "Load more" failed; the button stays, to try again. */
    showFailure(text) {
      error.textContent = text;
      error.hidden = false;
    },

    /** Whether the live connection is up: "Load more" waits for it, as Stop does (Retry does not). */
    setOnline: (online) => live.setOnline(online),
  };
}
