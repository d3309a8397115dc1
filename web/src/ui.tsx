import { useState, type ReactNode } from 'react';
import type { CombinedError } from 'urql';

/** Times in the viewer's own time zone. */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  const d = new Date(value);
  return <time dateTime={value} title={d.toISOString()}>{d.toLocaleString()}</time>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return <p className="state" role="status" aria-live="polite">{what}…</p>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function errorMessage(error: CombinedError | Error | undefined | null): string {
  if (!error) return '';
  const e = error as CombinedError;
  if (e.graphQLErrors?.length) return e.graphQLErrors.map((g) => g.message).join('; ');
  if (e.networkError) return e.networkError.message;
  return error.message;
}

export function ErrorBox({ error }: { error: CombinedError | Error | undefined | null }) {
  if (!error) return null;
  return <div className="error" role="alert">{errorMessage(error)}</div>;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="secondary"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setDone(true), () => setDone(false));
        setDone(true);
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** A value shown once, with a copy button. */
export function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div className="secret">
      <span className="secret-label">{label}</span>
      <code data-testid={`secret-${label.toLowerCase().replace(/\W+/g, '-')}`}>{value}</code>
      <CopyButton text={value} label={`Copy ${label}`} />
    </div>
  );
}

/** A destructive action that needs the user to type a word to confirm. */
export function TypedConfirm({ word, label, onConfirm, busy }: { word: string; label: string; onConfirm: () => void; busy?: boolean }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  if (!open) return <button type="button" className="danger" onClick={() => setOpen(true)}>{label}</button>;
  return (
    <span className="confirm">
      <label>
        Type <strong>{word}</strong> to confirm
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
      </label>
      <button type="button" className="danger" disabled={typed !== word || busy} onClick={onConfirm}>{label}</button>
      <button type="button" className="secondary" onClick={() => { setOpen(false); setTyped(''); }}>Cancel</button>
    </span>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'muted'; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export const IDP_NAMES: Record<string, string> = { ENTRA: 'Microsoft Entra ID', OKTA: 'Okta', JUMPCLOUD: 'JumpCloud', GENERIC: 'Other SCIM 2.0 client' };
