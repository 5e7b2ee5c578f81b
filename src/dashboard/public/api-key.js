// The API key the page sends as `x-api-key` (HTTP header and connection_init payload): kept in this
// browser's localStorage, and entered or forgotten in the "API key" panel.
const API_KEY_STORAGE = 'bedrock-jobs-dashboard:api-key';

/** The stored key; '' when there is none or this browser does not allow storage. */
export function readApiKey() {
  try {
    return localStorage.getItem(API_KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

/** Stores `value` ('' forgets the key); false when this browser does not allow storing it. */
export function writeApiKey(value) {
  try {
    if (value) localStorage.setItem(API_KEY_STORAGE, value);
    else localStorage.removeItem(API_KEY_STORAGE);
    return true;
  } catch {
    return false;
  }
}

/** Wires the panel's form: `onSave(key)` gets the typed key on Save, and '' on Forget. */
export function createApiKeyPanel({ panel, form, input, state, forget }, { onSave }) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onSave(input.value.trim());
  });
  forget.addEventListener('click', () => onSave(''));
  return {
    /** Shows whether a key is stored, and puts it in the field. */
    render() {
      const apiKey = readApiKey();
      state.textContent = apiKey ? 'set' : 'none';
      input.value = apiKey;
    },
    /** Opens the panel with the field focused, for when the gateway asked for a key. */
    open() {
      panel.open = true;
      input.focus();
    },
  };
}
