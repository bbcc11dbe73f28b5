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
