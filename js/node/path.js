// node:path (posix, the default, and win32). The working directory is fnhost's "/".
import { validateObject, validateString } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

const cwd = () => {
  const p = globalThis.process;
  return typeof p?.cwd === "function" ? p.cwd() : "/";
};

/** Resolves `.` and `..` segments of `path` (split on `isSep`), joined with `sep`. */
function normalizeSegments(path, allowAboveRoot, sep, isSep) {
  const out = [];
  let seg = "";
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && !isSep(path[i])) {
      seg += path[i];
      continue;
    }
    if (seg === "" || seg === ".") {
      // skip
    } else if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (allowAboveRoot) out.push("..");
    } else {
      out.push(seg);
    }
    seg = "";
  }
  return out.join(sep);
}

const isPosixSep = (c) => c === "/";
const isWinSep = (c) => c === "/" || c === "\\";
const isLetter = (c) => /^[a-zA-Z]$/.test(c);

function strictBasename(path, ext, isSep, start) {
  let end = path.length;
  while (end > start && isSep(path[end - 1])) end--;
  let begin = end;
  while (begin > start && !isSep(path[begin - 1])) begin--;
  const base = path.slice(begin, end);
  if (ext !== undefined && ext.length > 0 && base.endsWith(ext)) {
    // a base equal to the suffix is kept only when a separator precedes or follows it
    if (base === ext) return begin > start || end < path.length ? base : "";
    return base.slice(0, base.length - ext.length);
  }
  return base;
}

function extnameOf(base) {
  const dot = base.lastIndexOf(".");
  if (dot <= 0 || base === "..") return "";
  return base.slice(dot);
}

function formatPath(sep, pathObject) {
  validateObject(pathObject, "pathObject");
  const dir = pathObject.dir || pathObject.root;
  let base = pathObject.base;
  if (!base) {
    const ext = pathObject.ext ? (pathObject.ext[0] === "." ? pathObject.ext : `.${pathObject.ext}`) : "";
    base = `${pathObject.name || ""}${ext}`;
  }
  if (!dir) return base;
  return dir === pathObject.root ? `${dir}${base}` : `${dir}${sep}${base}`;
}

// ---------------------------------------------------------------------------------------------
// posix

const posix = {
  sep: "/",
  delimiter: ":",
  resolve(...args) {
    let resolved = "";
    let absolute = false;
    for (let i = args.length - 1; i >= -1 && !absolute; i--) {
      const path = i >= 0 ? args[i] : cwd();
      validateString(path, `paths[${i}]`);
      if (path.length === 0) continue;
      resolved = `${path}/${resolved}`;
      absolute = path[0] === "/";
    }
    resolved = normalizeSegments(resolved, !absolute, "/", isPosixSep);
    if (absolute) return `/${resolved}`;
    return resolved.length > 0 ? resolved : ".";
  },
  normalize(path) {
    validateString(path, "path");
    if (path.length === 0) return ".";
    const absolute = path[0] === "/";
    const trailing = path[path.length - 1] === "/";
    let out = normalizeSegments(path, !absolute, "/", isPosixSep);
    if (out.length === 0) {
      if (absolute) return "/";
      return trailing ? "./" : ".";
    }
    if (trailing) out += "/";
    return absolute ? `/${out}` : out;
  },
  isAbsolute(path) {
    validateString(path, "path");
    return path.length > 0 && path[0] === "/";
  },
  join(...args) {
    if (args.length === 0) return ".";
    const parts = [];
    for (const arg of args) {
      validateString(arg, "path");
      if (arg.length > 0) parts.push(arg);
    }
    if (parts.length === 0) return ".";
    return posix.normalize(parts.join("/"));
  },
  relative(from, to) {
    validateString(from, "from");
    validateString(to, "to");
    if (from === to) return "";
    from = posix.resolve(from);
    to = posix.resolve(to);
    if (from === to) return "";
    const f = from.split("/").filter(Boolean);
    const t = to.split("/").filter(Boolean);
    let i = 0;
    while (i < f.length && i < t.length && f[i] === t[i]) i++;
    return [...f.slice(i).map(() => ".."), ...t.slice(i)].join("/");
  },
  toNamespacedPath(path) {
    return path;
  },
  dirname(path) {
    validateString(path, "path");
    if (path.length === 0) return ".";
    const hasRoot = path[0] === "/";
    let end = -1;
    let matchedSlash = true;
    for (let i = path.length - 1; i >= 1; --i) {
      if (path[i] === "/") {
        if (!matchedSlash) {
          end = i;
          break;
        }
      } else {
        matchedSlash = false;
      }
    }
    if (end === -1) return hasRoot ? "/" : ".";
    if (hasRoot && end === 1) return "//";
    return path.slice(0, end);
  },
  basename(path, suffix) {
    if (suffix !== undefined) validateString(suffix, "suffix");
    validateString(path, "path");
    return strictBasename(path, suffix, isPosixSep, 0);
  },
  extname(path) {
    validateString(path, "path");
    return extnameOf(strictBasename(path, undefined, isPosixSep, 0));
  },
  format(pathObject) {
    return formatPath("/", pathObject);
  },
  parse(path) {
    validateString(path, "path");
    const ret = { root: "", dir: "", base: "", ext: "", name: "" };
    if (path.length === 0) return ret;
    const absolute = path[0] === "/";
    if (absolute) ret.root = "/";
    const base = strictBasename(path, undefined, isPosixSep, 0);
    if (base === "") {
      ret.dir = absolute ? "/" : "";
      return ret;
    }
    ret.base = base;
    ret.ext = absolute && base === ".." ? "." : extnameOf(base);
    ret.name = ret.ext ? base.slice(0, base.length - ret.ext.length) : base;
    let end = path.length;
    while (end > 1 && path[end - 1] === "/") end--;
    const dirEnd = end - base.length;
    let dir = path.slice(0, dirEnd);
    if (dir.length > 1) dir = dir.slice(0, -1);
    ret.dir = dir === "" ? "" : dir;
    if (dir === "" && absolute) ret.dir = "/";
    return ret;
  },
  matchesGlob(path, pattern) {
    return globToRegExp(pattern).test(path);
  },
};

