//! The job compiler: OpenFn job source → ES module, with `@openfn/compiler`'s transforms
//! (lazy state `$`, promise chains → `defer`, top-level operations → `export default [...]`,
//! adaptor auto-imports) and a line map back to the user's source for error positions.
//!
//! Transforms are applied as text edits located with oxc's parser and semantic analysis, so
//! the user's code is kept verbatim; only what the transforms change is rewritten.

use oxc::allocator::Allocator;
use oxc::ast::ast::{Argument, CallExpression, Expression, IdentifierReference, Statement};
use oxc::ast_visit::{walk, Visit};
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::{GetSpan, SourceType, Span};

/// An adaptor the job may auto-import from.
#[derive(Debug, Clone, Default)]
pub struct AdaptorInfo {
    /// Module specifier, e.g. `@openfn/language-common`.
    pub specifier: String,
    /// Its export names.
    pub exports: Vec<String>,
}

/// Compiler options.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// Adaptors to import undeclared identifiers from (first match wins).
    pub adaptors: Vec<AdaptorInfo>,
    /// Names never auto-imported (e.g. workflow globals).
    pub ignore: Vec<String>,
}

/// One top-level operation: its callee name and 1-based source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    /// Callee name (`fn`, `get`, …).
    pub name: String,
    /// 1-based line in the job source.
    pub line: u32,
}

/// A compiled job.
#[derive(Debug, Clone)]
pub struct CompiledJob {
    /// The ES module.
    pub code: String,
    /// The job's operations, in order.
    pub operations: Vec<OperationInfo>,
    /// Generated line (0-based) → (original line 0-based, column delta on that line).
    line_map: Vec<Option<(u32, i64)>>,
}

impl CompiledJob {
    /// Maps a 1-based (line, column) of [`Self::code`] to the job source.
    pub fn original_position(&self, line: u32, col: u32) -> Option<(u32, u32)> {
        let (orig, delta) = (*self.line_map.get(line.checked_sub(1)? as usize)?)?;
        let column = (i64::from(col) - delta).max(1) as u32;
        Some((orig + 1, column))
    }
}

/// A compile error at a source position.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The source line with a caret under the column.
    pub frame: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}:{})\n{}", self.message, self.line, self.column, self.frame)
    }
}

impl std::error::Error for CompileError {}

fn line_col(source: &str, offset: u32) -> (u32, u32) {
    let before = &source[..(offset as usize).min(source.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
    (line, col)
}

fn error_at(source: &str, offset: u32, message: String) -> CompileError {
    let (line, column) = line_col(source, offset);
    let text = source.lines().nth(line as usize - 1).unwrap_or("");
    let frame = format!("{line}: {text}\n{}^", " ".repeat(format!("{line}: ").len() + column as usize - 1));
    CompileError { message, line, column, frame }
}

/// A replacement of `span` in the source.
#[derive(Debug, Clone)]
struct Edit {
    span: Span,
    text: String,
}

fn apply(source: &str, span: Span, edits: &[Edit]) -> String {
    let mut edits: Vec<&Edit> = edits.iter().filter(|e| e.span.start >= span.start && e.span.end <= span.end).collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::new();
    let mut at = span.start as usize;
    for e in edits {
        if (e.span.start as usize) < at {
            continue;
        }
        out.push_str(&source[at..e.span.start as usize]);
        out.push_str(&e.text);
        at = e.span.end as usize;
    }
    out.push_str(&source[at..span.end as usize]);
    out
}

/// Finds `$` references and the call argument each belongs to.
struct LazyState<'s> {
    source: &'s str,
    args: Vec<(Span, bool)>,
    edits: Vec<Edit>,
    wrapped: Vec<u32>,
    error: Option<CompileError>,
}

impl<'a> Visit<'a> for LazyState<'_> {
    fn visit_call_expression(&mut self, call: &CallExpression<'a>) {
        self.visit_expression(&call.callee);
        for arg in &call.arguments {
            let is_fn = matches!(arg, Argument::ArrowFunctionExpression(_) | Argument::FunctionExpression(_));
            self.args.push((arg.span(), is_fn));
            self.visit_argument(arg);
            self.args.pop();
        }
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if it.name != "$" {
            return;
        }
        match self.args.last() {
            None => {
                if self.error.is_none() {
                    self.error = Some(error_at(
                        self.source,
                        it.span.start,
                        "Invalid use of lazy state: $ can only be used inside an operation argument".into(),
                    ));
                }
            }
            Some(&(arg, is_fn)) => {
                self.edits.push(Edit { span: it.span, text: "state".into() });
                if !is_fn && !self.wrapped.contains(&arg.start) {
                    self.wrapped.push(arg.start);
                    self.edits.push(Edit { span: Span::new(arg.start, arg.start), text: "state => ".into() });
                }
            }
        }
    }

    fn visit_arrow_function_expression(&mut self, it: &oxc::ast::ast::ArrowFunctionExpression<'a>) {
        walk::walk_arrow_function_expression(self, it);
    }
}

