//! Saving a message filter from the history's filter editor into the project file.
//!
//! The project file is the user's own writing (comments, order, layout), so it is not
//! re-serialised: only the text of one job's `inclusion` / `exclusion` (or its one-line flow
//! `trigger:` / `message:` value) is replaced, with the fragment written as JSON (which is
//! YAML). The result is then parsed again and must equal the old project with exactly that
//! filter changed; a layout this edit cannot change safely is refused with a message, never
//! written half-right.

use std::path::Path;

use serde_json::Value;

use super::{Project, TriggerSpec};
use crate::triggers::MessageFilter;

/// Why a filter was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The request names no job with a message trigger, or the file is broken.
    Invalid(String),
    /// The file is laid out in a way this edit cannot change safely.
    Layout(String),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Invalid(m) | EditError::Layout(m) => f.write_str(m),
        }
    }
}

/// The project file `text` (read from `path`) with job `job`'s message filter replaced by
/// `filter`; everything else is left as written.
pub fn set_message_filter(
    path: &Path,
    text: &str,
    job: &str,
    filter: &MessageFilter,
) -> Result<String, EditError> {
    let old = Project::parse(path, text).map_err(|e| EditError::Invalid(e.to_string()))?;
    let Some(spec) = old.file.jobs.iter().find(|j| j.name == job) else {
        return Err(EditError::Invalid(format!(
            "the project has no job `{job}`"
        )));
    };
    let TriggerSpec::Message { inbox, .. } = &spec.trigger else {
        return Err(EditError::Invalid(format!(
            "job `{job}` is not triggered by messages: only message filters are edited here"
        )));
    };
    if !filter.inclusion.is_object() {
        return Err(EditError::Invalid(
            "the inclusion fragment must be a JSON object".into(),
        ));
    }
    if filter.exclusion.as_ref().is_some_and(|e| !e.is_object()) {
        return Err(EditError::Invalid(
            "the exclusion fragment must be a JSON object".into(),
        ));
    }
    let lines = Lines::new(text);
    let edited = lines
        .replace_filter(job, inbox.as_deref(), filter)
        .ok_or_else(|| layout(job))?;

    // the result must be the old project with exactly this filter changed
    let new = Project::parse(path, &edited).map_err(|_| layout(job))?;
    let mut expected = old.file.clone();
    for j in &mut expected.jobs {
        if j.name == job {
            j.trigger = TriggerSpec::Message {
                inbox: inbox.clone(),
                filter: filter.clone(),
            };
        }
    }
    let same = serde_json::to_value(&expected).ok() == serde_json::to_value(&new.file).ok();
    if !same {
        return Err(layout(job));
    }
    Ok(edited)
}

