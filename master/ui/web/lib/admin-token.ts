// The admin token for rebuild and cancel: asked once, kept in this tab's sessionStorage only
// (gone when the tab closes, never sent anywhere but the action requests). The dialog that asks
// is a component (token-dialog.tsx); this module is the promise between it and the actions.
import { ApiError } from './api';

const KEY = 'gatehouse.adminToken';

export interface TokenPrompt {
  /** Shown above the field: what the token is for, or why the last one failed. */
  message: string;
  answer(token: string | null): void;
}

let promptListener: ((p: TokenPrompt | null) => void) | null = null;

export function onTokenPrompt(listener: (p: TokenPrompt | null) => void): () => void {
  promptListener = listener;
  return () => {
    if (promptListener === listener) promptListener = null;
  };
}

function ask(message: string): Promise<string | null> {
  return new Promise((resolve) => {
    if (!promptListener) return resolve(null);
    const listener = promptListener;
    listener({
      message,
      answer(token) {
        listener(null);
        resolve(token && token.trim() !== '' ? token.trim() : null);
      },
    });
  });
}

export const storedToken = () => sessionStorage.getItem(KEY);
export const forgetToken = () => sessionStorage.removeItem(KEY);

/**
 * Run an admin action with the stored token, asking for one first when there is none and again
 * when the master refuses it. Resolves to null when the user gives up.
 */
export async function withAdminToken<T>(what: string, action: (token: string) => Promise<T>): Promise<T | null> {
  let message = `${what} needs the admin token (http.adminToken in the master's config). It is kept in this tab only.`;
  for (;;) {
    const token = storedToken() ?? (await ask(message));
    if (token === null) return null;
    try {
      const result = await action(token);
      sessionStorage.setItem(KEY, token);
      return result;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      forgetToken();
      message = `The master refused that token: ${error.message}. Try again.`;
    }
  }
}
