/**
 * What the serializer (serialize.ts) and the selector engine (select.ts) read of a lite-DOM node. The classes in
 * lite-dom.ts satisfy these shapes and call those two modules; with the shapes here, neither module imports the
 * classes back, so the three form no import cycle.
 */
export interface NodeShape {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly parentNode: NodeShape | null;
  readonly nextSibling: NodeShape | null;
  readonly firstChild: NodeShape | null;
  readonly textContent: string | null;
}

export interface ElementShape extends NodeShape {
  readonly tagName: string;
  readonly localName: string;
  readonly namespaceURI: string;
  readonly attributes: readonly { readonly name: string; readonly value: string }[];
  readonly parentElement: ElementShape | null;
  readonly nextElementSibling: ElementShape | null;
  readonly previousElementSibling: ElementShape | null;
  getAttribute(name: string): string | null;
}