/// Writes `text` over the project file atomically (a sibling file renamed over it, keeping
/// the file's permissions), so the server's watcher never reads half a file.
pub fn write_project(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project.yaml".into());
    let tmp = path.with_file_name(format!(".{name}.fnhost-edit"));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn layout(job: &str) -> EditError {
    EditError::Layout(format!(
        "the filter of job `{job}` is written in a way the editor cannot change safely: \
         edit the project file by hand (nothing was written)"
    ))
}

/// The file's lines, with their indentation, for finding a value's span.
struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            lines: text.split_inclusive('\n').collect(),
        }
    }

    fn indent(line: &str) -> usize {
        line.len() - line.trim_start_matches(' ').len()
    }

    /// Blank lines and comments say nothing about where a block ends.
    fn is_filler(line: &str) -> bool {
        let t = line.trim();
        t.is_empty() || t.starts_with('#')
    }

    /// The line index after the block that starts at `start` and whose contents are indented
    /// more than `indent`.
    fn block_end(&self, start: usize, indent: usize) -> usize {
        let mut end = start + 1;
        let mut i = start + 1;
        while i < self.lines.len() {
            let line = self.lines[i];
            if !Lines::is_filler(line) {
                if Lines::indent(line) <= indent {
                    break;
                }
                end = i + 1;
            }
            i += 1;
        }
        end
    }

    /// The line `key:` (as a mapping key at `indent`, or after a list dash) in `range`:
    /// its index, the key's column and the text after the colon.
    fn find_key(
        &self,
        range: std::ops::Range<usize>,
        indent: Option<usize>,
        key: &str,
    ) -> Option<(usize, usize, &'a str)> {
        for i in range {
            let line = self.lines[i];
            let mut col = Lines::indent(line);
            let mut rest = &line[col..];
            if let Some(after) = rest.strip_prefix("- ") {
                let pad = after.len() - after.trim_start_matches(' ').len();
                col += 2 + pad;
                rest = &after[pad..];
            }
            if indent.is_some_and(|want| want != col) {
                continue;
            }
            if let Some(value) = rest.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
                if value.is_empty() || value.starts_with([' ', '\n', '\r']) {
                    return Some((i, col, value));
                }
            }
        }
        None
    }

    /// The job item whose `name:` is `job`: the range of its lines and the column of its keys.
    fn job_item(&self, job: &str) -> Option<(std::ops::Range<usize>, usize)> {
        let (name_line, col, value) = self.find_named(job)?;
        let _ = value;
        // the item starts at the dash at `col - 2` (at or above the name line)
        let mut start = name_line;
        loop {
            let line = self.lines[start];
            let dash = Lines::indent(line);
            if line[dash..].starts_with("- ") && dash + 2 <= col {
                break;
            }
            if start == 0 {
                return None;
            }
            start -= 1;
        }
        let dash = Lines::indent(self.lines[start]);
        Some((start..self.block_end(start, dash), col))
    }

    fn find_named(&self, job: &str) -> Option<(usize, usize, &'a str)> {
        let mut from = 0;
        while from < self.lines.len() {
            let (i, col, value) = self.find_key(from..self.lines.len(), None, "name")?;
            let v = strip_comment(value).trim();
            let unquoted = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            if unquoted == job {
                return Some((i, col, value));
            }
            from = i + 1;
        }
        None
    }

    /// Replaces the value after `key:` on line `at` (and its block, if it has one) by
    /// `value` written on that line.
    fn set_value(&self, out: &mut Vec<String>, at: usize, col: usize, key: &str, value: &str) {
        let end = self.block_end(at, col);
        let head = &self.lines[at][..self.lines[at].find(&format!("{key}:")).unwrap_or(col)];
        out.splice(
            at..end,
            std::iter::once(format!("{head}{key}: {value}\n"))
                .chain(std::iter::repeat_n(String::new(), end - at - 1)),
        );
    }

    fn replace_filter(
        &self,
        job: &str,
        inbox: Option<&str>,
        filter: &MessageFilter,
    ) -> Option<String> {
        let (item, col) = self.job_item(job)?;
        let mut out: Vec<String> = self.lines.iter().map(|l| l.to_string()).collect();
        let (t_line, t_col, t_value) = self.find_key(item.clone(), Some(col), "trigger")?;
        let message_flow = |inbox: Option<&str>| {
            let mut m = serde_json::Map::new();
            if let Some(inbox) = inbox {
                m.insert("inbox".into(), Value::String(inbox.into()));
            }
            m.insert("inclusion".into(), filter.inclusion.clone());
            if let Some(e) = &filter.exclusion {
                m.insert("exclusion".into(), e.clone());
            }
            Value::Object(m)
        };
        if !strip_comment(t_value).trim().is_empty() {
            // trigger: { message: {...} } on one line
            let v = serde_json::json!({ "message": message_flow(inbox) });
            self.set_value(&mut out, t_line, t_col, "trigger", &v.to_string());
            return Some(out.concat());
        }
        let t_block = t_line + 1..self.block_end(t_line, t_col);
        let (m_line, m_col, m_value) = self.find_key(t_block, None, "message")?;
        if !strip_comment(m_value).trim().is_empty() {
            let v = message_flow(inbox);
            self.set_value(&mut out, m_line, m_col, "message", &v.to_string());
            return Some(out.concat());
        }
        let m_block = m_line + 1..self.block_end(m_line, m_col);
        let (i_line, i_col, _) = self.find_key(m_block.clone(), None, "inclusion")?;
        let exclusion = self.find_key(m_block, Some(i_col), "exclusion");
        self.set_value(
            &mut out,
            i_line,
            i_col,
            "inclusion",
            &filter.inclusion.to_string(),
        );
        match (exclusion, &filter.exclusion) {
            (Some((e_line, e_col, _)), Some(e)) => {
                self.set_value(&mut out, e_line, e_col, "exclusion", &e.to_string());
            }
            (Some((e_line, e_col, _)), None) => {
                let end = self.block_end(e_line, e_col);
                for line in &mut out[e_line..end] {
                    line.clear();
                }
            }
            (None, Some(e)) => {
                let pad = " ".repeat(i_col);
                out[i_line].push_str(&format!("{pad}exclusion: {e}\n"));
            }
            (None, None) => {}
        }
        Some(out.concat())
    }
}

