/**
 * `@element('relais-app')`: defines the custom element unless the page already has it, so
 * that a page including relais.js twice (two widgets, or the script and the ES module) does
 * not break with "the name has already been used with this registry".
 */
export function element(tag: string) {
  return (elementClass: CustomElementConstructor): void => {
    if (!customElements.get(tag)) customElements.define(tag, elementClass);
  };
}
