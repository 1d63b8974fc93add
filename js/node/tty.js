// node:tty -- fnhost never has a terminal.
import { unsupportedClass } from "ext:fnhost/node/_internal.js";
import { defineBuiltin } from "ext:fnhost/04_require.js";

defineBuiltin("tty", () => ({
  isatty: () => false,
  ReadStream: unsupportedClass("tty", "ReadStream", "jobs have no terminal"),
  WriteStream: unsupportedClass("tty", "WriteStream", "jobs have no terminal"),
}));
