import { css } from 'lit';

/** What the attachment elements share: the "non analysé" badge and file names. */
export const attachmentStyles = css`
  .badge {
    display: inline-block;
    font-size: 0.75rem;
    font-weight: 600;
    padding: 0 0.4em;
    border-radius: 0.6em;
    background: var(--_warning-bg);
    color: var(--_warning-text);
    border: 1px solid currentColor;
    white-space: nowrap;
  }
  .name {
    overflow-wrap: anywhere;
    font-weight: 600;
  }
  .size {
    color: var(--_muted);
    font-size: 0.85rem;
    white-space: nowrap;
  }
`;
