// node:url -- WHATWG URL (global or fnhost's own), file URLs, legacy parse/format/resolve.
import url, { URL, URLSearchParams, fileURLToPath, pathToFileURL } from "node:url";

const props = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];
const code = (fn) => {
  try {
    fn();
    return "ok";
  } catch (e) {
    return [e.code, e.name];
  }
};

export default [
  (state) => {
    const urls = [
      "http://user:pa ss@Example.COM:80/a/./b/../c?x=1 2&y=\u00e9#frag ment", "https://example.com", "https://ex.com:8443/p?q",
      "file:///tmp/a%20b/c.txt", "mailto:someone@x.org", "data:text/plain,hello world", "http://[::1]:3000/x", "HTTP://a.b/%7Efoo/",
      "ws://h/ws", "urn:isbn:123", "http://a/b/c/../../../../d", "https://u@h.com/?a=1&a=2&b=%20+",
    ];
    const whatwg = urls.map((s) => {
      const u = new URL(s);
      return [...props.map((p) => u[p]), [...u.searchParams]];
    });
    const relative = [["../x?y#z", "http://h/a/b/c"], ["//other/p", "https://h/a"], ["?q=2", "http://h/a/b?q=1#f"], ["#f2", "http://h/a?q"], ["/abs", "http://h/a/b"], ["", "http://h/a?b#c"], ["g;x?y#s", "http://a/b/c/d;p?q"], ["..", "http://a/b/c/d"], ["x", "file:///a/b"]].map(([r, b]) => new URL(r, b).href);
    const invalid = ["", "http://", "foo", "http://a:99999", "http://a b"].map((s) => code(() => new URL(s)));
    const sp = new URLSearchParams("a=1&b=2&a=3");
    sp.append("c", "x y");
    sp.delete("b");
    sp.sort();
    const linked = new URL("http://h/p?a=1");
    linked.searchParams.set("b", "2");
    const afterSet = linked.href;
    linked.search = "?z=9";
    linked.pathname = "/a b/c";
    linked.hash = "x";
    linked.port = "8080";
    const legacy = ["http://user:pass@host.com:8080/p/a/t/h?query=string#hash", "/foo/bar?x=1", "example.com/path", "//host/p", "mailto:a@b.c", "http://x.com/a b", "https://EXAMPLE.com", "javascript:alert(1)", "http://[::1]:80/", "?q=1", "file:///etc/passwd", "HTTP://A.com?x"];
    return {
      ...state,
      data: {
        whatwg, relative, invalid,
        params: [sp.toString(), sp.get("a"), sp.getAll("a"), sp.has("c"), sp.size, new URLSearchParams({ x: "1", y: "\u00e9&=" }).toString(), [...new URLSearchParams([["k", "v"], ["k", "w"]]).keys()]],
        linked: [afterSet, linked.href, [...linked.searchParams]],
        canParse: [URL.canParse("http://x"), URL.canParse("nope"), URL.canParse("/p", "http://h")],
        legacy: legacy.map((s) => ({ ...url.parse(s) })),
        legacyQuery: legacy.map((s) => JSON.parse(JSON.stringify(url.parse(s, true).query))),
        legacyFormat: legacy.map((s) => url.format(url.parse(s))),
        formatObj: url.format({ protocol: "https", hostname: "a.com", pathname: "/x", query: { a: 1, b: [2, 3] } }),
        formatURL: url.format(new URL("https://u:p@h.com/p?q#f"), { auth: false, search: false, fragment: false }),
        resolve: [["/one/two/three", "four"], ["http://example.com/", "/one"], ["http://example.com/one", "/two"], ["http://a/b/c", "../d"], ["http://a/b", "//c/d"]].map(([f, t]) => url.resolve(f, t)),
        resolveObjects: [url.resolve("http://a/b/c", url.parse("http://x/y")), url.resolve(url.parse("http://a/b/c"), "../d"), url.resolve("http://a/b", url.parse("/e"))],
        files: [fileURLToPath("file:///a/b%20c"), pathToFileURL("/a/b c#?%").href, pathToFileURL("/a/dir/").href, code(() => fileURLToPath("http://x/y")), code(() => fileURLToPath("file://host/p"))],
        domains: [url.domainToASCII("espa\u00f1ol.com"), url.domainToUnicode("xn--espaol-zwa.com")],
        httpOptions: url.urlToHttpOptions(new URL("https://a:b@h:81/p?q#h")),
      },
    };
  },
];