/// `value` without a trailing ` # comment` (outside quotes).
fn strip_comment(value: &str) -> &str {
    let mut quote = None;
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), c) if c == q => quote = None,
            (None, b'#') if i == 0 || bytes[i - 1] == b' ' => return &value[..i],
            _ => {}
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BLOCK: &str = "# my project\ninboxes:\n  - name: kobo\n    key: kobo-key-0001\njobs:\n  - name: other\n    adaptor: common\n    expression: fn(s => s)\n    trigger:\n      message:\n        inclusion: {\"form\": \"other\"}\n  - name: household   # the Kobo survey\n    adaptor: common\n    expression: |\n      fn(state => state)\n    trigger:\n      message:\n        inbox: kobo\n        inclusion:\n          form: household_survey   # the form id\n          version: 2\n        exclusion: {\"test\": true}\n    retries: { max: 2 }\n";

    fn filter(inclusion: Value, exclusion: Option<Value>) -> MessageFilter {
        MessageFilter {
            inclusion,
            exclusion,
        }
    }

    fn edit(text: &str, job: &str, f: &MessageFilter) -> Result<String, EditError> {
        set_message_filter(Path::new("/tmp/project.yaml"), text, job, f)
    }

    fn trigger(text: &str, job: &str) -> TriggerSpec {
        let p = Project::parse(Path::new("/tmp/project.yaml"), text).unwrap();
        p.file
            .jobs
            .into_iter()
            .find(|j| j.name == job)
            .unwrap()
            .trigger
    }

    #[test]
    fn a_block_filter_is_replaced_and_the_rest_of_the_file_is_kept_as_written() {
        let f = filter(
            json!({"form": "household_v3"}),
            Some(json!({"test": "yes"})),
        );
        let out = edit(BLOCK, "household", &f).unwrap();
        assert_eq!(
            trigger(&out, "household"),
            TriggerSpec::Message {
                inbox: Some("kobo".into()),
                filter: f
            }
        );
        assert!(out.starts_with("# my project\n"), "{out}");
        assert!(
            out.contains("  - name: household   # the Kobo survey\n"),
            "{out}"
        );
        assert!(
            out.contains("        inclusion: {\"form\":\"household_v3\"}\n"),
            "{out}"
        );
        assert!(
            out.contains("        exclusion: {\"test\":\"yes\"}\n"),
            "{out}"
        );
        assert!(out.contains("    retries: { max: 2 }\n"), "{out}");
        assert!(!out.contains("version: 2"), "{out}");
        // the other job is untouched
        assert!(
            out.contains("        inclusion: {\"form\": \"other\"}\n"),
            "{out}"
        );
    }

    #[test]
    fn an_exclusion_is_added_or_removed() {
        let removed = edit(BLOCK, "household", &filter(json!({"a": 1}), None)).unwrap();
        assert!(!removed.contains("exclusion"), "{removed}");
        let added = edit(
            &removed,
            "household",
            &filter(json!({"a": 1}), Some(json!({"b": [1, 2]}))),
        )
        .unwrap();
        assert!(
            added.contains("        exclusion: {\"b\":[1,2]}\n"),
            "{added}"
        );
        let other = edit(
            BLOCK,
            "other",
            &filter(json!({"x": "y"}), Some(json!({"z": 1}))),
        )
        .unwrap();
        assert_eq!(
            trigger(&other, "other"),
            TriggerSpec::Message {
                inbox: None,
                filter: filter(json!({"x": "y"}), Some(json!({"z": 1})))
            }
        );
    }

    #[test]
    fn flow_triggers_are_rewritten_on_their_line() {
        let text = "jobs:\n  - name: j\n    adaptor: common\n    expression: fn(s => s)\n    trigger: { message: { inbox: kobo, inclusion: { form: a } } }   # note\n    retries: { max: 1 }\ninboxes:\n  - name: kobo\n    key: kobo-key-0001\n";
        let f = filter(
            json!({"form": "b", "quote": "it's \"x\" # not a comment"}),
            None,
        );
        let out = edit(text, "j", &f).unwrap();
        assert_eq!(
            trigger(&out, "j"),
            TriggerSpec::Message {
                inbox: Some("kobo".into()),
                filter: f
            }
        );
        assert!(out.contains("    retries: { max: 1 }\n"), "{out}");
    }

    #[test]
    fn what_cannot_be_edited_is_refused_without_writing() {
        let f = filter(json!({"a": 1}), None);
        let said = |r: Result<String, EditError>| match r {
            Err(EditError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(said(edit(BLOCK, "nobody", &f)).contains("no job `nobody`"));
        let cron = "jobs:\n  - name: c\n    adaptor: common\n    expression: fn(s => s)\n    trigger: { cron: '* * * * *' }\n";
        assert!(said(edit(cron, "c", &f)).contains("not triggered by messages"));
        assert!(said(edit(BLOCK, "household", &filter(json!([1]), None))).contains("JSON object"));
        // a flow mapping closed on a line of its own is not a span this edit can see
        let odd = "inboxes:\n  - name: kobo\n    key: kobo-key-0001\njobs:\n  - name: j\n    adaptor: common\n    expression: fn(s => s)\n    trigger:\n      message:\n        inclusion: {\n          form: a\n        }\n";
        if let Ok(out) = edit(odd, "j", &f) {
            // if it was edited, it must be exactly right
            assert_eq!(
                trigger(&out, "j"),
                TriggerSpec::Message {
                    inbox: None,
                    filter: f.clone()
                }
            );
        }
    }

    #[test]
    fn comments_are_told_apart_from_hashes_in_values() {
        assert_eq!(strip_comment(" a # b"), " a ");
        assert_eq!(strip_comment(" \"a # b\" # c"), " \"a # b\" ");
        assert_eq!(strip_comment(" a#b"), " a#b");
    }
}
