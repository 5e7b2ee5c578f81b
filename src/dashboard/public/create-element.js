// Builds the page's elements: a tag, its properties, and its children (nodes or text).
export function createElement(tag, properties = {}, children = []) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}
