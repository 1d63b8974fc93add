// OpenFn's state clone: `JSON.parse(safeStringify(x))`, where circular references become
// "[Circular]" (a value seen again on its own ancestor path), and everything else follows
// JSON.stringify (Date -> ISO string, Map/Set -> {}, functions/undefined dropped, NaN -> null).

const CIRCULAR = "[Circular]";

/** Replaces every reference to an object on its own ancestor path by "[Circular]", depth
 * first in key order; returns the undo steps. Iterative, with the path kept as a set: a deeply
 * nested state (100,000 levels) neither overflows the stack nor costs depth-squared time. */
function markCircular(root, restore) {
  if (typeof root !== "object" || root === null) return;
  const onPath = new Set([root]);
  const frames = [{ node: root, keys: childKeys(root), i: 0 }];
  while (frames.length) {
    const frame = frames[frames.length - 1];
    if (frame.i >= frame.keys.length) {
      onPath.delete(frame.node);
      frames.pop();
      continue;
    }
    const { node } = frame;
    const key = frame.keys[frame.i++];
    let child;
    try {
      child = node[key];
    } catch {
      continue;
    }
    if (typeof child !== "object" || child === null) continue;
    if (onPath.has(child)) {
      let desc;
      try {
        desc = Object.getOwnPropertyDescriptor(node, key);
      } catch {
        continue;
      }
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
      onPath.add(child);
      frames.push({ node: child, keys: childKeys(child), i: 0 });
    }
  }
}

function childKeys(node) {
  return Array.isArray(node) ? [...node.keys()] : Object.keys(node);
}

/** JSON.stringify that replaces circular references with "[Circular]" instead of throwing.
 * As fast-safe-stringify (OpenFn's), an error of JSON.stringify itself gives a placeholder
 * string for a TypeError (circular structures, BigInts); any other failure (running out of
 * stack on a very deep value) is thrown: a state must never be silently replaced. */
export function safeStringify(value, replacer, space) {
  // Most states hold no cycle: then JSON.stringify alone gives the same text, without walking
  // the value first. A cycle (or a BigInt) makes it throw a TypeError: then the walk below.
  try {
    return JSON.stringify(value, replacer, space);
  } catch (e) {
    if (e?.name !== "TypeError") throw e;
  }
  const restore = [];
  try {
    markCircular(value, restore);
    try {
      return JSON.stringify(value, replacer, space);
    } catch (e) {
      // circular structures and BigInts fail with a TypeError; anything else (running out of
      // stack on a deep value) must surface, not replace the state
      if (e?.name !== "TypeError") throw e;
      return JSON.stringify("[unable to serialize, circular reference is too complex to analyze]");
    }
  } finally {
    for (let i = restore.length - 1; i >= 0; i--) restore[i]();
  }
}

/** OpenFn's `clone`: a JSON round trip through safeStringify. */
export function clone(value) {
  const text = safeStringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}
