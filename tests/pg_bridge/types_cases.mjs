// The cases that pin fnhost's pg bridge value handling (adaptors/pg/types.js, values.js) to the npm
// pg 8.23.1 / pg-types 2.2.0: server text → JS value for every type pg-types registers (and some it
// does not), binary-format values, array-literal edge cases, JS value → query parameter, escaping,
// and the stateful API (setTypeParser, TypeOverrides, defaults.parseInt8). Plain data and closures,
// no Node-only API, so fnhost can run the same list (see run-cases.mjs).

const R = String.raw;

/** [oid, text]: `getTypeParser(oid, "text")(text)`. */
export const textCases = [
  // bool
  [16, "t"], [16, "f"], [16, "true"], [16, "TRUE"], [16, "True"], [16, "yes"], [16, "y"], [16, "on"], [16, "1"],
  [16, "0"], [16, "false"], [16, "off"], [16, ""], [16, " t"], [16, "T"],
  // int2 / int4 / oid
  [21, "32767"], [21, "-32768"], [21, "0"], [21, "-0"], [21, "12abc"], [21, ""], [21, " 7"],
  [23, "2147483647"], [23, "-2147483648"], [23, "007"], [23, "1e3"],
  [26, "4294967295"], [26, "0"],
  // int8: strings, digits only re-stringified
  [20, "9223372036854775807"], [20, "-9223372036854775808"], [20, "0"], [20, "007"], [20, "12345678901234567890123"], [20, " 12"], [20, "-5"],
  // float4 / float8
  [700, "3.14"], [700, "-0"], [700, "NaN"], [700, "Infinity"], [700, "-Infinity"], [700, "1e-45"], [700, "3.4028235e+38"], [700, "abc"], [700, "1.5x"],
  [701, "1.7976931348623157e+308"], [701, "5e-324"], [701, "0.1"], [701, "-0"], [701, "-1.5e-300"], [701, "NaN"], [701, "Infinity"],
  [701, "-Infinity"], [701, "123456789012345678"], [701, "2.2250738585072014e-308"], [701, ""],
  // numeric and money: not registered → the text
  [1700, "123456789012345678901234567890.123456789012345678901234567890"], [1700, "NaN"], [1700, "-0.000001"], [1700, "Infinity"],
  [790, "$1,234.56"], [790, "-$0.01"],
  // text-ish, unregistered
  [25, "hello"], [25, ""], [25, "héllo \"q\" \\ ☃ 😀"], [1043, "varchar"], [1042, "ab  "], [18, "a"], [19, "name"],
  [2950, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"], [869, "192.168.0.1/24"], [650, "10.0.0.0/8"], [829, "08:00:2b:01:02:03"],
  [774, "08:00:2b:01:02:03:04:05"], [142, "<a>x</a>"], [1560, "101"], [1562, "1010"], [3614, "'a' 'b'"], [1083, "04:05:06.789"],
  [1266, "04:05:06+05:30"], [3220, "16/B374D848"], [602, "((1,2),(3,4))"], [604, "((0,0),(1,1),(1,0))"], [0, "zero oid"], [99999, "unknown"],
  [1003, R`{a,b}`], [1002, R`{a}`], [3904, "[1,10)"], [3926, "[1,10)"], [1790, "cursor"], [2205, "pg_class"],
  // bytea: hex and escape formats
  [17, R`\x`], [17, R`\x00ff10`], [17, R`\xDEADbeef`], [17, R`\x0`], [17, R`\x0g12`], [17, R`\x0G`], [17, "abc"], [17, ""],
  [17, R`a\\b`], [17, R`\001\377\000`], [17, R`\\\101`], [17, R`\\\\`], [17, R`\400`], [17, R`\1234`],
  [17, "é€😀"], [17, R`x\\`], [17, R`\\001`],
  // json / jsonb
  [114, R`{"a":[1,2.5,null,true],"b":{"c":"d"}}`], [114, R`"str"`], [114, "123"], [114, "null"], [114, "true"], [114, "-0"],
  [114, "12345678901234567890"], [114, "1e400"], [114, "[]"], [114, R`"\u00e9\n"`], [114, R`{"__proto__":{"x":1}}`],
  [114, R`{"a":1,"a":2}`], [114, "{bad"], [114, ""], [114, " [1] "],
  [3802, R`{"b": 1, "a": [{"c": null}]}`], [3802, R`"s"`], [3802, "1.0"], [3802, "[1, 2"],
  // point / circle
  [600, "(1,2)"], [600, "(-1.5,2e3)"], [600, "(NaN,Infinity)"], [600, "(1,2,3)"], [600, "x"], [600, ""], [600, "("], [600, "(5)"],
  [718, "<(1,2),3>"], [718, "<(-1.5,2.25),0.5>"], [718, "<(1e3,-0),1e-3>"], [718, "(1,2),3"], [718, "x((1,2),3>"], [718, "<(1,2)>"],
  [718, "<(1,2"], [718, "<("], [718, "<"], [718, "<(1,2),3,4>"], [718, "<(1,2))5)>"], [718, "<51<))5-)"],
  // date: local midnight
  [1082, "2024-02-29"], [1082, "2000-01-01"], [1082, "1970-01-01"], [1082, "0001-01-01"], [1082, "0001-01-01 BC"],
  [1082, "0044-03-15 BC"], [1082, "4713-01-01 BC"], [1082, "0099-12-31"], [1082, "0100-01-01"], [1082, "0000-02-29"],
  [1082, "10000-01-01"], [1082, "275760-09-13"], [1082, "294276-12-31"], [1082, "infinity"], [1082, "-infinity"],
  [1082, "2024-13-45"], [1082, "garbage"], [1082, ""], [1082, "Infinity"], [1082, "1900-01-01"], [1082, "1941-10-01"],
  [1082, "2024-03-10"], [1082, "2024-11-03"],
  // timestamp without time zone: local time
  [1114, "2024-01-02 03:04:05"], [1114, "2024-01-02 03:04:05.1"], [1114, "2024-01-02 03:04:05.12"],
  [1114, "2024-01-02 03:04:05.123"], [1114, "2024-01-02 03:04:05.1234"], [1114, "2024-01-02 03:04:05.12345"],
  [1114, "2024-01-02 03:04:05.123456"], [1114, "2024-01-02 03:04:05.999999"], [1114, "2024-01-02 03:04:05.07"],
  [1114, "2024-01-02 03:04:05.29"], [1114, "0001-01-01 00:00:00"], [1114, "0001-01-01 00:00:00 BC"],
  [1114, "0050-06-15 12:00:00"], [1114, "0000-02-29 00:00:00"], [1114, "1900-01-01 00:00:00"], [1114, "1883-11-18 12:00:00"],
  [1114, "2024-03-10 02:30:00"], [1114, "2024-11-03 01:30:00"], [1114, "1970-01-01 00:00:00"], [1114, "infinity"],
  [1114, "-infinity"], [1114, "2024-01-02T03:04:05"], [1114, "12345-06-07 08:09:10"], [1114, "2024-01-02 25:61:61"],
  [1114, "x 2024-01-02 03:04:05"], [1114, "2024-01-02 03:04:05.5 BC"], [1114, "0044-03-15 10:00:00 BC"],
  // timestamp with time zone: absolute
  [1184, "2024-01-02 03:04:05+00"], [1184, "2024-01-02 03:04:05.123456+05:30"], [1184, "2024-01-02 03:04:05-08"],
  [1184, "2024-01-02 03:04:05+05:30:15"], [1184, "1900-01-01 00:00:00+05:53:28"], [1184, "1883-11-18 12:00:00-04:56:02"],
  [1184, "2024-01-02 03:04:05Z"], [1184, "2024-01-02 03:04:05.5-00:30"], [1184, "2024-01-02 03:04:05+"],
  [1184, "2024-01-02 03:04:05.1+01"], [1184, "2024-01-02 03:04:05.12-01"], [1184, "2024-01-02 03:04:05.1234+14"],
  [1184, "2024-01-02 03:04:05.12345-12"], [1184, "0001-01-01 00:00:00+00 BC"], [1184, "0001-01-01 00:00:00+00"],
  [1184, "0044-03-15 12:00:00-04:56:02 BC"], [1184, "0099-12-31 23:59:59.999+00"], [1184, "0010-01-01 00:00:00+01"],
  [1184, "12345-01-01 00:00:00+00"], [1184, "infinity"], [1184, "-infinity"], [1184, "2024-01-02 03:04:05 +05"],
  [1184, "2024-06-30 23:59:60+00"], [1184, "1970-01-01 00:00:00+00"], [1184, "2024-01-02 03:04:05-00"],
  // interval (postgres style output)
  [1186, "1 year 2 mons 3 days 04:05:06.789"], [1186, "1 year"], [1186, "2 years"], [1186, "1 mon"], [1186, "11 mons"],
  [1186, "1 day"], [1186, "-3 days"], [1186, "00:00:00"], [1186, "-00:00:01"], [1186, "00:00:00.000001"],
  [1186, "-00:00:00.5"], [1186, "1 day -00:00:01"], [1186, "-1 years -2 mons +3 days -04:05:06"], [1186, "-1 years +2 mons"],
  [1186, "04:05:06"], [1186, "100:00:00"], [1186, "1234567:01:02.123456"], [1186, "00:00:01.10"], [1186, "00:00:59.999999"],
  [1186, "3 days 00:00:00.25"], [1186, "00:01:00"], [1186, ""], [1186, "0"], [1186, "@ 1 year 2 mons"], [1186, "P1Y2M"],
  [1186, "1 year 2 mons 3 days"], [1186, "178000000 years"], [1186, "-178000000 years"], [1186, "00:00:10.000000"],
  [1186, "-00:00:10.1"], [1186, "00:00:00.1"], [1186, "1 day 00:00:00"], [1186, "+5 days"],
  // arrays of strings (text, varchar, char, regproc, cidr, inet, macaddr, uuid, money, time, timetz, numrange)
  [1009, R`{a,"b c","d,e","f\"g","h\\i",NULL,"NULL","",null}`], [1009, "{}"], [1009, ""], [1009, R`{"{",}"}`], [1009, R`{"}","{","\\",","}`],
  [1009, R`{{a,b},{c,d}}`], [1009, R`{{{a}},{{b}}}`], [1009, R`{{"a,b",NULL},{"","x y"}}`], [1009, R`[1:2]={a,b}`],
  [1009, R`[0:1][1:2]={{a,b},{c,d}}`], [1009, R`{ a , b }`], [1009, R`{"héllo","😀","☃"}`], [1009, R`{"a\\b\"c"}`],
  [1015, R`{x,"y z",NULL}`], [1014, R`{"a  ",b}`], [1008, R`{-,"pg_catalog.now"}`], [651, R`{10.0.0.0/8,::1/128}`],
  [1041, R`{192.168.0.1/24,NULL,::1}`], [1040, R`{08:00:2b:01:02:03}`], [2951, R`{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}`],
  [791, R`{"$1,234.56","-$0.01"}`], [1183, R`{04:05:06.789,NULL}`], [1270, R`{04:05:06+05:30}`], [3907, R`{"[1.5,2)",empty,"(,5]"}`],
  // array literal quirks (postgres-array)
  [1009, R`{a{b}}`], [1009, R`{a\{b}`], [1009, R`{a\,b}`], [1009, R`{"a"b}`], [1009, R`{x"a"}`], [1009, R`{a}junk`], [1009, R`{a},{b}`],
  [1009, R`{a}}`], [1009, R`{{a}`], [1009, R`{"unterminated`], [1009, "{a\\"], [1009, R`{,}`], [1009, R`{,a,}`], [1009, "abc"],
  [1009, R`{NULL,null,Null,"NULL"}`], [1009, R`{{},{}}`], [1009, R`{{a},b}`], [1009, R`{a,{b,{c}},d}`], [1009, R`[1:1]\={a}`],
  [1009, R`{"a\"\\"}`], [1009, R`{\"a}`], [1009, R`{"a""b"}`], [1009, "{\n a \t}"],
  // arrays of numbers
  [1005, "{1,-2,NULL,3}"], [1005, "{}"], [1005, ""], [1007, "{{1,2},{3,4}}"], [1007, "[0:1]={5,6}"], [1007, "{2147483647,-2147483648}"],
  [1007, R`{"1",x,NULL}`], [1028, "{4294967295,0}"], [1016, R`{9223372036854775807,-9223372036854775808,NULL," 12 ",007}`],
  [1016, "{{1,2},{3,NULL}}"], [1016, ""], [1016, R`{"abc"}`], [1021, "{1.5,NaN,Infinity,-Infinity,-0,NULL}"], [1021, "{}"],
  [1022, "{1e308,5e-324,0.1,-0}"], [1022, "{{1.5},{2.5}}"], [1231, "{123456789012345678901234567890.12,NaN,-0.5,NULL}"], [1231, ""],
  // arrays of bool / bytea / json / point / dates / intervals
  [1000, R`{t,f,NULL,"t",true,yes}`], [1000, "{}"], [1000, ""], [1000, "{{t},{f}}"],
  [1001, R`{"\\x00ff","\\x",NULL}`], [1001, R`{"\\\\001abc\\\\\\\\","x"}`], [1001, ""], [1001, R`{{"\\x01"},{"\\x02"}}`],
  [199, R`{"{\"a\":1}","[1,2]",NULL,"null","\"s\"",1,true}`], [199, "{}"], [199, ""], [199, R`{"{bad"}`],
  [3807, R`{"{\"b\": [1, {\"c\": \"}\"}]}",NULL}`], [3807, R`{{"1"},{"2"}}`],
  [1017, R`{"(1,2)","(3.5,-4)",NULL}`], [1017, ""], [1017, R`{"(1,2)",x}`],
  [1182, R`{2024-02-29,"0001-01-01 BC",infinity,NULL,-infinity}`], [1182, ""], [1182, R`{garbage}`],
  [1115, R`{"2024-01-02 03:04:05.123456","0001-01-01 00:00:00 BC",NULL}`], [1115, R`{{"2024-01-02 03:04:05"},{infinity}}`],
  [1185, R`{"2024-01-02 03:04:05+05:30","2024-01-02 03:04:05.5-08",NULL}`], [1185, ""],
  [1187, R`{"1 year","-00:00:01",NULL,"00:00:00","1 day 02:03:04.5"}`], [1187, ""], [1187, R`{{"1 day"},{"2 days"}}`],
  // arrays pg-types does not register: the text
  [1034, R`{"a=r/b"}`], [1263, R`{a,b}`], [1043, R`{a,b}`],
];

/** [oid, hex of the value's bytes]: `getTypeParser(oid, "binary")(Buffer.from(hex, "hex"))`. */
export const binaryCases = [
  [16, "01"], [16, "00"], [16, "02"], [16, ""],
  [20, "7fffffffffffffff"], [20, "8000000000000000"], [20, "ffffffffffffffff"], [20, "0000000000000001"], [20, "00000000000f4240"], [20, "fffffffffff0bdc0"],
  [21, "7fff"], [21, "8000"], [21, "ffff"], [21, "0001"],
  [23, "7fffffff"], [23, "80000000"], [23, "ffffffff"], [23, "0000002a"],
  [26, "ffffffff"], [26, "00000001"],
  [25, "68c3a96c6c6f"], [25, ""],
  [700, "4048f5c3"], [700, "00000000"], [700, "80000000"], [700, "7f800000"], [700, "ff800000"], [700, "7fc00000"], [700, "00000001"], [700, "c2f6e979"],
  [701, "400921fb54442d18"], [701, "8000000000000000"], [701, "7ff0000000000000"], [701, "fff0000000000000"], [701, "7ff8000000000000"],
  [701, "0000000000000001"], [701, "7fefffffffffffff"], [701, "3fb999999999999a"], [701, "c00c000000000000"],
  // numeric: ndigits, weight, sign, dscale, base-10000 digits
  [1700, "00030001000000030001092919a0"], [1700, "0000000000000000"], [1700, "00000000c0000000"], [1700, "000200004000000100011388"], [1700, "0003000100000003000109291a7c"],
  [1700, "00020000400000010001138800"], [1700, "0001ffff000000011388"], [1700, "0001000200000000002a"], [1700, "000500040000000a0001000200030004000500060007"],
  // timestamp / timestamptz: µs since 2000-01-01
  [1114, "0000000000000000"], [1114, "000000141dd76000"], [1114, "00000014244c8240"], [1114, "ffffffffffffffff"],
  [1184, "0000000000000000"], [1184, "000000141dd76000"], [1184, "0002bc3c3e0e1a3f"], [1184, "ffffffffffffffff"], [1184, "fffc7e8a33a3d000"],
  // arrays: ndim, flags, element oid, (size, lower bound)…, (length, bytes)…
  [1007, "0000000100000001000000170000000300000001000000040000000100000004fffffffeffffffff"],
  [1007, "00000000000000000000001700"],
  [1007, "00000002000000000000001700000002000000010000000200000001000000040000000100000004000000020000000400000003000000040000000400"],
  [1016, "000000010000000000000014000000020000000100000008ffffffffffffffff000000080000000000000005"],
  [1009, "000000010000000100000019000000030000000100000001610000000368c3a9ffffffff"],
  [1009, "00000001000000000000001900000001000000010000000000"],
  [1008, "000000010000000000000018000000010000000100000004000004d2"],
  [1000, "00000001000000000000001000000002000000010000000101000000010000"],
  // not registered in binary: the bytes as UTF-8 text
  [1082, "00002000"], [17, "616263"], [1043, "68c3a9"], [1186, "0000000000000000"],
];

/** [text, transform name]: `arrayParser.create(text, transform).parse()`. */
export const arrayParserCases = [
  [R`{a,b,NULL,"NULL"}`, null], [R`{a,b,NULL,"NULL"}`, "upper"], [R`{1,2,{3,NULL}}`, "number"], [R`{"a b",c}`, "tagged"],
  ["", null], ["{}", "number"], [R`{a}}`, null], [R`[2:3]={x,y}`, "upper"],
];

export const transforms = {
  upper: (s) => s.toUpperCase(),
  number: (s) => Number(s),
  tagged: (s) => ({ s }),
};

const circular = { toPostgres: () => circular };
const circularNamed = { toPostgres: () => circularNamed, toString: () => "me" };
const mutualA = { toPostgres: () => mutualB };
const mutualB = { toPostgres: () => mutualA };
const selfRefJson = { a: 1 };
selfRefJson.self = selfRefJson;

/** [label, () => value]: `prepareValue(value)`. A fresh value per call. */
export const prepareCases = [
  ["null", () => null],
  ["undefined", () => undefined],
  ["0", () => 0],
  ["-0", () => -0],
  ["1.5", () => 1.5],
  ["NaN", () => NaN],
  ["-Infinity", () => -Infinity],
  ["1e21", () => 1e21],
  ["1e-7", () => 1e-7],
  ["bigint", () => 12345678901234567890n],
  ["true", () => true],
  ["false", () => false],
  ["string", () => "plain 'text' \"q\" \\ ☃"],
  ["empty string", () => ""],
  ["symbol", () => Symbol("sym")],
  ["function", () => function named() {}],
  ["Buffer", () => Buffer.from([0, 1, 255])],
  ["empty Buffer", () => Buffer.alloc(0)],
  ["Uint8Array", () => new Uint8Array([1, 2, 3])],
  ["Uint16Array subarray", () => new Uint16Array([1, 0x0203, 0xfffe, 4]).subarray(1, 3)],
  ["Int8Array", () => new Int8Array([-1, 1])],
  ["Float64Array", () => new Float64Array([1.5])],
  ["DataView", () => new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)],
  ["ArrayBuffer", () => new Uint8Array([1, 2]).buffer],
  ["Date UTC", () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))],
  ["Date epoch", () => new Date(0)],
  ["Date summer", () => new Date(Date.UTC(2024, 6, 1, 12, 0, 0, 999))],
  ["Date negative ms", () => new Date(-1)],
  ["Date year 1", () => new Date("0001-01-01T00:00:00.000Z")],
  ["Date year 0 (1 BC)", () => new Date("0000-06-01T12:00:00.000Z")],
  ["Date year -44", () => new Date("-000044-03-15T12:00:00.000Z")],
  ["Date 1900", () => new Date("1900-01-01T00:00:00.000Z")],
  ["Date 1883", () => new Date("1883-11-18T12:00:00.000Z")],
  ["Date 1850", () => new Date("1850-01-01T00:00:00.000Z")],
  ["Date 12345", () => new Date("+012345-01-01T00:00:00.000Z")],
  ["Date max", () => new Date(8.64e15)],
  ["Date min", () => new Date(-8.64e15)],
  ["Date invalid", () => new Date(NaN)],
  ["Date subclass", () => new (class MyDate extends Date {})(86400000)],
  ["Date with toPostgres", () => Object.assign(new Date(0), { toPostgres: () => "ignored" })],
  ["array empty", () => []],
  ["array numbers", () => [1, 2.5, -0, NaN, 1e21]],
  ["array nulls", () => [null, undefined, "a"]],
  ["array hole", () => [, 1]],
  ["array strings", () => ['a"b', R`c\d`, "e,f", "{g}", "NULL", "", " ", "ü😀"]],
  ["array nested", () => [[1, 2], [3, null], []]],
  ["array deep", () => [[[["x"]]]]],
  ["array empty nested", () => [[]]],
  ["array bytes", () => [Buffer.from([0, 255]), new Uint8Array([1, 2]), new Uint16Array([0x0102]), Buffer.alloc(0)]],
  ["array nested bytes", () => [[Buffer.from("hi")], null]],
  ["array dates", () => [new Date(Date.UTC(2024, 0, 2)), new Date("0000-01-01T00:00:00Z"), null]],
  ["array objects", () => [{ a: 1 }, { b: '"\\' }, [{ c: [1] }]]],
  ["array booleans", () => [true, false]],
  ["array bigint symbol", () => [1n, Symbol("s")]],
  ["array toPostgres", () => [{ toPostgres: () => "x" }, { toPostgres: (p) => p([1, "a"]) }]],
  ["array toPostgres null", () => [{ toPostgres: () => null }]],
  ["array toPostgres undefined", () => [{ toPostgres: () => undefined }]],
  ["array toPostgres Buffer", () => [{ toPostgres: () => Buffer.from("x") }]],
  ["array toJSON undefined", () => [{ toJSON: () => undefined }]],
  ["array ArrayBuffer", () => [new Uint8Array([1]).buffer]],
  ["array interval-like", () => [{ toPostgres: () => "1 day" }]],
  ["object", () => ({ a: 1, b: [1, 2], c: "x\"y", d: null, e: undefined })],
  ["object toJSON", () => ({ toJSON: () => "j" })],
  ["object toJSON undefined", () => ({ toJSON: () => undefined })],
  ["object null proto", () => Object.assign(Object.create(null), { z: 1 })],
  ["Map", () => new Map([[1, 2]])],
  ["boxed Number", () => new Number(5)],
  ["boxed String", () => new String("s")],
  ["class instance", () => new (class Point { constructor() { this.x = 1; this.y = 2; } })()],
  ["toPostgres string", () => ({ toPostgres: () => "pg" })],
  ["toPostgres number", () => ({ toPostgres: () => 42 })],
  ["toPostgres Date", () => ({ toPostgres: () => new Date(0) })],
  ["toPostgres array", () => ({ toPostgres: () => [1, [2, "x"]] })],
  ["toPostgres uses prepare", () => ({ toPostgres: (prepare) => "(" + prepare([1, "a b"]) + ")" })],
  ["toPostgres chain", () => ({ toPostgres: () => ({ toPostgres: () => ({ plain: true }) }) })],
  ["toPostgres Buffer", () => ({ toPostgres: () => Buffer.from("raw") })],
  ["toPostgres null", () => ({ toPostgres: () => null })],
  ["toPostgres undefined", () => ({ toPostgres: () => undefined })],
  ["toPostgres this", () => ({ v: 7, toPostgres() { return "v=" + this.v; } })],
  ["toPostgres not a function", () => ({ toPostgres: "nope" })],
  ["toPostgres throws", () => ({ toPostgres: () => { throw new RangeError("inner"); } })],
  ["circular toPostgres", () => circular],
  ["circular toPostgres named", () => circularNamed],
  ["mutual toPostgres", () => mutualA],
  ["JSON with BigInt", () => ({ n: 1n })],
  ["JSON circular", () => selfRefJson],
];

