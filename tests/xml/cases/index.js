// The XML bridge tests' case lists, one module per library.
export * as xml2js from "./xml2js.js";
export * as fxpBuilder from "./fxp_builder.js";
export * as fxpParser from "./fxp_parser.js";
export * as builders from "./builders.js";
