// What the masthead's connection line says about a view (the jobs list, or a job's) beside the
// socket's state: "Not loaded" when the view's data could not be read, "Not live" when its live
// updates failed, nothing while it is fine (connection-indicator.js). It also numbers the view's
// loads, since answers and stream events of an older load must not touch the one on show.

/** `onProblem(text)` hears what is wrong with the view ('Not loaded', 'Not live'), null once nothing is. */
export function createViewStatus(onProblem) {
  /** Bumped by every (re)load and close; callbacks of an older load ignore themselves. */
  let current = 0;
  /** The current load could not read the view: the failure says why, its streams say nothing more. */
  let failed = false;
  /** The current load's live updates failed: the view is not live, whatever the socket says. */
  let streamFailed = false;

  return {
    /** Starts a new load; returns its number. */
    begin() {
      failed = false;
      streamFailed = false;
      return ++current;
    },
    /** The number of the latest load. */
    get current() {
      return current;
    },
    isCurrent: (load) => load === current,
    /** Whether the stream events of `load` still count: not once it has failed. */
    hears: (load) => load === current && !failed,
    /** The load failed: its streams say nothing more. The masthead hears of it from `showNotLoaded`. */
    fail() {
      failed = true;
    },
    showNotLoaded() {
      onProblem('Not loaded');
    },
    showNotLive() {
      streamFailed = true;
      onProblem('Not live');
    },
    /** The load is shown: nothing is wrong, unless its live updates failed meanwhile. */
    showLoaded() {
      onProblem(streamFailed ? 'Not live' : null);
    },
    /** The view is closed: no load of it counts any more, and nothing is wrong with it. */
    end() {
      failed = false;
      streamFailed = false;
      current += 1;
      onProblem(null);
    },
  };
}
