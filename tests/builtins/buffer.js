// node:buffer -- encodings, static helpers, numeric reads/writes, errors.
import { Buffer, isUtf8, isAscii, transcode, constants } from "node:buffer";

const err = (fn) => {
  try {
    fn();
    return "no error";
  } catch (e) {
    return [e.constructor.name, e.code, e.message];
  }
};

export default [
  (state) => {
    const text = "h\u00e9llo \u20ac \ud83d\ude00 w\u00f6rld";
    const b = Buffer.from(text);
    const enc = {};
    for (const e of ["utf8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "ucs2", "utf16le"]) {
      const s = b.toString(e);
      enc[e] = [s, Buffer.from(s, e).toString("hex"), Buffer.byteLength(s, e)];
    }
    const lenient = [
      Buffer.from("aGV$sbG8", "base64").toString(), Buffer.from("aGk=aGk=", "base64").toString("hex"),
      Buffer.from("a-_b", "base64").toString("hex"), Buffer.from("aGVsbG8\n", "base64").toString(),
      Buffer.from("abzz12", "hex").toString("hex"), Buffer.from("abc", "hex").toString("hex"),
      Buffer.from([0xef, 0xbb, 0xbf, 0x41]).toString(), Buffer.from([0xe2, 0x82, 0x41, 0xff]).toString(),
      Buffer.from("\u00ff\u0100", "ascii").toString("hex"), Buffer.from([0xff, 0x41]).toString("ascii"),
    ];
    const w = Buffer.alloc(12);
    const writes = [w.writeUInt8(255, 0), w.writeInt16LE(-2, 1), w.writeUInt32BE(0xdeadbeef, 3), w.writeInt32LE(-5, 7), w.toString("hex")];
    const r = Buffer.from("0102030405060708090a0b0c0d0e0f10", "hex");
    const reads = [
      r.readUInt8(0), r.readUInt16LE(1), r.readUInt16BE(1), r.readInt16LE(14), r.readUInt32LE(2), r.readUInt32BE(2),
      r.readInt32BE(4), r.readUIntLE(1, 6), r.readUIntBE(1, 6), r.readIntLE(10, 3), r.readIntBE(10, 5),
      r.readBigUInt64LE(0).toString(), r.readBigInt64BE(8).toString(), r.readFloatLE(0), r.readDoubleBE(8), r.readUint16LE(0),
    ];
    const fw = Buffer.alloc(16);
    fw.writeFloatBE(1.5, 0);
    fw.writeDoubleLE(-0.1, 4);
    fw.writeBigInt64BE(BigInt(-2), 8);
    const v = Buffer.alloc(8);
    v.writeUIntLE(0x123456789a, 0, 5);
    v.writeIntBE(-1234, 5, 3);
    const statics = [
      Buffer.isBuffer(b), Buffer.isBuffer(new Uint8Array(2)), Buffer.isEncoding("UTF-8"), Buffer.isEncoding("nope"),
      Buffer.byteLength("\u20ac"), Buffer.byteLength("aGVsbG8=", "base64"), Buffer.byteLength(new Uint16Array(3)),
      Buffer.compare(Buffer.from("a"), Buffer.from("b")), Buffer.concat([Buffer.from("ab"), new Uint8Array([99])]).toString(),
      Buffer.concat([Buffer.from("abcdef")], 3).toString(), Buffer.alloc(5, "ab").toString(), Buffer.alloc(4, 0x41).toString(),
      Buffer.alloc(6, "aGk=", "base64").toString(), Buffer.allocUnsafe(3).length, Buffer.from(new Uint16Array([1, 256]).buffer).toString("hex"),
      Buffer.from([257, -1, 3.7]).toString("hex"), Buffer.from({ type: "Buffer", data: [1, 2] }).toString("hex"),
      Buffer.from(new String("str")).toString(), Buffer.of(1, 2, 3).toString("hex"),
    ];
    const ab = new ArrayBuffer(8);
    const shared = Buffer.from(ab, 2, 4);
    shared[0] = 9;
    const proto = [
      b.slice(1, 3).toString("hex"), b.subarray(-3).toString("hex"), b.slice(-4, -1).toString("hex"),
      Buffer.from("abcabc").indexOf("c"), Buffer.from("abcabc").lastIndexOf("b"), Buffer.from("abcabc").indexOf("bc", 2),
      Buffer.from("abcabc").includes(Buffer.from("ca")), Buffer.from("abc").indexOf(98), Buffer.from("abc").indexOf(""),
      Buffer.from("abc").equals(Buffer.from("abc")), Buffer.from("abc").compare(Buffer.from("abd")),
      Buffer.from("abcdef").compare(Buffer.from("xxcdxx"), 2, 4, 2, 4), JSON.stringify(Buffer.from("hi")),
      new Uint8Array(ab)[2], Buffer.from("hello").fill("xy", 1, 4).toString(), Buffer.from("1234").swap16().toString(),
      Buffer.from("12345678").swap32().toString(), Buffer.from("12345678").swap64().toString(),
      Buffer.from("abc").toJSON().data.length, Buffer.from("hello world").toString("utf8", 6), Buffer.from("hello").toString(undefined, 1, 3),
    ];
    const copyTarget = Buffer.alloc(6, "-");
    const copied = Buffer.from("abcd").copy(copyTarget, 2, 1);
    const written = Buffer.alloc(6);
    const wr = [written.write("\u20ac\u20ac", 1), written.write("abcdef", "hex"), written.write("zz", 4, 1), written.toString("hex"), Buffer.alloc(4).write("\u20ac\u20ac", 1)];
    const errors = [
      err(() => Buffer.alloc(2).writeUInt8(256)), err(() => Buffer.alloc(2).writeUInt32LE(1)),
      err(() => Buffer.alloc(8).writeUInt32LE(2 ** 32)), err(() => Buffer.alloc(8).writeInt32LE(2 ** 32)),
      err(() => Buffer.alloc(8).readUInt32LE(7)), err(() => Buffer.alloc(8).readUInt32LE(1.5)),
      err(() => Buffer.alloc(8).readUInt32LE("1")), err(() => Buffer.from(5)), err(() => Buffer.from("x", "nope")),
      err(() => Buffer.alloc(8).writeBigInt64LE(BigInt(2) ** BigInt(64))), err(() => Buffer.alloc(8).writeUIntLE(2 ** 40, 0, 5)),
      err(() => Buffer.alloc("3")), err(() => Buffer.concat("x")), err(() => Buffer.from("ab").swap16.call(Buffer.from("abc"))),
      err(() => Buffer.from("abc").toString("bogus")),
    ];
    return {
      ...state,
      data: {
        enc, lenient, writes, reads, fw: fw.toString("hex"), v: v.toString("hex"), statics, proto, copied,
        copyTarget: copyTarget.toString(), wr, errors, utf8: [isUtf8(b), isUtf8(Buffer.from([0xc0, 0x80])), isAscii(Buffer.from("abc")), isAscii(b)],
        transcode: transcode(Buffer.from("h\u00e9llo"), "utf8", "latin1").toString("hex"),
        ctor: [typeof Buffer, Buffer.name, ArrayBuffer.isView(b), b.constructor.name, Buffer.from("x").slice(0).constructor.name],
        maxLenType: typeof constants.MAX_LENGTH,
      },
    };
  },
];
