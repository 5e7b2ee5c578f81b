// The connection line in the masthead: a coloured dot (styled by `data-state`) and its text.
export function createConnectionIndicator({ element, text }) {
  return {
    /**
     * `state` is one of the ws-client's states, or 'idle' while nothing on the page needs a live
     * connection (a finished job's view); `detail` is shown after "Offline".
     */
    show(state, detail) {
      element.dataset.state = state;
      element.title = state === 'idle' ? 'Nothing shown here can change any more, so no live connection is open.' : '';
      text.textContent = {
        idle: 'Idle',
        connecting: 'Connecting…',
        live: 'Live',
        reconnecting: 'Reconnecting…',
        offline: detail ? `Offline: ${detail}` : 'Offline',
      }[state];
    },
  };
}
