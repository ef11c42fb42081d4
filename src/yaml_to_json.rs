//! YAML read into the JSON tree the rest of the program works on. CloudFormation's short-form
//! intrinsics (`!Ref`, `!Sub`, `!GetAtt`…) are expanded to their long form, so one reader
//! handles templates in both syntaxes; scalars follow the YAML 1.2 core schema, except under
//! keys whose values are text whatever they look like (a digest of digits stays a string);
//! anchors and aliases are resolved within a byte budget, so an alias bomb is refused, and
//! nesting deeper than any later stage can hold is refused where it starts.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};

/// Where and why a YAML document could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The result for a YAML stream: its first document, or `None` when the stream holds
/// several documents (a Kubernetes manifest, never a CloudFormation template).
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Option<Value>, YamlError> {
    parse_keeping_text(text, &[])
}

/// A document, and the JSON pointers of keys written twice in one mapping (the last wins).
pub(crate) struct Parsed {
    pub value: Option<Value>,
    pub duplicates: Vec<String>,
}

pub(crate) fn parse_keeping_text(
    text: &str,
    text_keys: &[&str],
) -> Result<Option<Value>, YamlError> {
    parse_full(text, text_keys).map(|p| p.value)
}

/// Like `parse`; plain scalars under the keys in `text_keys` stay strings as written.
pub(crate) fn parse_full(text: &str, text_keys: &[&str]) -> Result<Parsed, YamlError> {
    let mut builder = Builder {
        budget: ALIAS_BUDGET,
        ..Builder::default()
    };
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.kind().to_string(),
        })?;
        let at = (span.start.line(), span.start.col() + 1);
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Ok(Parsed {
                        value: None,
                        duplicates: Vec::new(),
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let as_text = tag.is_none()
                    && builder
                        .pending_key()
                        .is_some_and(|k| text_keys.contains(&k));
                let value = if as_text {
                    Value::String(text.to_string())
                } else {
                    scalar(&text, style, tag.as_deref()).map_err(|m| error(at, m))?
                };
                builder.value(value, anchor).map_err(|m| error(at, m))?;
            }
            Event::SequenceStart(_, anchor, tag) => builder
                .open(Open::Seq(Vec::new()), anchor, tag)
                .map_err(|m| error(at, m))?,
            Event::MappingStart(_, anchor, tag) => builder
                .open(Open::Map(Map::new(), None), anchor, tag)
                .map_err(|m| error(at, m))?,
            Event::SequenceEnd | Event::MappingEnd => builder.close().map_err(|m| error(at, m))?,
            Event::Alias(id) => {
                let value = builder
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| error(at, "an alias to an unknown anchor".into()))?;
                builder.spend(bytes(&value)).map_err(|m| error(at, m))?;
                builder.value(value, 0).map_err(|m| error(at, m))?;
            }
            _ => {}
        }
    }
    Ok(Parsed {
        value: builder.root,
        duplicates: builder.duplicates,
    })
}

fn error((line, column): (usize, usize), message: String) -> YamlError {
    YamlError {
        line,
        column,
        message,
    }
}

enum Open {
    Seq(Vec<Value>),
    /// A mapping and the key read last, waiting for its value.
    Map(Map<String, Value>, Option<String>),
}

/// Bytes aliases may add to a document (a repeated anchor counts its full size each time):
/// far beyond what a template or an index uses, far below what exhausts memory.
pub(crate) const ALIAS_BUDGET: usize = 32 << 20;

/// Nesting any stage can hold (serde_json stops at 128): deeper is refused at reading.
pub(crate) const MAX_DEPTH: usize = 100;

#[derive(Default)]
struct Builder {
    stack: Vec<(Open, usize, Option<String>)>,
    anchors: HashMap<usize, Value>,
    root: Option<Value>,
    budget: usize,
    duplicates: Vec<String>,
}

/// What a value costs in memory, roughly: its text plus a word or so per node.
fn bytes(value: &Value) -> usize {
    const NODE: usize = 32;
    match value {
        Value::Array(items) => NODE + items.iter().map(bytes).sum::<usize>(),
        Value::Object(map) => NODE + map.iter().map(|(k, v)| k.len() + bytes(v)).sum::<usize>(),
        Value::String(s) => NODE + s.len(),
        _ => NODE,
    }
}