/** [label, input]: escapeIdentifier / escapeLiteral. */
export const escapeCases = [
  ["plain", "abc"],
  ["quote", 'a"b'],
  ["quotes only", '"""'],
  ["apostrophe", "it's"],
  ["backslash", R`back\slash`],
  ["both", R`a'b\c"d`],
  ["empty", ""],
  ["unicode", "ünï😀"],
  ["newline", "a\nb"],
  ["null", null],
  ["undefined", undefined],
  ["number", 5],
  ["object", { replace: () => "custom" }],
  ["String object", new String("s'")],
];

const parserNames = (api) => [16, 17, 20, 21, 23, 26, 114, 199, 600, 651, 700, 701, 718, 791, 1000, 1001, 1005, 1007, 1008, 1009, 1014, 1015, 1016, 1017, 1021, 1022, 1028, 1040, 1041, 1082, 1114, 1115, 1182, 1183, 1184, 1185, 1186, 1187, 1231, 1270, 2951, 3802, 3807, 3907]
  .filter((oid) => api.types.getTypeParser(oid) !== api.types.getTypeParser(99999));

/**
 * [label, (api) => value]: the stateful API. `api` = { types, TypeOverrides, defaults, prepareValue,
 * escapeIdentifier, escapeLiteral }. Each scenario puts back what it changes.
 */
