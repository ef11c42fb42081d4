//! The shape of `src/`, checked as data: the module import graph (read from each module's
//! `crate::` and `super::` paths) has no cycle, no file is over 500 lines and no function over
//! 80. `cargo test structure -- --nocapture` prints the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::root;

/// A module: its path below the crate root (`convert::secrets`), empty for the crate root.
type Module = Vec<String>;

struct SourceFile {
    module: Module,
    text: String,
}

fn source_files() -> Vec<SourceFile> {
    let src = root().join("src");
    let mut out = Vec::new();
    collect(&src, &src, &mut out);
    out.sort_by(|a, b| a.module.cmp(&b.module));
    out
}

fn collect(src: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(src, &path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap().with_extension("");
        let mut module: Module = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
            module.pop();
        }
        if module == ["main"] {
            continue;
        }
        out.push(SourceFile {
            module,
            text: std::fs::read_to_string(&path).unwrap(),
        });
    }
}

/// The code a module runs with: comments dropped, and a unit test block at the end of a file
/// (`#[cfg(test)] mod tests`), which imports what it tests, left out.
fn non_test_code(text: &str) -> String {
    let code = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    code.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path that starts with `crate::` or `super::`, use-trees expanded:
/// `crate::{a, b::{c, d}}` gives `crate::a`, `crate::b::c`, `crate::b::d`.
fn referenced_paths(text: &str) -> Vec<Vec<String>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i..].starts_with(b"crate::") || bytes[i..].starts_with(b"super::");
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let after_colons = i >= 2 && &bytes[i - 2..i] == b"::";
        if starts && boundary && !after_colons {
            let (paths, end) = parse_tree(text, i);
            out.extend(paths);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Parses one path or use-tree starting at `at`; returns its expansions and where it ends.
fn parse_tree(text: &str, at: usize) -> (Vec<Vec<String>>, usize) {
    let bytes = text.as_bytes();
    let mut prefix = Vec::new();
    let mut i = at;
    loop {
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i > start {
            prefix.push(text[start..i].to_string());
        }
        if text[i..].starts_with("::{") {
            let mut out = Vec::new();
            i += 3;
            loop {
                while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return (out, i + 1);
                }
                let (inner, end) = parse_tree(text, i);
                for tail in inner {
                    out.push(prefix.iter().cloned().chain(tail).collect());
                }
                i = end;
                // Skip `as name` and anything else up to the next item.
                while i < bytes.len() && bytes[i] != b',' && bytes[i] != b'}' {
                    i += 1;
                }
            }
        }
        if text[i..].starts_with("::") && !text[i..].starts_with("::<") {
            i += 2;
            continue;
        }
        return (vec![prefix], i);
    }
}

/// The module a path names: the longest prefix (made absolute) that is a source file.
fn resolve(from: &Module, path: &[String], modules: &BTreeSet<Module>) -> Option<Module> {
    let mut absolute: Module = Vec::new();
    let mut rest = path;
    if rest.first().is_some_and(|s| s == "crate") {
        rest = &rest[1..];
    } else {
        absolute = from.clone();
        while rest.first().is_some_and(|s| s == "super") {
            absolute.pop();
            rest = &rest[1..];
        }
    }
    absolute.extend(rest.iter().cloned());
    (0..=absolute.len())
        .rev()
        .map(|n| absolute[..n].to_vec())
        .find(|m| modules.contains(m))
}