/// Compiles an OpenFn job into an ES module.
pub fn compile_job(source: &str, opts: &CompileOptions) -> Result<CompiledJob, CompileError> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
    if let Some(err) = parsed.diagnostics.errors().next() {
        let offset = err.labels.first().map(|l| l.offset() as u32).unwrap_or(0);
        return Err(error_at(source, offset, format!("SyntaxError: {}", err.message)));
    }
    let program = &parsed.program;
    let semantic = SemanticBuilder::new().build(program).semantic;

    // 1. lazy state
    let mut lazy = LazyState { source, args: Vec::new(), edits: Vec::new(), wrapped: Vec::new(), error: None };
    lazy.visit_program(program);
    if let Some(e) = lazy.error {
        return Err(e);
    }
    let mut edits = lazy.edits;

    // 2. promise chains on top-level operations → _defer(op, p => p…, catch)
    let mut uses_defer = false;
    for stmt in &program.body {
        if let Statement::ExpressionStatement(es) = stmt {
            if let Expression::CallExpression(call) = &es.expression {
                if let Some(text) = rebuild_promise_chain(source, call, &edits) {
                    edits.retain(|e| e.span.start < call.span.start || e.span.end > call.span.end);
                    edits.push(Edit { span: call.span, text });
                    uses_defer = true;
                }
            }
        }
    }

    // 3. top-level operations move into `export default [...]`
    let mut operations = Vec::new();
    let mut op_texts: Vec<(String, u32, u32)> = Vec::new();
    let mut has_default = false;
    for stmt in &program.body {
        match stmt {
            Statement::ExpressionStatement(es) if matches!(es.expression, Expression::CallExpression(_)) => {
                let Expression::CallExpression(call) = &es.expression else { continue };
                let text = apply(source, call.span, &edits);
                let (line, col) = line_col(source, call.span.start);
                let name = callee_name(&call.callee);
                operations.push(OperationInfo { name, line });
                op_texts.push((text, line - 1, col - 1));
                // blank the statement, keeping its newlines so lines do not move
                let removed = &source[es.span.start as usize..es.span.end as usize];
                edits.retain(|e| e.span.start < es.span.start || e.span.end > es.span.end);
                edits.push(Edit { span: es.span, text: "\n".repeat(removed.matches('\n').count()) });
            }
            Statement::ExportDefaultDeclaration(_) => has_default = true,
            _ => {}
        }
    }

    // 4. imports for undeclared identifiers the adaptor exports
    let declared_imports: Vec<String> = program
        .body
        .iter()
        .filter_map(|s| if let Statement::ImportDeclaration(d) = s { Some(d) } else { None })
        .flat_map(|d| d.specifiers.iter().flatten().map(|s| s.local().name.to_string()))
        .collect();
    let mut unresolved: Vec<String> = semantic.scoping().root_unresolved_references().keys().map(|k| k.to_string()).collect();
    if uses_defer {
        unresolved.retain(|n| n != "_defer");
    }
    unresolved.sort_by_key(|name| first_use(source, name));
    let mut header = String::new();
    let mut imported_any = false;
    for adaptor in &opts.adaptors {
        let names: Vec<&String> = unresolved
            .iter()
            .filter(|n| adaptor.exports.contains(n) && !opts.ignore.contains(n) && !declared_imports.contains(n))
            .collect();
        if !names.is_empty() {
            header.push_str(&format!(
                "import {{ {} }} from {};\n",
                names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                serde_json::to_string(&adaptor.specifier).unwrap_or_default()
            ));
            imported_any = true;
        }
    }
    if uses_defer {
        header.push_str("import { defer as _defer } from \"@openfn/runtime\";\n");
    }
    if imported_any {
        if let Some(a) = opts.adaptors.first() {
            header.push_str(&format!("export * from {};\n", serde_json::to_string(&a.specifier).unwrap_or_default()));
        }
    }

    let body = apply(source, Span::new(0, source.len() as u32), &edits);
    let header_lines = header.matches('\n').count() as u32;
    let mut code = header;
    code.push_str(&body);
    let body_lines = body.split('\n').count() as u32;
    let mut line_map: Vec<Option<(u32, i64)>> = (0..header_lines).map(|_| None).collect();
    line_map.extend((0..body_lines).map(|l| Some((l, 0))));
    if !has_default {
        if !code.ends_with('\n') {
            code.push('\n');
        }
        let mut gen_line = code.matches('\n').count();
        while line_map.len() < gen_line {
            line_map.push(None);
        }
        if op_texts.is_empty() {
            code.push_str("export default [];\n");
        } else {
            code.push_str("export default [\n");
            line_map.push(None);
            gen_line += 1;
            for (i, (text, orig_line, orig_col)) in op_texts.iter().enumerate() {
                let sep = if i + 1 < op_texts.len() { ",\n" } else { "\n" };
                for (j, _) in text.split('\n').enumerate() {
                    let delta = if j == 0 { -i64::from(*orig_col) } else { 0 };
                    while line_map.len() <= gen_line + j {
                        line_map.push(None);
                    }
                    line_map[gen_line + j] = Some((orig_line + j as u32, delta));
                }
                gen_line += text.split('\n').count();
                code.push_str(text);
                code.push_str(sep);
            }
            code.push_str("];\n");
        }
    }
    Ok(CompiledJob { code, operations, line_map })
}

