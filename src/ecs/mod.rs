//! Reading ECS input: bytes on disk → a `TaskDefinition` plus the findings made while reading.
//!
//! Accepts the shapes users keep on disk: `register-task-definition --cli-input-json` input,
//! `describe-task-definition` output (`{"taskDefinition": …, "tags": …}`), the unwrapped task
//! definition the console shows, and a bare list of container definitions.

pub(crate) mod alb;
pub(crate) mod cdk_assembly;
pub(crate) mod cloudformation;
pub(crate) mod duplicates;
pub(crate) mod estate;
pub(crate) mod instance_volume;
pub(crate) mod reader;
pub(crate) mod scheduled;
pub(crate) mod scheduled_run;
pub(crate) mod secret_source;
pub mod service;
pub mod task_definition;

use crate::report::Code;
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, FieldError, InputProblem, Result};
use crate::json_path::JsonPath;
use crate::report::Report;
use reader::Obj;
pub(crate) use task_definition::TaskDefinition;

/// Which on-disk shape a document had; recorded so the report can say what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Register,
    DescribeWrapped,
    DescribeUnwrapped,
    ContainerList,
}

#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub task: TaskDefinition,
    /// Read by the tests that check each shape is recognised.
    #[cfg_attr(not(test), allow(dead_code))]
    pub shape: Shape,
    pub report: Report,
}

/// Parses a file as JSON (UTF-8, an optional BOM), placeholders filled in from `vars` first.
/// Inputs larger than this are refused: ECS's own limit is 64 KiB, and templates with many
/// resources stay far below it.
pub(crate) const MAX_INPUT_BYTES: u64 = 10 * 1024 * 1024;

/// `-` reads standard input.
pub(crate) fn parse_file(path: &Path, vars: &BTreeMap<String, String>) -> Result<Parsed> {
    let bytes = read_limited(path)?;
    parse_bytes(&bytes, &display_name(path), vars)
}

/// How errors name an input: its path as given, `<stdin>` for `-`.
fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// A file (`-`: standard input) read up to the input limit: a device or a huge file given by
/// mistake (`/dev/zero`) is refused at once instead of read until memory runs out.
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let reader: Box<dyn std::io::Read> = if path == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).map_err(read_err)?)
    };
    crate::bounded::bytes(reader, MAX_INPUT_BYTES).map_err(|unread| match unread {
        crate::bounded::Unread::Io(source) => read_err(source),
        crate::bounded::Unread::TooLarge => Error::Input {
            file: display_name(path),
            problem: InputProblem::TooLarge {
                limit_mib: MAX_INPUT_BYTES >> 20,
            },
        },
    })
}

/// Parses JSON bytes; `file` is the name errors print (the path as the user gave it).
/// A parsed input, and where it wrote a key twice (the last one was kept).
#[derive(Debug)]
pub(crate) struct Parsed {
    pub value: Value,
    pub duplicates: Vec<String>,
}

impl Parsed {
    /// Findings for the duplicates inside the document found at `root`.
    pub(crate) fn duplicates_under(&self, root: &JsonPath) -> Report {
        let mut report = Report::default();
        let prefix = root.pointer();
        for pointer in self.duplicates.iter().filter(|p| p.starts_with(&prefix)) {
            report.push(crate::report::Finding {
                code: Code::DuplicateKey,
                severity: Code::DuplicateKey.severity(),
                pointer: pointer.clone(),
                message: "the key is written twice in one object".into(),
                action: "the last value is used, as the AWS CLI does; delete the other".into(),
                value: None,
                environment: None,
            });
        }
        report
    }
}

