// node:path -- posix and win32.
import path from "node:path";
import posix from "node:path/posix";
import win32 from "node:path/win32";

export default [
  (state) => {
    const cases = ["", ".", "..", "...", ".a", "a.", "a..", "..a", "a.b.c", "/a/b.c/", "/a/.b", "a/b/../c/./d", "//a//b//", "/", "//", "./", "../a/../..", "a/..", "/..", "x/.", "foo/bar.js", ".index.js", "file..txt", "/a//b", "a//"];
    const fns = ["normalize", "dirname", "basename", "extname", "parse", "isAbsolute"];
    const px = {};
    for (const c of cases) px[c || "(empty)"] = fns.map((fn) => path[fn](c));
    const wcases = ["C:\\a\\b", "C:", "C:\\", "C:a\\b", "\\\\server\\share\\x\\y", "\\\\server\\share", "\\a\\..\\..\\b", "a/b\\c", "c:/foo/bar.txt", "\\", "", "C:\\foo\\", "foo\\..\\..", "a\\b.c.d"];
    const wx = {};
    for (const c of wcases) wx[c || "(empty)"] = fns.map((fn) => win32[fn](c));
    const joins = [["a", "b"], ["/a", "../b", "c/"], ["", ""], ["a", "", "b"], ["/", ".."], ["\\\\a", "b"], ["C:", "a"], ["\\\\", "server", "share"], ["//server", "share"]];
    const joined = joins.map((j) => [posix.join(...j), win32.join(...j)]);
    const rel = [["/a/b", "/a/b/c"], ["/a/b/c", "/a/b"], ["/", "/a"], ["/a", "/"], ["/a/b", "/c/d"], ["/a", "/a"]].map((r) => path.relative(...r));
    const wrel = [["C:\\a\\b", "C:\\a\\c"], ["C:\\a", "D:\\b"], ["C:\\A\\b", "c:\\a\\b\\x"]].map((r) => win32.relative(...r));
    const res = [["/a", "b", "../c"], ["/a", "/b"], ["/x/", "y/", "."], ["a", "/"]].map((r) => path.resolve(...r));
    const wres = [["C:\\a", "b", "..\\c"], ["C:\\a", "D:\\b"], ["\\\\s\\sh\\a", "..\\..\\b"], ["C:\\x", "\\y"]].map((r) => win32.resolve(...r));
    const fmt = [{ dir: "/a", base: "b.c" }, { root: "/", name: "x", ext: "js" }, { root: "/", dir: "/", base: "f" }, { name: "n", ext: ".e" }].map((o) => [posix.format(o), win32.format(o)]);
    let bad;
    try {
      path.join("a", 5);
    } catch (e) {
      bad = [e.name, e.code, e.message];
    }
    return {
      ...state,
      data: {
        px, wx, joined, rel, wrel, res, wres, fmt, bad,
        consts: [path.sep, path.delimiter, win32.sep, win32.delimiter, path.posix === posix, path.win32 === win32, win32.toNamespacedPath("C:\\a\\b"), posix.toNamespacedPath("/a")],
        basenameExt: [path.basename("/a/b.js", ".js"), path.basename("/a/b.js/", ".js"), path.basename("a.js", "a.js"), win32.basename("C:\\x\\y.txt", ".txt")],
      },
    };
  },
];
