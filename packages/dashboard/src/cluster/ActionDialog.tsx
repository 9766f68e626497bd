import { useState, type ReactNode } from "react";
import { Dialog } from "../ui/Dialog.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { Progress } from "../ui/Progress.tsx";

/**
 * A confirmation for an action that changes a cluster but needs no typed
 * name: says what will happen, runs `onConfirm`, closes when it worked and
 * shows the API's words when it did not.
 */
export function ActionDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}): ReactNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function confirm(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <div className="dialog-body">{props.children}</div>
      <ErrorMessage error={error} />
      {busy ? <Progress label="Working…" /> : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={props.onClose}>Cancel</button>
        <button type="button" className={`button ${props.danger === true ? "button-danger" : "button-primary"}`} disabled={busy} onClick={() => void confirm()}>{props.confirmLabel}</button>
      </div>
    </Dialog>
  );
}
