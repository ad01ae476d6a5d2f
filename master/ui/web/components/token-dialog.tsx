// The dialog that asks for the admin token (see lib/admin-token.ts). A native modal <dialog>:
// focus moves into it, Escape cancels, and focus returns to the button that opened it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { onTokenPrompt, type TokenPrompt } from '../lib/admin-token';

export function TokenDialog() {
  const [prompt, setPrompt] = useState<TokenPrompt | null>(null);
  const [value, setValue] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => onTokenPrompt(setPrompt), []);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (prompt && !d.open) {
      setValue('');
      d.showModal();
    } else if (!prompt && d.open) d.close();
  }, [prompt]);

  return (
    <dialog ref={dialog} class="token-dialog" aria-labelledby="token-title" onCancel={() => prompt?.answer(null)}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          prompt?.answer(value);
        }}
      >
        <h2 id="token-title">Admin token</h2>
        <p id="token-help">{prompt?.message}</p>
        <label>
          Token
          <input
            type="password"
            name="token"
            autoComplete="off"
            spellcheck={false}
            required
            autoFocus
            aria-describedby="token-help"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </label>
        <div class="dialog-buttons">
          <button type="button" onClick={() => prompt?.answer(null)}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Continue
          </button>
        </div>
      </form>
    </dialog>
  );
}
