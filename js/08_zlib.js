// node:zlib's backend: whole-buffer deflate/inflate, gzip/gunzip, raw deflate and brotli on a
// Rust op (flate2, brotli).
import { op_zlib_process } from "ext:core/ops";
import { registerZlibBackend } from "ext:fnhost/node/zlib.js";
import { errorFromOp } from "ext:fnhost/03_errors.js";

function run(kind, bytes, options) {
  const level = kind.startsWith("brotli")
    ? (options?.params?.[1] ?? options?.params?.BROTLI_PARAM_QUALITY ?? -1)
    : (options?.level ?? -1);
  try {
    return op_zlib_process(kind, bytes, level);
  } catch (e) {
    const err = errorFromOp(e);
    if (err.code === "Z_DATA_ERROR") err.errno = -3;
    throw err;
  }
}

const backend = {};
for (const kind of ["deflate", "inflate", "deflateRaw", "inflateRaw", "gzip", "gunzip", "unzip", "brotliCompress", "brotliDecompress"]) {
  backend[kind] = (bytes, options) => run(kind, bytes, options);
}
registerZlibBackend(backend);
