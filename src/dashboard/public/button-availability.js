// Buttons that cannot act for a while (a request in flight, the connection down) are marked
// `aria-disabled` instead of `disabled`: a disabled button drops the keyboard focus to <body>,
// while this one keeps it, is announced as unavailable, and works again where the user left off.
// Their click and submit handlers ask `isUnavailable` first.

/** Marks `button` unavailable (or available again); `reason` becomes its tooltip while it is. */
export function setUnavailable(button, unavailable, reason = '') {
  button.setAttribute('aria-disabled', String(unavailable));
  button.title = unavailable ? reason : '';
}

export function isUnavailable(button) {
  return button.getAttribute('aria-disabled') === 'true';
}

/** The tooltip of an action that waits for the live connection. */
export const OFFLINE_REASON = 'Not connected to the gateway: available again once the connection is back.';

/**
 * A button whose action needs the live connection: unavailable while the connection is down
 * (its tooltip says why) and while the action runs, when `busyText`, if given, replaces `text`.
 */
export function createLiveButton(button, { text, busyText } = {}) {
  let busy = false;
  let online = false;

  function render() {
    setUnavailable(button, busy || !online, busy ? '' : OFFLINE_REASON);
    if (busyText) button.textContent = busy ? busyText : text;
  }

  return {
    setBusy(value) {
      busy = value;
      render();
    },
    setOnline(value) {
      online = value;
      render();
    },
    /** Shows (or hides) the button, drawn as the action's state now is. */
    setShown(shown) {
      button.hidden = !shown;
      render();
    },
  };
}