/// A parent's uses of its own submodules (`containers::apply` in `convert/mod.rs`), written
/// without `crate::` or `self::`, as the absolute paths they stand for.
fn child_paths(code: &str, module: &Module) -> Vec<Vec<String>> {
    let declared: Vec<&str> = code
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix("pub ")
                .or(l.strip_prefix("pub(crate) "))
                .unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';')
        })
        .collect();
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for child in declared {
        let needle = format!("{child}::");
        for (at, _) in code.match_indices(&needle) {
            let before = if at == 0 { b' ' } else { bytes[at - 1] };
            let qualified = before == b':' || before.is_ascii_alphanumeric() || before == b'_';
            if !qualified {
                let mut path: Vec<String> = vec!["crate".into()];
                path.extend(module.iter().cloned());
                path.push(child.to_string());
                out.push(path);
            }
        }
    }
    out
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let files = source_files();
    let modules: BTreeSet<Module> = files.iter().map(|f| f.module.clone()).collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let targets: &mut BTreeSet<Module> = edges.entry(file.module.clone()).or_default();
        let code = non_test_code(&file.text);
        let children = child_paths(&code, &file.module);
        for path in referenced_paths(&code).into_iter().chain(children) {
            if let Some(target) = resolve(&file.module, &path, &modules) {
                if target != file.module && !target.is_empty() {
                    targets.insert(target);
                }
            }
        }
    }
    edges
}

fn name(module: &Module) -> String {
    module.join("::")
}

/// Tarjan's strongly connected components with more than one member: each is a cycle.
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            let Some((w, _)) = s.edges.get_key_value(w) else {
                continue;
            };
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(name(w));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn module_graph_has_no_cycle() {
    let edges = graph();
    for (from, to) in &edges {
        let to: Vec<String> = to.iter().map(name).collect();
        println!("{} -> {}", name(from), to.join(", "));
    }
    let found = cycles(&edges);
    assert!(
        found.is_empty(),
        "module cycles:\n{}",
        found
            .iter()
            .map(|c| c.join(" <-> "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_graph_reader_sees_use_trees_and_super() {
    let paths = referenced_paths("use crate::{a, b::{c, d as e}};\nlet x = super::f::g(1);");
    let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        shown,
        ["crate::a", "crate::b::c", "crate::b::d", "super::f::g"]
    );
    let modules: BTreeSet<Module> = [vec!["x".to_string()], vec!["x".into(), "y".into()]]
        .into_iter()
        .collect();
    let from = vec!["x".to_string(), "y".to_string()];
    let target = resolve(&from, &["super".into(), "helper".into()], &modules);
    assert_eq!(target, Some(vec!["x".to_string()]));
    let mut edges = BTreeMap::new();
    edges.insert(
        vec!["a".to_string()],
        BTreeSet::from([vec!["b".to_string()]]),
    );
    edges.insert(
        vec!["b".to_string()],
        BTreeSet::from([vec!["a".to_string()]]),
    );
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".to_string()]]);
}

#[test]
fn no_source_file_over_500_lines() {
    let long: Vec<String> = source_files()
        .iter()
        .filter(|f| f.text.lines().count() > 500)
        .map(|f| format!("{} ({} lines)", name(&f.module), f.text.lines().count()))
        .collect();
    assert!(long.is_empty(), "files over 500 lines: {long:?}");
}

/// Functions found by rustfmt's layout: a line opening `fn NAME` ends at the first line
/// holding only `}` at the same indentation.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let signature = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "async fn ",
        ]
        .iter()
        .find_map(|p| trimmed.strip_prefix(p));
        let Some(rest) = signature else { continue };
        if trimmed.ends_with(';') {
            continue;
        }
        let fn_name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i..].iter().position(|l| *l == close) {
            out.push((fn_name, end + 1));
        }
    }
    out
}

#[test]
fn no_function_over_80_lines() {
    let mut long = Vec::new();
    for file in source_files() {
        for (function, lines) in function_lengths(&file.text) {
            if lines > 80 {
                long.push(format!(
                    "{}::{function} ({lines} lines)",
                    name(&file.module)
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 80 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn function_lengths_follow_rustfmt_layout() {
    let text = "fn a() {\n    x();\n}\n\nimpl T {\n    pub fn b(&self) {\n        y();\n        z();\n    }\n}\n";
    assert_eq!(
        function_lengths(text),
        vec![("a".to_string(), 3), ("b".to_string(), 4)]
    );
}