fn first_use(source: &str, name: &str) -> usize {
    source.find(name).unwrap_or(usize::MAX)
}

fn callee_name(callee: &Expression) -> String {
    match callee {
        Expression::Identifier(id) => id.name.to_string(),
        Expression::StaticMemberExpression(m) => m.property.name.to_string(),
        Expression::CallExpression(c) => callee_name(&c.callee),
        _ => String::new(),
    }
}

/// `op().then(a).catch(b)` → `_defer(op(), p => p.then(a).catch(b))`; a `.catch` directly on
/// the operation becomes `_defer`'s third argument (OpenFn's rule).
fn rebuild_promise_chain(source: &str, call: &CallExpression, edits: &[Edit]) -> Option<String> {
    // collect links from the outside in
    let mut links: Vec<(&str, Span)> = Vec::new();
    let mut current = call;
    loop {
        match &current.callee {
            Expression::StaticMemberExpression(m) if m.property.name == "then" || m.property.name == "catch" => {
                links.push((m.property.name.as_str(), current.span));
                match &m.object {
                    Expression::CallExpression(inner) => current = inner,
                    _ => return None,
                }
            }
            _ => break,
        }
    }
    if links.is_empty() {
        return None;
    }
    let op = current;
    let op_text = apply(source, op.span, edits);
    links.reverse();
    // the text after the op for each link: `.then(args)`
    let mut chain_parts: Vec<(&str, String)> = Vec::new();
    let mut prev_end = op.span.end;
    for (name, span) in &links {
        chain_parts.push((name, apply(source, Span::new(prev_end, span.end), edits)));
        prev_end = span.end;
    }
    let mut catch_fn = None;
    if chain_parts.first().map(|(n, _)| *n) == Some("catch") {
        let (_, text) = chain_parts.remove(0);
        let open = text.find('(')?;
        let inner = text[open + 1..text.len() - 1].trim().to_string();
        catch_fn = Some(inner);
    }
    let chain = if chain_parts.is_empty() {
        "undefined".to_string()
    } else {
        format!("p => p{}", chain_parts.iter().map(|(_, t)| t.as_str()).collect::<String>())
    };
    Some(match catch_fn {
        Some(c) => format!("_defer({op_text}, {chain}, {c})"),
        None => format!("_defer({op_text}, {chain})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common() -> CompileOptions {
        CompileOptions {
            adaptors: vec![AdaptorInfo {
                specifier: "@openfn/language-common".into(),
                exports: vec!["fn".into(), "each".into(), "get".into(), "execute".into()],
            }],
            ignore: vec![],
        }
    }

    #[test]
    fn moves_operations_and_adds_imports() {
        let job = compile_job("const x = 1;\nfn(s => s);\nget('/a');\n", &common()).unwrap();
        assert_eq!(
            job.code,
            "import { fn, get } from \"@openfn/language-common\";\nexport * from \"@openfn/language-common\";\nconst x = 1;\n\n\n\nexport default [\nfn(s => s),\nget('/a')\n];\n"
        );
        assert_eq!(job.operations, vec![OperationInfo { name: "fn".into(), line: 2 }, OperationInfo { name: "get".into(), line: 3 }]);
        // `get('/a')` is on generated line 9, column 1 → source line 3, column 1
        assert_eq!(job.original_position(9, 1), Some((3, 1)));
        assert_eq!(job.original_position(3, 7), Some((1, 7)));
    }

    #[test]
    fn no_imports_no_export_star() {
        let job = compile_job("foo();", &common()).unwrap();
        assert!(!job.code.contains("import"));
        assert!(!job.code.contains("export *"));
        assert!(job.code.contains("export default [\nfoo()\n];"));
    }

    #[test]
    fn lazy_state() {
        let job = compile_job("get($.data.url, { q: `${$.cursor}` });\nfn(state => $.x);", &common()).unwrap();
        assert!(job.code.contains("get(state => state.data.url, state => { q: `${state.cursor}` })"), "{}", job.code);
        assert!(job.code.contains("fn(state => state.x)"));
        let err = compile_job("const a = $.x;", &common()).unwrap_err();
        assert_eq!((err.line, err.column), (1, 11));
    }

    #[test]
    fn promise_chains_become_defer() {
        let job = compile_job("fn(s => s).then(s => s).catch(e => e);\nget('/x').catch(e => 1);", &common()).unwrap();
        assert!(job.code.contains("import { defer as _defer } from \"@openfn/runtime\";"));
        assert!(job.code.contains("_defer(fn(s => s), p => p.then(s => s).catch(e => e))"), "{}", job.code);
        assert!(job.code.contains("_defer(get('/x'), undefined, e => 1)"), "{}", job.code);
    }

    #[test]
    fn syntax_error_has_position_and_frame() {
        let err = compile_job("fn(s => s);\nfn(s => {);", &common()).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.frame.contains("2: fn(s => {);"));
        assert!(err.frame.ends_with('^'));
    }
}
