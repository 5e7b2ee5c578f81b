// The connection line in the masthead: a coloured dot (styled by `data-state`) and its text. It
// says "Live" only when the view on show is: a view whose data failed to load, or whose live
// updates stopped, has a problem that overrides a connected socket's green.
export function createConnectionIndicator({ element, text }) {
  let state = 'connecting';
  let detail = '';
  let problem = null;

  function render() {
    // An offline or reconnecting socket says more than the view's problem (which it often causes).
    const shown = problem && (state === 'live' || state === 'idle' || state === 'connecting') ? 'problem' : state;
    element.dataset.state = shown;
    element.title =
      shown === 'problem'
        ? 'What this view shows is not kept up to date: see the message on the page.'
        : state === 'idle'
          ? 'Nothing shown here can change any more, so no live connection is open.'
          : '';
    text.textContent = {
      idle: 'Idle',
      connecting: 'Connecting…',
      live: 'Live',
      reconnecting: 'Reconnecting…',
      offline: detail ? `Offline: ${detail}` : 'Offline',
      problem,
    }[shown];
  }

  return {
    /**
     * `state` is one of the ws-client's states, or 'idle' while nothing on the page needs a live
     * connection (a finished job's view); `detail` is shown after "Offline".
     */
    show(next, nextDetail = '') {
      state = next;
      detail = nextDetail;
      render();
    },
    /** What is wrong with the view on show (e.g. 'Not loaded', 'Not live'); null when nothing is. */
    setProblem(text) {
      problem = text;
      render();
    },
  };
}
