//! Generated from @nodable/entities 3.1.0 (XML, COMMON_HTML, CURRENCY) — the named entity maps fast-xml-parser 5.12.1 uses.

pub const XML: &[(&str, &str)] = &[
    ("amp", "&"),
    ("apos", "'"),
    ("gt", ">"),
    ("lt", "<"),
    ("quot", "\""),
];

pub const COMMON_HTML: &[(&str, &str)] = &[
    ("nbsp", "\u{a0}"),
    ("copy", "\u{a9}"),
    ("reg", "\u{ae}"),
    ("trade", "\u{2122}"),
    ("mdash", "\u{2014}"),
    ("ndash", "\u{2013}"),
    ("hellip", "\u{2026}"),
    ("laquo", "\u{ab}"),
    ("raquo", "\u{bb}"),
    ("lsquo", "\u{2018}"),
    ("rsquo", "\u{2019}"),
    ("ldquo", "\u{201c}"),
    ("rdquo", "\u{201d}"),
    ("bull", "\u{2022}"),
    ("para", "\u{b6}"),
    ("sect", "\u{a7}"),
    ("deg", "\u{b0}"),
    ("frac12", "\u{bd}"),
    ("frac14", "\u{bc}"),
    ("frac34", "\u{be}"),
];

pub const CURRENCY: &[(&str, &str)] = &[
    ("cent", "\u{a2}"),
    ("pound", "\u{a3}"),
    ("curren", "\u{a4}"),
    ("yen", "\u{a5}"),
    ("euro", "\u{20ac}"),
    ("dollar", "$"),
    ("fnof", "\u{192}"),
    ("inr", "\u{20b9}"),
    ("af", "\u{60b}"),
    ("birr", "\u{1265}\u{122d}"),
    ("peso", "\u{20b1}"),
    ("rub", "\u{20bd}"),
    ("won", "\u{20a9}"),
    ("yuan", "\u{a5}"),
    ("cedil", "\u{b8}"),
];