function globToRegExp(pattern) {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        re += ".*";
        i++;
        if (pattern[i + 1] === "/") i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

// ---------------------------------------------------------------------------------------------
// win32

/** Splits a Windows path into its root (device and leading separator) and the rest. */
function winRoot(path) {
  const len = path.length;
  let device = "";
  let rootEnd = 0;
  let absolute = false;
  if (len === 0) return { device, rootEnd, absolute };
  if (isWinSep(path[0])) {
    absolute = true;
    rootEnd = 1;
    if (len > 1 && isWinSep(path[1])) {
      // UNC: \\server\share
      let j = 2;
      let last = j;
      while (j < len && !isWinSep(path[j])) j++;
      if (j < len && j !== last) {
        const server = path.slice(last, j);
        while (j < len && isWinSep(path[j])) j++;
        if (j < len && j !== last) {
          last = j;
          while (j < len && !isWinSep(path[j])) j++;
          if (j === len || j !== last) {
            const share = path.slice(last, j);
            device = `\\\\${server}\\${share}`;
            rootEnd = j < len ? j + 1 : j;
          }
        }
      }
    }
  } else if (len > 1 && isLetter(path[0]) && path[1] === ":") {
    device = path.slice(0, 2);
    rootEnd = 2;
    if (len > 2 && isWinSep(path[2])) {
      absolute = true;
      rootEnd = 3;
    }
  }
  return { device, rootEnd, absolute };
}

const win32 = {
  sep: "\\",
  delimiter: ";",
  resolve(...args) {
    let resolvedDevice = "";
    let resolvedTail = "";
    let resolvedAbsolute = false;
    for (let i = args.length - 1; i >= -1; i--) {
      let path;
      if (i >= 0) {
        path = args[i];
        validateString(path, `paths[${i}]`);
        if (path.length === 0) continue;
      } else if (resolvedDevice.length === 0) {
        path = cwd();
      } else {
        path = cwd();
        if (path.slice(0, 2).toLowerCase() !== resolvedDevice.toLowerCase() && path[2] === "\\") path = `${resolvedDevice}\\`;
      }
      const { device, rootEnd, absolute } = winRoot(path);
      if (device.length > 0) {
        if (resolvedDevice.length > 0) {
          if (device.toLowerCase() !== resolvedDevice.toLowerCase()) continue;
        } else {
          resolvedDevice = device;
        }
      }
      if (resolvedAbsolute) {
        if (resolvedDevice.length > 0) break;
      } else {
        resolvedTail = `${path.slice(rootEnd)}\\${resolvedTail}`;
        resolvedAbsolute = absolute;
        if (absolute && resolvedDevice.length > 0) break;
      }
    }
    resolvedTail = normalizeSegments(resolvedTail, !resolvedAbsolute, "\\", isWinSep);
    return resolvedAbsolute ? `${resolvedDevice}\\${resolvedTail}` : `${resolvedDevice}${resolvedTail}` || ".";
  },
  normalize(path) {
    validateString(path, "path");
    const len = path.length;
    if (len === 0) return ".";
    const { device, rootEnd, absolute } = winRoot(path);
    if (rootEnd === 1 && len === 1) return "\\";
    let tail = rootEnd < len ? normalizeSegments(path.slice(rootEnd), !absolute, "\\", isWinSep) : "";
    if (tail.length === 0 && !absolute) tail = ".";
    if (tail.length > 0 && isWinSep(path[len - 1])) tail += "\\";
    if (device === "") return absolute ? `\\${tail}` : tail;
    return absolute ? `${device}\\${tail}` : `${device}${tail}`;
  },
  isAbsolute(path) {
    validateString(path, "path");
    const len = path.length;
    if (len === 0) return false;
    return isWinSep(path[0]) || (len > 2 && isLetter(path[0]) && path[1] === ":" && isWinSep(path[2]));
  },
  join(...args) {
    if (args.length === 0) return ".";
    let joined;
    let firstPart;
    for (const arg of args) {
      validateString(arg, "path");
      if (arg.length > 0) {
        if (joined === undefined) joined = firstPart = arg;
        else joined += `\\${arg}`;
      }
    }
    if (joined === undefined) return ".";
    // keep a UNC root only when the first part starts with exactly two separators
    let needsReplace = true;
    let slashCount = 0;
    if (isWinSep(firstPart[0])) {
      ++slashCount;
      const firstLen = firstPart.length;
      if (firstLen > 1 && isWinSep(firstPart[1])) {
        ++slashCount;
        if (firstLen > 2) {
          if (isWinSep(firstPart[2])) ++slashCount;
          else needsReplace = false;
        }
      }
    }
    if (needsReplace) {
      while (slashCount < joined.length && isWinSep(joined[slashCount])) slashCount++;
      if (slashCount >= 2) joined = `\\${joined.slice(slashCount)}`;
    }
    return win32.normalize(joined);
  },
  relative(from, to) {
    validateString(from, "from");
    validateString(to, "to");
    if (from === to) return "";
    const fromOrig = win32.resolve(from);
    const toOrig = win32.resolve(to);
    if (fromOrig === toOrig) return "";
    const f = fromOrig.split("\\").filter(Boolean);
    const t = toOrig.split("\\").filter(Boolean);
    if (f[0]?.toLowerCase() !== t[0]?.toLowerCase()) return toOrig;
    let i = 0;
    while (i < f.length && i < t.length && f[i].toLowerCase() === t[i].toLowerCase()) i++;
    return [...f.slice(i).map(() => ".."), ...t.slice(i)].join("\\");
  },
  toNamespacedPath(path) {
    if (typeof path !== "string" || path.length === 0) return path;
    const resolved = win32.resolve(path);
    if (resolved.length <= 2) return path;
    if (resolved[0] === "\\" && resolved[1] === "\\") {
      if (resolved[2] !== "?" && resolved[2] !== ".") return `\\\\?\\UNC\\${resolved.slice(2)}`;
    } else if (isLetter(resolved[0]) && resolved[1] === ":" && resolved[2] === "\\") {
      return `\\\\?\\${resolved}`;
    }
    return path;
  },
  dirname(path) {
    validateString(path, "path");
    const len = path.length;
    if (len === 0) return ".";
    const { rootEnd } = winRoot(path);
    if (len === rootEnd && (rootEnd > 0)) return path;
    let end = -1;
    let matchedSlash = true;
    for (let i = len - 1; i >= rootEnd; --i) {
      if (isWinSep(path[i])) {
        if (!matchedSlash) {
          end = i;
          break;
        }
      } else {
        matchedSlash = false;
      }
    }
    if (end === -1) {
      if (rootEnd === 0) return ".";
      end = rootEnd;
    }
    return path.slice(0, end);
  },
  basename(path, suffix) {
    if (suffix !== undefined) validateString(suffix, "suffix");
    validateString(path, "path");
    let start = 0;
    if (path.length >= 2 && isLetter(path[0]) && path[1] === ":") start = 2;
    return strictBasename(path, suffix, isWinSep, start);
  },
  extname(path) {
    validateString(path, "path");
    let start = 0;
    if (path.length >= 2 && isLetter(path[0]) && path[1] === ":") start = 2;
    return extnameOf(strictBasename(path, undefined, isWinSep, start));
  },
  format(pathObject) {
    return formatPath("\\", pathObject);
  },
  parse(path) {
    validateString(path, "path");
    const ret = { root: "", dir: "", base: "", ext: "", name: "" };
    if (path.length === 0) return ret;
    const { rootEnd } = winRoot(path);
    ret.root = path.slice(0, rootEnd);
    if (rootEnd === path.length) {
      ret.dir = ret.root;
      return ret;
    }
    const base = strictBasename(path, undefined, isWinSep, rootEnd);
    ret.base = base;
    ret.ext = extnameOf(base);
    ret.name = ret.ext ? base.slice(0, base.length - ret.ext.length) : base;
    let end = path.length;
    while (end > rootEnd && isWinSep(path[end - 1])) end--;
    let dirEnd = end - base.length;
    if (dirEnd > rootEnd) dirEnd--;
    ret.dir = path.slice(0, Math.max(dirEnd, rootEnd));
    return ret;
  },
  matchesGlob(path, pattern) {
    return globToRegExp(pattern.replace(/\\/g, "/")).test(path.replace(/\\/g, "/"));
  },
};

posix.posix = posix;
posix.win32 = win32;
win32.posix = posix;
win32.win32 = win32;
posix._makeLong = posix.toNamespacedPath;
win32._makeLong = win32.toNamespacedPath;

export { posix, win32 };

defineBuiltin("path", () => posix);
defineBuiltin("path/posix", () => posix);
defineBuiltin("path/win32", () => win32);
