// PLACEHOLDER until the real value preparation lands (lead's stub for compiling).
export const defaults = { host: "localhost", user: globalThis.process?.env?.USER, database: undefined, password: null, port: 5432, binary: false, ssl: false };
export function prepareValue(v) {
  if (v == null) return null;
  if (v instanceof Uint8Array) return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return "{" + v.map((x) => (x == null ? "NULL" : JSON.stringify(String(x)))).join(",") + "}";
  if (typeof v === "object") return JSON.stringify(v);
  return v.toString();
}
export const escapeIdentifier = (s) => '"' + s.replace(/"/g, '""') + '"';
export const escapeLiteral = (s) => "'" + s.replace(/'/g, "''") + "'";
