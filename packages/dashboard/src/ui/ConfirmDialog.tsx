import { useId, useState, type ReactNode, type SyntheticEvent } from "react";
import { Dialog } from "./Dialog.tsx";
import { ErrorMessage } from "./ErrorMessage.tsx";
import { Progress } from "./Progress.tsx";

/**
 * A confirmation for something that cannot be undone: the user types
 * `confirmText` (a textbox labelled "Type <confirmText> to confirm") before
 * the button (confirmLabel, "Delete" by default) is enabled. onConfirm's
 * failure is shown in words and the dialog stays open.
 */
export function ConfirmDialog(props: {
  title: string;
  description?: ReactNode;
  confirmText: string;
  confirmLabel?: string;
  busyLabel?: string;
  onConfirm: () => Promise<void> | void;
  onClose: () => void;
}): ReactNode {
  const inputId = useId();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const matches = typed.trim() === props.confirmText;

  async function confirm(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: SyntheticEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (matches && !busy) void confirm();
  }

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        {props.description === undefined ? null : <div className="dialog-body">{props.description}</div>}
        <div className="field">
          <label htmlFor={inputId}>Type {props.confirmText} to confirm</label>
          <input id={inputId} type="text" autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} />
        </div>
        <ErrorMessage error={error} />
        {busy ? <Progress label={props.busyLabel ?? "Working…"} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="button button-danger" disabled={!matches || busy}>{props.confirmLabel ?? "Delete"}</button>
        </div>
      </form>
    </Dialog>
  );
}
