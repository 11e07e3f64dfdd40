// A tiny element builder: h("td", {class: "n"}, "text", child). Text is never parsed as HTML.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c != null && c !== false).map(
    (c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Replace the children of `node` with `children`. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c != null && c !== false).map(
    (c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

export function options(select, table, { blank } = {}) {
  fill(select,
    blank !== undefined ? h("option", { value: "" }, blank) : null,
    Object.entries(table).map(([value, text]) => h("option", { value }, text)));
}