pub(crate) fn parse_bytes(
    bytes: &[u8],
    file: &str,
    vars: &BTreeMap<String, String>,
) -> Result<Parsed> {
    let file = file.to_string();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Utf8 {
        file: file.clone(),
        offset: e.valid_up_to(),
    })?;
    if text.trim().is_empty() {
        return Err(Error::Empty { file });
    }
    let text = crate::placeholder::substitute(text, vars).map_err(|unsafe_var| Error::Input {
        file: file.clone(),
        problem: InputProblem::UnsafeVar(unsafe_var.name),
    })?;
    if is_yaml(&file, &text) {
        return match crate::yaml_to_json::parse_full(&text, &[]) {
            Ok(crate::yaml_to_json::Parsed {
                value: Some(value),
                duplicates,
            }) => Ok(Parsed { value, duplicates }),
            Ok(_) => Err(Error::Yaml {
                file,
                line: 1,
                column: 1,
                message: "several YAML documents: not a CloudFormation template or an ECS input"
                    .into(),
            }),
            Err(e) => Err(Error::Yaml {
                file,
                line: e.line,
                column: e.column,
                message: format!("not valid YAML: {}", e.message),
            }),
        };
    }
    let value = serde_json::from_str(&text).map_err(|e| Error::Json {
        file,
        line: e.line(),
        column: e.column(),
        message: json_message(&e),
        hint: placeholder_hint(&text, e.line()),
    })?;
    Ok(Parsed {
        value,
        duplicates: duplicates::duplicate_keys(&text),
    })
}

/// `.yaml`/`.yml` files are YAML; `.json` files are JSON; anything else (a `.template`, stdin)
/// is JSON when it starts like JSON, as CloudFormation itself decides.
fn is_yaml(file: &str, text: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file);
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return true;
    }
    if name.contains(".json") {
        return false;
    }
    !text.trim_start().starts_with(['{', '['])
}

#[cfg(test)]
pub(crate) fn from_str(text: &str, file: &str) -> Result<Loaded> {
    if text.trim().is_empty() {
        return Err(Error::Empty {
            file: file.to_string(),
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| Error::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: json_message(&e),
        hint: placeholder_hint(text, e.line()),
    })?;
    from_value(&value).map_err(|e| Error::field(file, e))
}

fn json_message(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the location is already in front of the message.
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    }
}

/// Task definitions kept in CI pipelines are often templates that are not JSON until a deploy
/// step fills them in; say so instead of leaving the user with a bare syntax error.
/// Names the placeholder that broke the JSON: the one on the error's line, else the first.
fn placeholder_hint(text: &str, line: usize) -> String {
    let on_line = text
        .lines()
        .nth(line.saturating_sub(1))
        .and_then(crate::placeholder::find);
    match on_line.or_else(|| crate::placeholder::find(text)) {
        Some(token) if token.len() <= 80 => format!(
            " (the file contains the placeholder `{token}`; give its value with --var NAME=VALUE or --var-file FILE)"
        ),
        _ => String::new(),
    }
}

/// A character Helm 3 refuses in values even written as an escape (DEL, the C1 controls but
/// NEL, U+FFFE, U+FFFF): the chart would not load, so the input is refused where it holds one.
fn refused_character(value: &Value, path: &JsonPath) -> Option<FieldError> {
    let refused = |s: &str| {
        s.chars()
            .find(|c| matches!(*c as u32, 0x7f..=0x84 | 0x86..=0x9f | 0xfffe | 0xffff))
    };
    let error = |at: &JsonPath, c: char| {
        FieldError::new(
            at,
            format!(
                "holds U+{:04X}, a character Helm 3 refuses in values even escaped; remove it",
                c as u32
            ),
        )
    };
    match value {
        Value::String(s) => refused(s).map(|c| error(path, c)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| refused_character(v, &path.index(i))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let at = path.verbatim(k);
            refused(k)
                .map(|c| error(&at, c))
                .or_else(|| refused_character(v, &at))
        }),
        _ => None,
    }
}

