// axios 1.x uploads with its Node adapter: multipart bodies from the npm `form-data` package
// (a text field, a Buffer file, a stream file) and from axios.postForm, streamed (chunked)
// bodies from a Readable, maxBodyLength and onUploadProgress; and node:crypto's Hash and Hmac
// used as streams (pipe, stream.pipeline, a download piped into a hash). Against the /upload
// endpoint of tests/servers/http_fixture.py, which answers what it received without the random
// multipart boundary. state.configuration: { http (base URL) }. axios_upload.expected.json is
// what Node produces.
// form-data is imported as a namespace: Node gives `{ default: FormData }`, while OpenFn's linker
// (and fnhost) give a job the properties of a CommonJS package whose only export is `default` —
// for form-data, whose module.exports is the FormData function, only its static properties, not
// the constructor. The constructor is then the one axios itself imports from the same package
// (axios.defaults.env.FormData), which is how adaptors reach it.
import axios from "axios";
import * as FormDataNs from "form-data";
import { createHash, createHmac } from "node:crypto";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

const FormData = FormDataNs.default ?? axios.defaults.env.FormData;

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const chunks = () => ["alpha,", Buffer.from("beta,"), "gamma,", Buffer.from([0xe2, 0x82, 0xac]), "delta"];
// 1 MiB in 64 KiB chunks, each byte i % 251
const big = () => Readable.from(Array.from({ length: 16 }, (_, n) => Buffer.from(Array.from({ length: 65536 }, (_, i) => (n * 65536 + i) % 251))));
const failure = (e) => [e.name, e.code, e.message, e.response?.status];

export default [
  // multipart/form-data with the form-data package
  async (state) => {
    const client = axios.create({ baseURL: state.configuration.http });
    const data = {};
    data.formDataPackage = [FormData === axios.defaults.env.FormData, JSON.stringify(FormDataNs.LINE_BREAK ?? FormData.LINE_BREAK), FormData.DEFAULT_CONTENT_TYPE];
    const form = new FormData();
    form.append("title", "monthly report");
    form.append("csv", Buffer.from("org,value\nA,1\nB,2\n"), { filename: "report.csv", contentType: "text/csv" });
    form.append("log", Readable.from(["line 1\n", "line 2\n", "line 3\n"]), { filename: "run.log", contentType: "text/plain" });
    data.formHeaders = Object.fromEntries(Object.entries(form.getHeaders()).map(([k, v]) => [k, v.replace(/boundary=\S+/, "boundary=<BOUNDARY>")]));
    const res = await client.post("/upload", form);
    data.multipartWithStream = [res.status, res.data];
    // only Buffers and strings: form-data knows the length, axios sends content-length
    const known = new FormData();
    known.append("id", "42");
    known.append("blob", Buffer.alloc(3000, "x"), { filename: "x.bin", contentType: "application/octet-stream" });
    data.multipartKnownLength = (await client.post("/upload", known)).data;
    // a plain object through axios.postForm: axios builds the form (axios.toFormData) with the
    // form-data package. (The global FormData is not used: OpenFn's sandbox, which fnhost's job
    // realm follows, gives a job no FormData or Blob.)
    const posted = await client.postForm("/upload", { name: "fnhost", tags: ["a", "b"], meta: { n: 1 }, raw: Buffer.from("bytes") });
    data.postForm = posted.data;
    return { ...state, data };
  },
  // streamed (chunked) uploads from a Readable
  async (state) => {
    const client = axios.create({ baseURL: state.configuration.http });
    const data = { ...state.data };
    const streamed = await client.post("/upload", Readable.from(chunks()), { headers: { "Content-Type": "application/octet-stream" } });
    data.streamed = streamed.data;
    data.streamedHashMatches = streamed.data.sha256 === sha256(Buffer.concat(chunks().map((c) => Buffer.from(c))));
    const progress = [];
    const large = await client.put("/upload", big(), {
      headers: { "Content-Type": "application/octet-stream" },
      maxBodyLength: Infinity,
      onUploadProgress: (e) => progress.push([e.loaded, e.total, e.upload]),
    });
    data.large = large.data;
    data.largeProgress = { called: progress.length > 0, last: progress.at(-1) };
    // a stream of known length: the caller's content-length, no chunking
    data.streamedKnownLength = (await client.post("/upload", Readable.from(["0123456789"]), { headers: { "Content-Type": "text/plain", "Content-Length": 10 } })).data;
    try {
      await client.post("/upload", Buffer.alloc(2048), { maxBodyLength: 1024 });
    } catch (e) {
      data.bufferTooLong = failure(e);
    }
    try {
      await client.post("/upload", big(), { maxBodyLength: 100000, maxRedirects: 5 });
    } catch (e) {
      data.streamTooLong = failure(e);
    }
    return { ...state, data };
  },
  // Hash and Hmac as streams
  async (state) => {
    const data = { ...state.data };
    data.pipeHex = await new Promise((resolve, reject) => {
      let out = "";
      Readable.from(chunks()).pipe(createHash("sha256")).setEncoding("hex")
        .on("data", (d) => (out += d)).on("end", () => resolve(out)).on("error", reject);
    });
    data.expectedHex = sha256(Buffer.concat(chunks().map((c) => Buffer.from(c))));
    const hash = createHash("sha256");
    await pipeline(Readable.from(chunks()), hash);
    data.pipelineRead = hash.read()?.toString("hex");
    // in Node the stream's flush digests the native handle, which keeps the digest: a digest()
    // after the stream ended returns it again (only a second digest() call throws)
    try {
      data.digestAfterPipeline = hash.digest("hex");
    } catch (e) {
      data.digestAfterPipeline = [e.name, e.code, e.message];
    }
    // the common idiom: digest() on the hash's 'finish' after piping into it
    data.digestOnFinish = await new Promise((resolve) => {
      const h = createHash("sha256");
      Readable.from(chunks()).pipe(h).on("finish", () => {
        try {
          resolve(h.digest("hex"));
        } catch (e) {
          resolve([e.name, e.code, e.message]);
        }
      });
    });
    const collected = [];
    await pipeline(big(), createHash("md5"), new Writable({ write(c, _e, cb) { collected.push(c); cb(); } }));
    data.pipelineToWritable = Buffer.concat(collected).toString("hex");
    const bigHash = createHash("sha512");
    await pipeline(big(), bigHash);
    data.bigSha512 = bigHash.read().toString("base64");
    const hmac = createHmac("sha256", "secret key");
    await pipeline(Readable.from(chunks()), hmac);
    data.hmacStream = hmac.read().toString("hex");
    data.hmacDirect = createHmac("sha256", "secret key").update(Buffer.concat(chunks().map((c) => Buffer.from(c)))).digest("hex");
    // write/end by hand, a copy mid-stream, the digest read on 'readable'
    const manual = createHash("sha1");
    manual.write("first half ");
    const copy = manual.copy();
    manual.end("second half");
    data.manual = await new Promise((resolve) => manual.once("readable", () => resolve(manual.read().toString("hex"))));
    data.copyOfFirstHalf = copy.digest("hex");
    // a download piped into a hash (an axios response stream)
    const download = await axios.get(`${state.configuration.http}/chunks`, { responseType: "stream" });
    const downloadHash = createHash("sha256");
    await pipeline(download.data, new PassThrough(), downloadHash);
    data.downloadSha256 = downloadHash.read().toString("hex");
    data.downloadExpected = sha256("part0;part1;part2;part3;part4;");
    return { ...state, data };
  },
];
