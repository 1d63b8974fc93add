//! Runtime errors must point at the user's source, not at the compiled
//! module: this prints the transformed program with oxc's codegen, keeps the
//! source map it produces, and answers "where did this generated position
//! come from".

use std::path::PathBuf;

use oxc::ast::ast::Program;
use oxc::codegen::{Codegen, CodegenOptions, IndentChar};

/// One source map segment, 0-based as in the source map format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Mapping {
    gen_line: u32,
    gen_col: u32,
    src_line: u32,
    src_col: u32,
}

/// Printed module code with its source map.
pub(crate) struct Printed {
    /// The module source.
    pub code: String,
    /// Source map v3 JSON: `sources` is `["<name>.js"]` (with the source
    /// text embedded) and `file` is `<name>.map.js`, as kit names them.
    pub json: String,
    /// Segments sorted by generated position, for lookups.
    pub mappings: Vec<Mapping>,
}

/// Prints `program` (2-space indented) with a source map against the source
/// text it was parsed from.
pub(crate) fn print(program: &Program, name: &str) -> Printed {
    let options = CodegenOptions {
        source_map_path: Some(PathBuf::from(format!("{name}.js"))),
        indent_char: IndentChar::Space,
        indent_width: 2,
        ..CodegenOptions::default()
    };
    let ret = Codegen::new().with_options(options).build(program);
    let Some(mut map) = ret.map else {
        unreachable!("codegen returns a source map when source_map_path is set")
    };
    map.set_file(&format!("{name}.map.js"));
    let mut mappings: Vec<Mapping> = map
        .get_tokens()
        .filter(|t| t.get_source_id().is_some())
        .map(|t| Mapping {
            gen_line: t.get_dst_line(),
            gen_col: t.get_dst_col(),
            src_line: t.get_src_line(),
            src_col: t.get_src_col(),
        })
        .collect();
    mappings.sort_unstable();
    Printed {
        code: ret.code,
        json: map.to_json_string(),
        mappings,
    }
}

/// Finds the original position of a generated position (1-based line and
/// column in and out): the last segment on that line starting at or before
/// the column, as source-map consumers do by default.
pub(crate) fn lookup(mappings: &[Mapping], line: u32, col: u32) -> Option<(u32, u32)> {
    let line = line.checked_sub(1)?;
    let col = col.checked_sub(1)?;
    let after = mappings.partition_point(|m| (m.gen_line, m.gen_col) <= (line, col));
    let m = mappings.get(after.checked_sub(1)?)?;
    (m.gen_line == line).then_some((m.src_line + 1, m.src_col + 1))
}

#[cfg(test)]
mod tests {
    use super::{lookup, Mapping};

    fn m(gen_line: u32, gen_col: u32, src_line: u32, src_col: u32) -> Mapping {
        Mapping {
            gen_line,
            gen_col,
            src_line,
            src_col,
        }
    }

    #[test]
    fn lookup_takes_the_segment_at_or_before_the_column() {
        let maps = [m(0, 0, 0, 0), m(0, 5, 2, 3), m(1, 2, 4, 0)];
        assert_eq!(lookup(&maps, 1, 1), Some((1, 1)));
        assert_eq!(lookup(&maps, 1, 5), Some((1, 1)));
        assert_eq!(lookup(&maps, 1, 6), Some((3, 4)));
        assert_eq!(lookup(&maps, 1, 99), Some((3, 4)));
        // nothing on line 2 before column 3
        assert_eq!(lookup(&maps, 2, 2), None);
        assert_eq!(lookup(&maps, 2, 3), Some((5, 1)));
        assert_eq!(lookup(&maps, 3, 1), None);
        assert_eq!(lookup(&maps, 0, 1), None);
    }
}