/// Reports every string value that still holds a placeholder. Command lines are left alone:
/// `${VAR}` there is the shell's, expanded when the container runs.
fn report_placeholders(value: &Value, path: &JsonPath, report: &mut Report) {
    match value {
        Value::String(s) => {
            if let Some(token) = crate::placeholder::find(s) {
                report.warn(
                    Code::Placeholder,
                    path,
                    format!("the value holds the placeholder `{token}`"),
                    "kept as the default in values.yaml and flagged there; set it at deploy time, or convert with --var",
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                report_placeholders(v, &path.index(i), report);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                if ["command", "entryPoint", "Command", "EntryPoint"].contains(&k.as_str()) {
                    continue;
                }
                report_placeholders(v, &path.key(k), report);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
pub(crate) fn from_value(value: &Value) -> Result<Loaded, FieldError> {
    from_value_at(value, JsonPath::root())
}

/// Like `from_value`, for a task definition found at `root` inside a larger document.
pub(crate) fn from_value_at(value: &Value, root: JsonPath) -> Result<Loaded, FieldError> {
    if let Some(refused) = refused_character(value, &root) {
        return Err(refused);
    }
    let mut report = Report::default();
    let (task, shape) = match value {
        Value::Object(map)
            if map
                .get(&root.name_of("taskDefinition"))
                .is_some_and(Value::is_object) =>
        {
            let mut outer = Obj::new(value, root.clone())?;
            let (inner, path) = outer
                .raw("taskDefinition", &mut report)
                .expect("checked above: taskDefinition is an object");
            let mut task = task_definition::read_task_definition(
                Obj::new(inner, path)?,
                false,
                &mut report,
            )?;
            task.tags
                .extend(task_definition::read_tags(&mut outer, "tags", &mut report)?);
            outer.finish(&[], &mut report);
            (task, Shape::DescribeWrapped)
        }
        Value::Object(map) if map.contains_key(&root.name_of("containerDefinitions")) => {
            let unwrapped = task_definition::READ_ONLY_FIELDS
                .iter()
                .any(|k| map.contains_key(&root.name_of(k)));
            let task = task_definition::read_task_definition(
                Obj::new(value, root.clone())?,
                unwrapped,
                &mut report,
            )?;
            let shape = if unwrapped {
                Shape::DescribeUnwrapped
            } else {
                Shape::Register
            };
            (task, shape)
        }
        Value::Array(_) if task_definition::looks_like_container_list(value) => {
            (read_container_list(value, &root, &mut report)?, Shape::ContainerList)
        }
        Value::Object(map) if map.contains_key("Resources") => {
            return Err(FieldError::new(
                &root,
                "this is a CloudFormation template; convert its task definitions from a task definition JSON file (CloudFormation input is not supported yet)",
            ))
        }
        Value::Object(_) => {
            return Err(FieldError::new(
                &root,
                "not an ECS task definition: expected `containerDefinitions` (register-task-definition input) or `taskDefinition` (describe-task-definition output)",
            ))
        }
        _ => {
            return Err(FieldError::new(
                &root,
                "not an ECS task definition: expected a JSON object",
            ))
        }
    };
    report_placeholders(value, &root, &mut report);
    Ok(Loaded {
        task,
        shape,
        report,
    })
}

/// A bare list of container definitions, read as a task definition with nothing else set.
fn read_container_list(
    value: &Value,
    root: &JsonPath,
    report: &mut Report,
) -> Result<TaskDefinition, FieldError> {
    let wrapped = serde_json::json!({ "containerDefinitions": value });
    let mut task =
        task_definition::read_task_definition(Obj::new(&wrapped, root.clone())?, false, report)?;
    task.path = root.clone();
    report.warn(
        Code::ContainerList,
        root,
        "the file is a bare list of container definitions, without task-level settings",
        "converted with no volumes, roles or task size; the chart is named from --name or the file name",
    );
    // Paths were read under a synthetic wrapper; findings point into the real array.
    for f in &mut report.findings {
        if let Some(rest) = f.pointer.strip_prefix("/containerDefinitions") {
            f.pointer = rest.to_string();
        }
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        from_str(text, "t.json").unwrap_err().to_string()
    }

    #[test]
    fn reads_the_three_task_definition_shapes() {
        let register =
            r#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]}"#;
        let wrapped = r#"{"taskDefinition":{"family":"web","revision":3,"status":"ACTIVE","containerDefinitions":[{"name":"app","image":"nginx"}]},"tags":[{"key":"team","value":"a"}]}"#;
        let unwrapped = r#"{"family":"web","revision":3,"compatibilities":["EC2"],"containerDefinitions":[{"name":"app","image":"nginx"}]}"#;
        let r = from_str(register, "t.json").unwrap();
        assert_eq!(r.shape, Shape::Register);
        let w = from_str(wrapped, "t.json").unwrap();
        assert_eq!(w.shape, Shape::DescribeWrapped);
        assert_eq!(w.task.revision, Some(3));
        assert_eq!(w.task.tags, vec![("team".to_string(), "a".to_string())]);
        assert!(w.report.warnings().next().is_none(), "{:?}", w.report);
        let u = from_str(unwrapped, "t.json").unwrap();
        assert_eq!(u.shape, Shape::DescribeUnwrapped);
        let ro: Vec<_> = u
            .report
            .findings
            .iter()
            .filter(|f| f.code == Code::ReadOnly)
            .collect();
        assert_eq!(ro.len(), 1);
        assert_eq!(ro[0].pointer, "");
        assert!(
            ro[0].message.contains("compatibilities, revision"),
            "{}",
            ro[0].message
        );
        for t in [r, w, u] {
            assert_eq!(t.task.family.as_deref(), Some("web"));
            assert_eq!(t.task.containers[0].image.as_deref(), Some("nginx"));
        }
    }

    #[test]
    fn bad_input_gives_one_line_with_file_and_path() {
        assert_eq!(
            err(""),
            "t.json: empty file, expected a task definition JSON object"
        );
        assert_eq!(
            err("{\n  \"family\": x"),
            "t.json:2:13: not valid JSON: expected value"
        );
        assert!(err(r#"{"containerPort": ${PORT}}"#).contains("placeholder `${PORT}`"));
        assert_eq!(
            err("[1,2]"),
            "t.json: (top level): not an ECS task definition: expected a JSON object"
        );
        assert_eq!(
            err(r#"{"family":"x","containerDefinitions":[]}"#),
            "t.json: containerDefinitions: expected at least one container definition"
        );
        assert_eq!(
            err(r#"{"containerDefinitions":[{"image":"x"}]}"#),
            "t.json: containerDefinitions[0].name: is required"
        );
        assert_eq!(
            err(r#"{"containerDefinitions":[{"name":"a"},{"name":"a"}]}"#),
            "t.json: containerDefinitions[1].name: duplicate container name \"a\""
        );
        assert_eq!(
            err(r#"{"containerDefinitions":[{"name":"a"},{"name":"b","portMappings":[{"containerPort":-1}]}]}"#),
            "t.json: containerDefinitions[1].portMappings[0].containerPort: expected an integer 0-65535, got -1"
        );
        // A dependency on a container the file does not have is dropped with a warning.
        let lenient = from_str(
            r#"{"containerDefinitions":[{"name":"a","dependsOn":[{"containerName":"z","condition":"START"}]}]}"#,
            "t.json",
        )
        .unwrap();
        assert!(lenient.task.containers[0].depends_on.is_empty());
        assert!(lenient.report.findings.iter().any(|f| f.code == Code::Order
            && f.pointer == "/containerDefinitions/0/dependsOn/0/containerName"));
        assert_eq!(
            err(
                r#"{"containerDefinitions":[{"name":"a","dependsOn":[{"containerName":"b","condition":"START"}]},{"name":"b","dependsOn":[{"containerName":"a","condition":"START"}]}]}"#
            ),
            "t.json: containerDefinitions[1].dependsOn[0]: dependsOn forms a cycle: a -> b -> a"
        );
        assert_eq!(
            err(r#"{"containerDefinitions":[{"name":"a","mountPoints":[{"sourceVolume":"data","containerPath":"/d"}]}]}"#),
            "t.json: containerDefinitions[0].mountPoints[0].sourceVolume: names volume \"data\", which is not declared in `volumes`"
        );
        assert_eq!(
            parse_bytes(b"{\"a\": \"\xff\"}", "t.json", &BTreeMap::new())
                .unwrap_err()
                .to_string(),
            "t.json: not valid UTF-8 (first bad byte at offset 7)"
        );
    }
}
