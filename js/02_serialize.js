// OpenFn's state clone: `JSON.parse(safeStringify(x))`, where circular references become
// "[Circular]" (a value seen again on its own ancestor path), and everything else follows
// JSON.stringify (Date -> ISO string, Map/Set -> {}, functions/undefined dropped, NaN -> null).

const CIRCULAR = "[Circular]";

/** JSON.stringify that replaces circular references with "[Circular]" instead of throwing. */
export function safeStringify(value, replacer, space) {
  const restore = [];
  const markCircular = (node, ancestors) => {
    if (typeof node !== "object" || node === null) return;
    ancestors.push(node);
    const keys = Array.isArray(node) ? node.keys() : Object.keys(node);
    for (const key of keys) {
      let child;
      let desc;
      try {
        desc = Object.getOwnPropertyDescriptor(node, key);
        child = node[key];
      } catch {
        continue;
      }
      if (typeof child === "object" && child !== null && ancestors.includes(child)) {
        if (desc && desc.get !== undefined) {
          if (desc.configurable) {
            Object.defineProperty(node, key, { value: CIRCULAR, configurable: true });
            restore.push(() => Object.defineProperty(node, key, desc));
          }
        } else {
          node[key] = CIRCULAR;
          restore.push(() => { node[key] = child; });
        }
      } else {
        markCircular(child, ancestors);
      }
    }
    ancestors.pop();
  };
  try {
    markCircular(value, []);
    return JSON.stringify(value, replacer, space);
  } catch {
    return JSON.stringify("[unable to serialize, circular reference is too complex to analyze]");
  } finally {
    for (let i = restore.length - 1; i >= 0; i--) restore[i]();
  }
}

/** OpenFn's `clone`: a JSON round trip through safeStringify. */
export function clone(value) {
  const text = safeStringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}
