import { css } from 'lit';

/**
 * The frame of a full screen of the seed flow (new conversation, recipients, invitation):
 * a header row with the back arrow and the title, then a form. Each screen adds its own
 * spacing to `form`.
 */
export const screen = css`
  :host {
    display: block;
  }
  .top {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.5rem 1rem 0;
  }
  h2 {
    font-size: 1.15rem;
    margin: 0;
  }
  form {
    display: grid;
  }
`;

/** Chosen recipients as removable chips (recipient picker, new conversation). */
export const chips = css`
  .chip {
    display: inline-flex;
    align-items: center;
    background: var(--_surface);
    border: 1px solid var(--_divider);
    border-radius: 1.2em;
    padding: 0.1rem 0.2rem 0.1rem 0.7rem;
  }
  .chip.structure {
    font-weight: 700;
  }
  .chip button {
    border: none;
    background: none;
    min-height: 32px;
    width: 32px;
    padding: 0;
    color: var(--_muted);
  }
`;
