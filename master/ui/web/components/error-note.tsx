/** A failed load, said plainly, with a way to try again. */
export function ErrorNote({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="note error-note" role="alert">
      <span>Could not load this: {error.message}.</span>
      {retry ? (
        <button type="button" class="link-button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
