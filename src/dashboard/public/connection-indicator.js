// The connection line in the masthead: a coloured dot (styled by `data-state`) and its text.
export function createConnectionIndicator({ element, text }) {
  return {
    /** `state` is one of the ws-client's states; `detail` is shown after "Offline". */
    show(state, detail) {
      element.dataset.state = state;
      text.textContent = {
        connecting: 'Connecting…',
        live: 'Live',
        reconnecting: 'Reconnecting…',
        offline: detail ? `Offline: ${detail}` : 'Offline',
      }[state];
    },
  };
}
