import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { authMethods } from '../session/psc';

/**
 * Whether the host's server offers Pro Santé Connect (`GET /api/auth/methods`, asked once
 * per server and page). `psc` stays false until the server says otherwise, and when it
 * cannot be asked: the sign-in then shows the password form only, with no trace of PSC.
 */
export class AuthMethodsController implements ReactiveController {
  psc = false;
  #server: string | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getServer: () => string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#check();
  }

  hostUpdate(): void {
    this.#check();
  }

  #check(): void {
    const server = this.getServer();
    if (server === this.#server) return;
    this.#server = server;
    this.psc = false;
    void authMethods(server).then((methods) => {
      if (this.#server !== server || methods.psc === this.psc) return;
      this.psc = methods.psc;
      this.host.requestUpdate();
    });
  }
}
