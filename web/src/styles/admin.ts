import { css } from 'lit';

/** The administration screens' lists: one card per decision, buttons wrapping on phones. */
export const adminStyles = css`
  :host {
    display: block;
  }
  h2 {
    font-size: 1.15rem;
    margin: 0 0 0.5rem;
  }
  h2:focus {
    outline: none;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
    border: 1px solid var(--_divider);
    border-radius: var(--_radius);
    padding: 0.75rem;
    margin-bottom: 0.75rem;
  }
  h3 {
    font-size: 1rem;
    margin: 0 0 0.25rem;
  }
  dl {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 0.1rem;
    margin: 0.25rem 0;
    font-size: 0.95rem;
  }
  dt {
    color: var(--_muted);
    font-size: 0.85rem;
  }
  dd {
    margin: 0 0 0.35rem;
    overflow-wrap: anywhere;
  }
  @media (min-width: 40rem) {
    dl {
      grid-template-columns: 11rem minmax(0, 1fr);
      gap: 0.2rem 0.75rem;
    }
    dd {
      margin: 0;
    }
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-top: 0.5rem;
  }
  .warning {
    background: var(--_warning-bg);
    color: var(--_warning-text);
    padding: 0.35rem 0.5rem;
    border-radius: var(--_radius);
    font-size: 0.9rem;
  }
  .notice {
    margin: 0.5rem 0;
  }
`;
