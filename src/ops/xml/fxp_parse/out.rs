//! A JS-value model of the parser's output and its `JSON.stringify` text (property order as JS
//! objects keep it: array-index keys ascending first, then insertion order).

use super::jsnum::push_js_number;
use super::json_str;
use std::collections::HashMap;

#[allow(dead_code)]
#[derive(Debug, Clone)]
pub enum JV {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Arr(Vec<JV>),
    Obj(JObj),
}

impl JV {
    /// `"" + v` for a primitive.
    pub fn to_js_string(&self) -> String {
        match self {
            JV::Str(s) => s.clone(),
            JV::Num(n) => super::jsnum::js_number_to_string(*n),
            JV::Bool(b) => b.to_string(),
            JV::Null => "null".into(),
            JV::Arr(_) | JV::Obj(_) => "[object Object]".into(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct JObj {
    pub items: Vec<(String, JV)>,
    index: Option<HashMap<String, usize>>,
}

const INDEX_AT: usize = 12;

#[allow(dead_code)]
impl JObj {
    pub fn new() -> JObj {
        JObj {
            items: Vec::new(),
            index: None,
        }
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    fn pos(&self, k: &str) -> Option<usize> {
        match &self.index {
            Some(m) => m.get(k).copied(),
            None => self.items.iter().position(|(kk, _)| kk == k),
        }
    }
    pub fn get(&self, k: &str) -> Option<&JV> {
        self.pos(k).map(|p| &self.items[p].1)
    }
    pub fn get_mut(&mut self, k: &str) -> Option<&mut JV> {
        match self.pos(k) {
            Some(p) => Some(&mut self.items[p].1),
            None => None,
        }
    }
    /// `obj[k] = v` with an owned key.
    pub fn set_owned(&mut self, k: String, v: JV) {
        if let Some(p) = self.pos(&k) {
            self.items[p].1 = v;
            return;
        }
        if let Some(m) = &mut self.index {
            m.insert(k.clone(), self.items.len());
        }
        self.items.push((k, v));
        if self.index.is_none() && self.items.len() > INDEX_AT {
            let m: HashMap<String, usize> = self
                .items
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
            self.index = Some(m);
        }
    }
    /// `obj[k] = v`
    pub fn set(&mut self, k: &str, v: JV) {
        if let Some(p) = self.pos(k) {
            self.items[p].1 = v;
            return;
        }
        self.items.push((k.to_string(), v));
        let n = self.items.len();
        if let Some(m) = &mut self.index {
            m.insert(k.to_string(), n - 1);
        } else if n > INDEX_AT {
            let m: HashMap<String, usize> = self
                .items
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
            self.index = Some(m);
        }
    }
}

/// Whether `k` is an array index (`ToString(ToUint32(k)) === k` and `< 2^32 - 1`).
pub fn is_index_key(k: &str) -> bool {
    let b = k.as_bytes();
    if b.is_empty() || b.len() > 10 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if b.len() > 1 && b[0] == b'0' {
        return false;
    }
    k.parse::<u64>().map(|v| v < 4_294_967_295).unwrap_or(false)
}

/// Keys in JS enumeration order.
pub fn ordered_keys<'a, I: Iterator<Item = &'a str> + Clone>(keys: I) -> Vec<&'a str> {
    let mut idx: Vec<&str> = keys.clone().filter(|k| is_index_key(k)).collect();
    if idx.is_empty() {
        return keys.collect();
    }
    idx.sort_by_key(|k| k.parse::<u64>().unwrap());
    idx.extend(keys.filter(|k| !is_index_key(k)));
    idx
}

pub fn write_json(out: &mut String, v: &JV) {
    match v {
        JV::Str(s) => json_str(out, s),
        JV::Num(n) => {
            if n.is_finite() {
                push_js_number(out, *n)
            } else {
                out.push_str("null")
            }
        }
        JV::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JV::Null => out.push_str("null"),
        JV::Arr(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, x);
            }
            out.push(']');
        }
        JV::Obj(o) => write_obj(out, o),
    }
}

pub fn write_obj(out: &mut String, o: &JObj) {
    out.push('{');
    let any_index = o.items.iter().any(|(k, _)| is_index_key(k));
    if !any_index {
        for (i, (k, v)) in o.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_str(out, k);
            out.push(':');
            write_json(out, v);
        }
    } else {
        let keys = ordered_keys(o.items.iter().map(|(k, _)| k.as_str()));
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_str(out, k);
            out.push(':');
            write_json(out, o.get(k).unwrap());
        }
    }
    out.push('}');
}
