/**
 * Where the Relais server is. The single-file script is loaded by a `<script src>` tag
 * from the Relais server itself, so the origin of that script is the server; a page can
 * always say otherwise with the `server` attribute. Read once, while the script runs
 * (document.currentScript is only set then).
 */
const scriptOrigin: string | null = (() => {
  try {
    const script = document.currentScript as HTMLScriptElement | null;
    return script?.src ? new URL(script.src).origin : null;
  } catch {
    return null;
  }
})();

export function defaultServer(): string {
  return scriptOrigin ?? window.location.origin;
}

/** The server a component should talk to: its attribute, else where the script came from. */
export function resolveServer(attribute: string | null | undefined): string {
  if (attribute) return new URL(attribute, window.location.href).origin;
  return defaultServer();
}
