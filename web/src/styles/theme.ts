import { css } from 'lit';

/**
 * Shared styles. Every colour, radius and font is a CSS custom property with a default,
 * so an intranet can match its own look from outside the shadow roots:
 *
 *   relais-app { --relais-primary: #6a1b9a; --relais-font: "Marianne", sans-serif; }
 *
 * Defaults meet WCAG AA contrast on the default background.
 */
export const theme = css`
  :host {
    --_primary: var(--relais-primary, #0a57a4);
    --_on-primary: var(--relais-on-primary, #ffffff);
    --_bg: var(--relais-background, #ffffff);
    --_surface: var(--relais-surface, #f3f5f8);
    --_text: var(--relais-text, #1a1f26);
    --_muted: var(--relais-muted, #4f5965);
    --_border: var(--relais-border, #76808c);
    --_divider: var(--relais-divider, #d5dae0);
    --_danger: var(--relais-danger, #b0241b);
    --_warning-bg: var(--relais-warning-background, #fff4d6);
    --_warning-text: var(--relais-warning-text, #5c4300);
    --_focus: var(--relais-focus, #b85400);
    --_radius: var(--relais-radius, 8px);
    font-family: var(--relais-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
    font-size: var(--relais-font-size, 16px);
    line-height: 1.4;
    color: var(--_text);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    cursor: pointer;
    min-height: 44px;
    border-radius: var(--_radius);
    border: 1px solid var(--_primary);
    background: var(--_bg);
    color: var(--_primary);
    padding: 0.5em 1em;
  }
  button.primary {
    background: var(--_primary);
    color: var(--_on-primary);
  }
  button.link {
    border: none;
    background: none;
    padding: 0.25em;
    min-height: 0;
    text-decoration: underline;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  input,
  textarea,
  select {
    font: inherit;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.55em 0.7em;
    min-height: 44px;
    width: 100%;
  }
  label {
    font-weight: 600;
  }
  .error {
    color: var(--_danger);
  }
  .muted {
    color: var(--_muted);
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
