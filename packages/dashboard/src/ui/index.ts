// The shared components, re-exported for short imports.
export { Badge, PhaseBadge, phaseTone, type Tone } from "./Badge.tsx";
export { ConfirmDialog } from "./ConfirmDialog.tsx";
export { Dialog } from "./Dialog.tsx";
export { ErrorMessage } from "./ErrorMessage.tsx";
export { Field, type FieldControlProps } from "./Field.tsx";
export { Progress } from "./Progress.tsx";
export { useDocumentTitle } from "./useDocumentTitle.ts";
export { daysUntil, formatDateTime, relativeTime } from "./format.ts";