impl Builder {
    fn spend(&mut self, n: usize) -> Result<(), String> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            format!(
                "aliases expand the document beyond {} MiB",
                ALIAS_BUDGET >> 20
            )
        })?;
        Ok(())
    }

    /// The JSON pointer of `key` in the innermost mapping.
    fn pointer(&self, key: &str) -> String {
        let mut out = String::new();
        let frames = &self.stack[..self.stack.len().saturating_sub(1)];
        for (open, ..) in frames {
            let part = match open {
                Open::Seq(items) => items.len().to_string(),
                Open::Map(_, pending) => pending.clone().unwrap_or_default(),
            };
            out.push('/');
            out.push_str(&part.replace('~', "~0").replace('/', "~1"));
        }
        out.push('/');
        out.push_str(&key.replace('~', "~0").replace('/', "~1"));
        out
    }

    /// The key whose value comes next, in the innermost mapping.
    fn pending_key(&self) -> Option<&str> {
        match self.stack.last() {
            Some((Open::Map(_, Some(key)), ..)) => Some(key),
            _ => None,
        }
    }

    fn open(
        &mut self,
        open: Open,
        anchor: usize,
        tag: Option<std::borrow::Cow<'_, Tag>>,
    ) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        let function = tag.as_deref().and_then(short_form).map(str::to_string);
        self.stack.push((open, anchor, function));
        Ok(())
    }

    fn close(&mut self) -> Result<(), String> {
        let (open, anchor, function) = self.stack.pop().ok_or("unbalanced YAML")?;
        let value = match open {
            Open::Seq(items) => Value::Array(items),
            Open::Map(map, None) => Value::Object(map),
            Open::Map(_, Some(key)) => return Err(format!("the key {key:?} has no value")),
        };
        let value = match function {
            Some(name) => intrinsic(&name, value),
            None => value,
        };
        self.value(value, anchor)
    }

    fn value(&mut self, value: Value, anchor: usize) -> Result<(), String> {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some((Open::Seq(items), ..)) => items.push(value),
            Some((Open::Map(map, key), ..)) => match key.take() {
                Some(key) => {
                    if let Some(pointer) = map.contains_key(&key).then(|| self.pointer(&key)) {
                        self.duplicates.push(pointer);
                    }
                    if let Some((Open::Map(map, _), ..)) = self.stack.last_mut() {
                        map.insert(key, value);
                    }
                }
                None => *key = Some(mapping_key(value)?),
            },
        }
        Ok(())
    }
}

/// CloudFormation keys are strings; a YAML key such as `80` or `true` is read as its text.
fn mapping_key(value: Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        _ => Err("a mapping or sequence used as a key".into()),
    }
}

/// `!Ref` and friends; `None` for standard tags (`!!str`…) and for tags CloudFormation does not
/// define, which are read as plain values.
fn short_form(tag: &Tag) -> Option<&str> {
    if tag.handle() != "!" {
        return None;
    }
    const FUNCTIONS: &[&str] = &[
        "Ref",
        "Condition",
        "Sub",
        "GetAtt",
        "Join",
        "Select",
        "Split",
        "If",
        "Equals",
        "And",
        "Or",
        "Not",
        "FindInMap",
        "Base64",
        "Cidr",
        "GetAZs",
        "ImportValue",
        "Length",
        "ToJsonString",
        "Transform",
    ];
    FUNCTIONS.iter().copied().find(|f| *f == tag.suffix())
}