export const scenarios = [
  ["builtins", (api) => api.types.builtins],
  ["types keys", (api) => Object.keys(api.types)],
  ["registered text oids", (api) => parserNames(api)],
  ["unknown is noParse", (api) => [api.types.getTypeParser(99999)(12), api.types.getTypeParser(99999)(null), api.types.getTypeParser(1, "binary")(Buffer.from("hé"))]],
  ["format fallbacks", (api) => [
    api.types.getTypeParser(23, "")("5"), api.types.getTypeParser(23, null)("5"), api.types.getTypeParser(23, undefined)("5"),
    api.types.getTypeParser(23, "bogus")("5"), api.types.getTypeParser("23")("5"), api.types.getTypeParser(23, "toString")("5"),
  ]],
  ["parsers are stable", (api) => api.types.getTypeParser(1082) === api.types.getTypeParser(1082, "text")],
  ["bool parser on null", (api) => api.types.getTypeParser(16)(null)],
  ["int8 parser on numbers", (api) => [api.types.getTypeParser(20)(5), api.types.getTypeParser(20)(-5)]],
  // (`user` is $USER where the run happens: only its type is compared)
  ["defaults", (api) => ({ ...api.defaults, user: typeof api.defaults.user })],
  ["defaults keys", (api) => Object.keys(api.defaults)],
  ["defaults.parseInt8 descriptor", (api) => {
    const d = Object.getOwnPropertyDescriptor(api.defaults, "parseInt8");
    return { get: typeof d.get, set: typeof d.set, enumerable: d.enumerable, configurable: d.configurable, read: api.defaults.parseInt8 };
  }],
  ["defaults.parseInt8 on/off", (api) => {
    const out = [];
    api.defaults.parseInt8 = true;
    out.push(api.types.getTypeParser(20)("9007199254740993"), api.types.getTypeParser(1016)("{1,-2,NULL}"));
    out.push(api.types.getTypeParser(20) === api.types.getTypeParser(23), api.types.getTypeParser(1016) === api.types.getTypeParser(1007));
    api.defaults.parseInt8 = false;
    out.push(api.types.getTypeParser(20)("9007199254740993"), api.types.getTypeParser(1016)("{1,-2,NULL}"));
    out.push(api.types.getTypeParser(20) === api.types.getTypeParser(23));
    return out;
  }],
  ["defaults.parseInt8 takes the current int4 parser", (api) => {
    const int4 = api.types.getTypeParser(23);
    api.types.setTypeParser(23, (v) => "int4:" + v);
    api.defaults.parseInt8 = true;
    const r = api.types.getTypeParser(20)("7");
    api.types.setTypeParser(23, int4);
    api.defaults.parseInt8 = false;
    return [r, api.types.getTypeParser(20)("7"), api.types.getTypeParser(23)("7")];
  }],
  ["setTypeParser two and three arguments", (api) => {
    const date = api.types.getTypeParser(1082);
    const bin = api.types.getTypeParser(25, "binary");
    api.types.setTypeParser(1082, (v) => "d:" + v);
    const a = api.types.getTypeParser(1082)("2024-01-01");
    api.types.setTypeParser(1082, "text", (v) => "t:" + v);
    const b = api.types.getTypeParser(1082, "text")("2024-01-01");
    api.types.setTypeParser(25, "binary", (v) => "b:" + v.length);
    const c = api.types.getTypeParser(25, "binary")(Buffer.from("abc"));
    api.types.setTypeParser(1082, date);
    api.types.setTypeParser(25, "binary", bin);
    return [a, b, c, api.types.getTypeParser(1082) === date, api.types.getTypeParser(25, "binary") === bin];
  }],
  ["setTypeParser unknown format", (api) => api.types.setTypeParser(1, "bogus", () => 1)],
  ["setTypeParser no format no fn", (api) => api.types.setTypeParser(1)],
  ["TypeOverrides fields", (api) => {
    const o = new api.TypeOverrides();
    return { keys: Object.keys(o), text: o.text, binary: o.binary, typesIsPgTypes: o._types === api.types, protoKeys: Object.keys(Object.getPrototypeOf(o)) };
  }],
  ["TypeOverrides overrides and falls back", (api) => {
    const o = new api.TypeOverrides();
    o.setTypeParser(23, (v) => "o:" + v);
    o.setTypeParser(21, "binary", (v) => "ob");
    o.setTypeParser(20, "bogus", () => "never");
    return [
      o.getTypeParser(23)("1"), o.getTypeParser(23, "text")("1"), o.getTypeParser(21)("1"), o.getTypeParser(21, "binary")(Buffer.from([0, 1])),
      o.getTypeParser(23, "binary")(Buffer.from([0, 0, 0, 9])), o.getTypeParser(20, "bogus")(Buffer.from("12")), o.getTypeParser(20)("12"),
      Object.keys(o.text), Object.keys(o.binary), o.getOverrides("bogus"), o.getOverrides("text") === o.text, o.getTypeParser(1186, "")("1 day"),
    ];
  }],
  ["TypeOverrides with user types", (api) => {
    const user = { getTypeParser: (oid, format) => () => "user:" + oid + ":" + format };
    const o = new api.TypeOverrides(user);
    o.setTypeParser(1, () => "mine");
    return [o._types === user, o.getTypeParser(5)(), o.getTypeParser(5, "binary")(), o.getTypeParser(5, 0)(), o.getTypeParser(1)()];
  }],
  ["TypeOverrides over TypeOverrides", (api) => {
    const inner = new api.TypeOverrides();
    inner.setTypeParser(23, () => "inner");
    const outer = new api.TypeOverrides(inner);
    return [outer.getTypeParser(23)("1"), outer.getTypeParser(21)("1")];
  }],
  ["TypeOverrides without new", (api) => api.TypeOverrides()],
  ["interval constructor", (api) => {
    const I = api.types.getTypeParser(1186)("1 day").constructor;
    const a = I("2 days");
    const b = new I("");
    const c = new I();
    return [I.name, a, a.constructor === I, b, c, Object.keys(I.prototype), I.prototype.toISO === I.prototype.toISOString];
  }],
  ["interval mutated", (api) => {
    const i = api.types.getTypeParser(1186)("00:00:00");
    i.milliseconds = 250;
    const j = api.types.getTypeParser(1186)("1 day");
    j.seconds = 0;
    const k = api.types.getTypeParser(1186)("-00:00:01.5");
    return [i.toPostgres(), i.toISO(), j.toPostgres(), j.toISOString(), k.toPostgres(), k.toISO(), JSON.stringify(k)];
  }],
  ["interval as parameter", (api) => [
    api.prepareValue(api.types.getTypeParser(1186)("1 year 2 mons 3 days 04:05:06.789")),
    api.prepareValue([api.types.getTypeParser(1186)("-00:00:01"), api.types.getTypeParser(1186)("")]),
  ]],
  ["date round trip", (api) => [
    api.prepareValue(api.types.getTypeParser(1184)("2024-01-02 03:04:05.678+05:30")),
    api.prepareValue(api.types.getTypeParser(1082)("0044-03-15 BC")),
    api.prepareValue(api.types.getTypeParser(1114)("0001-01-01 00:00:00")),
  ]],
  ["parseInputDatesAsUTC", (api) => {
    api.defaults.parseInputDatesAsUTC = true;
    try {
      return [
        api.prepareValue(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), api.prepareValue(new Date("0000-06-01T12:00:00Z")),
        api.prepareValue(new Date("-000044-03-15T12:00:00.000Z")), api.prepareValue(new Date("+012345-01-01T00:00:00.000Z")),
        api.prepareValue([new Date(0), [new Date(-1)]]), api.prepareValue(new Date(NaN)), api.prepareValue({ toPostgres: () => new Date(1) }),
      ];
    } finally {
      api.defaults.parseInputDatesAsUTC = false;
    }
  }],
  ["prepareValue ignores extra arguments", (api) => [1, "a", null].map(api.prepareValue)],
  ["prepareValue keeps the Buffer", (api) => {
    const b = Buffer.from("x");
    return api.prepareValue(b) === b;
  }],
  ["prepareValue shares typed array memory", (api) => {
    const u = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const b = api.prepareValue(u);
    u[0] = 9;
    return [b[0], b.length, b.byteOffset];
  }],
  ["prepareValue toPostgres receives prepare", (api) => {
    let seen;
    api.prepareValue({ toPostgres: (p) => { seen = [typeof p, p(new Date(0)), p([1]), p(null)]; return "x"; } });
    return seen;
  }],
  ["prepareValue getter reads", (api) => {
    let reads = 0;
    const o = { get toPostgres() { reads++; return () => "g"; } };
    return [api.prepareValue(o), reads];
  }],
  ["arrayParser shape", (api) => [Object.keys(api.types.arrayParser), Object.keys(api.types.arrayParser.create("{a}"))]],
];