/// The long form of a short-form intrinsic: `{"Ref": …}`, `{"Condition": …}`, else
/// `{"Fn::<name>": …}`; `!GetAtt a.b` names its attribute after the first dot.
fn intrinsic(name: &str, value: Value) -> Value {
    let value = match (name, value) {
        ("GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
            None => Value::String(s),
        },
        (_, value) => value,
    };
    let key = match name {
        "Ref" | "Condition" => name.to_string(),
        _ => format!("Fn::{name}"),
    };
    Value::Object(Map::from_iter([(key, value)]))
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    if let Some(name) = tag.and_then(short_form) {
        return Ok(intrinsic(name, Value::String(text.to_string())));
    }
    let plain = matches!(style, ScalarStyle::Plain);
    match tag.filter(|t| t.handle() == "tag:yaml.org,2002:" || t.handle() == "!!") {
        Some(t) if t.suffix() == "str" => return Ok(Value::String(text.into())),
        Some(t) if matches!(t.suffix(), "int" | "float" | "bool" | "null") => {
            return typed(text).ok_or_else(|| format!("{text:?} is not a {}", t.suffix()));
        }
        _ => {}
    }
    if !plain {
        return Ok(Value::String(text.into()));
    }
    Ok(typed(text).unwrap_or_else(|| Value::String(text.into())))
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn typed(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    // A number JSON can spell keeps its spelling (1.10, 1e3, 23 digits), so a field that
    // wanted a string reads exactly what was written.
    if let Ok(n) = serde_json::from_str::<Number>(text) {
        return Some(Value::Number(n));
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .map(Number::from)
            .ok()
            .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
            .map(Value::Number);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16)
            .ok()
            .map(|n| Value::Number(n.into()));
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8)
            .ok()
            .map(|n| Value::Number(n.into()));
    }
    let looks_numeric = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_numeric {
        return text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms_expand_to_the_json_form() {
        let text = r#"
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: !Sub "${AWS::StackName}-web"
      TaskRoleArn: !GetAtt Role.Arn
      Cpu: !If [IsProd, "1024", !Ref SmallCpu]
      Memory: !Select [0, !Split [",", !ImportValue Sizes]]
      Tags:
        - Key: env
          Value: !Join ["-", [a, !Ref "AWS::Region"]]
      Plain: !!str 80
      Zone: !Select
        - 0
        - !GetAZs ""
"#;
        let value = parse(text).unwrap().unwrap();
        let props = &value["Resources"]["Task"]["Properties"];
        assert_eq!(props["Family"], json!({"Fn::Sub": "${AWS::StackName}-web"}));
        assert_eq!(props["TaskRoleArn"], json!({"Fn::GetAtt": ["Role", "Arn"]}));
        assert_eq!(
            props["Cpu"],
            json!({"Fn::If": ["IsProd", "1024", {"Ref": "SmallCpu"}]})
        );
        assert_eq!(
            props["Memory"],
            json!({"Fn::Select": [0, {"Fn::Split": [",", {"Fn::ImportValue": "Sizes"}]}]})
        );
        assert_eq!(
            props["Tags"][0]["Value"],
            json!({"Fn::Join": ["-", ["a", {"Ref": "AWS::Region"}]]})
        );
        assert_eq!(props["Plain"], json!("80"));
        assert_eq!(
            props["Zone"],
            json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})
        );
    }

    #[test]
    fn scalars_follow_the_core_schema_and_anchors_resolve() {
        let text = "a: 80\nb: '80'\nc: yes\nd: true\ne: 1.5\nf: ~\ng: &x {k: v}\nh: *x\n";
        let value = parse(text).unwrap().unwrap();
        assert_eq!(
            value,
            json!({"a": 80, "b": "80", "c": "yes", "d": true, "e": 1.5, "f": null,
                   "g": {"k": "v"}, "h": {"k": "v"}})
        );
    }

    #[test]
    fn text_keys_keep_their_spelling_and_alias_bombs_are_refused() {
        let value = parse_keeping_text(
            "digest: 000123\nversion: 1.10\nn: 007\n",
            &["digest", "version"],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            value,
            json!({"digest": "000123", "version": "1.10", "n": 7})
        );
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in "bcdefghij".chars().enumerate() {
            let prev = "abcdefghij".chars().nth(i).unwrap();
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("beyond 32 MiB"), "{e:?}");
        // Few nodes, many bytes: a 1 MiB string repeated through aliases.
        let big = "x".repeat(1 << 20);
        let bomb = format!("a: &a {big}\nb: [{}]\n", vec!["*a"; 40].join(", "));
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("beyond 32 MiB") && e.line == 2, "{e:?}");
        assert!(parse(&format!(
            "a: &a {big}\nb: [{}]\n",
            vec!["*a"; 20].join(", ")
        ))
        .is_ok());
    }

    #[test]
    fn nesting_beyond_what_a_stage_holds_is_refused_where_it_starts() {
        let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        let e = parse(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!((e.line, e.column), (1, MAX_DEPTH + 1), "{e:?}");
        assert!(e.message.contains("nested deeper than 100"), "{e:?}");
        let block: String = (0..300)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect();
        assert!(parse(&block).unwrap_err().message.contains("nested deeper"));
    }

    #[test]
    fn keys_written_twice_are_named() {
        let parsed = parse_full("a: 1\nb:\n  - {x: 1, x: 2}\na: 3\n", &[]).unwrap();
        assert_eq!(parsed.duplicates, ["/b/0/x", "/a"]);
        assert_eq!(parsed.value.unwrap(), json!({"a": 3, "b": [{"x": 2}]}));
    }

    #[test]
    fn streams_of_several_documents_are_not_templates_and_errors_have_a_place() {
        assert_eq!(parse("a: 1\n---\nb: 2\n").unwrap(), None);
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line >= 1 && !e.message.is_empty(), "{e:?}");
    }
}
