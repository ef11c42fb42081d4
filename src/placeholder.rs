//! Placeholders that CI pipelines keep in task definitions for a deploy step to fill in:
//! CodeDeploy's `<IMAGE1_NAME>`, envsubst and Terraform `${VAR}`, Go templates and ecspresso's
//! `{{ must_env `X` }}`, and tokens such as `YOUR_ACCOUNT_ID`. They are found (so the report and
//! values.yaml can flag them) and substituted from `--var`/`--var-file` before parsing, which also
//! makes files that are not JSON until filled in (`"containerPort": ${PORT}`) readable.

use std::collections::BTreeMap;

/// Tokens that stand for a value to be filled in, matched as whole words.
const TOKENS: &[&str] = &["REPLACE_ME", "CHANGE_ME", "CHANGEME", "TODO_REPLACE"];

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The variable a `{{ … }}` expression names: `X`, `.X`, `must_env `X``, `env "X"`.
fn template_name(inner: &str) -> Option<String> {
    let inner = inner
        .trim()
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    let mut words = inner.split_whitespace();
    let first = words.next()?;
    let name = match first {
        "must_env" | "env" => words.next()?.trim_matches(|c| c == '`' || c == '"'),
        _ => first.trim_start_matches('.'),
    };
    (!name.is_empty() && name.chars().all(|c| is_ident(c) || c == '.')).then(|| name.to_string())
}

/// A placeholder at the start of `text`: (its length, the variable it names).
fn at(text: &str) -> Option<(usize, String)> {
    if let Some(rest) = text.strip_prefix("${") {
        let end = rest.find('}')?;
        let name = &rest[..end];
        if !name.is_empty() && name.chars().all(|c| is_ident(c) || ".:-".contains(c)) {
            return Some((end + 3, name.to_string()));
        }
    }
    if let Some(rest) = text.strip_prefix("{{") {
        let end = rest.find("}}")?;
        return Some((
            end + 4,
            template_name(&rest[..end]).unwrap_or_else(|| rest[..end].trim().to_string()),
        ));
    }
    if let Some(rest) = text.strip_prefix('<') {
        let end = rest.find('>')?;
        let name = &rest[..end];
        if !name.is_empty()
            && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return Some((end + 2, name.to_string()));
        }
    }
    None
}

fn word_token(text: &str, previous: Option<char>) -> Option<(usize, String)> {
    if previous.is_some_and(is_ident) {
        return None;
    }
    let word: String = text.chars().take_while(|c| is_ident(*c)).collect();
    let is_token = TOKENS.contains(&word.as_str())
        || (word.starts_with("YOUR_")
            && word.len() > 5
            && word.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
    is_token.then_some((word.len(), word))
}

/// The first placeholder in a string value, as written.
pub(crate) fn find(text: &str) -> Option<String> {
    let mut previous = None;
    for (i, c) in text.char_indices() {
        if let Some((len, _)) = at(&text[i..]).or_else(|| word_token(&text[i..], previous)) {
            return Some(text[i..i + len].to_string());
        }
        previous = Some(c);
    }
    None
}

fn lookup<'a>(vars: &'a BTreeMap<String, String>, name: &str) -> Option<&'a String> {
    vars.get(name)
        .or_else(|| vars.get(name.strip_prefix("var.")?))
}

/// Substitutes placeholders whose variable is in `vars`. Inside a JSON string the value is
/// escaped as string content; outside one (`"port": ${PORT}`) it is inserted as it is.
pub(crate) fn substitute(text: &str, vars: &BTreeMap<String, String>) -> Result<String, UnsafeVar> {
    if vars.is_empty() {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut previous = None;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().expect("i is on a char boundary");
        if !escaped {
            if let Some((len, name)) = at(rest).or_else(|| word_token(rest, previous)) {
                if let Some(value) = lookup(vars, &name) {
                    if in_string {
                        let quoted = serde_json::to_string(value).expect("strings serialize");
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    } else if changes_structure(value) {
                        return Err(UnsafeVar { name });
                    } else {
                        out.push_str(value);
                    }
                    i += len;
                    previous = None;
                    continue;
                }
            }
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        previous = Some(c);
        i += c.len_utf8();
    }
    Ok(out)
}

/// A value that would change the input's structure where its placeholder stands outside a
/// quoted string: a line break or control character, or JSON/YAML syntax. Such a value is
/// refused rather than substituted, so a `--var` never adds a key (`privileged: true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnsafeVar {
    pub name: String,
}

fn changes_structure(value: &str) -> bool {
    if value.parse::<f64>().is_ok_and(f64::is_finite) {
        return false;
    }
    value.chars().any(|c| {
        c.is_control()
            || matches!(
                c,
                '{' | '}'
                    | '['
                    | ']'
                    | ','
                    | '"'
                    | '\''
                    | '#'
                    | '&'
                    | '*'
                    | '!'
                    | '|'
                    | '>'
                    | '%'
                    | '@'
                    | '`'
            )
    }) || value.contains(": ")
        || value.ends_with(':')
        || value.starts_with(['-', '?', ' '])
        || value.ends_with(' ')
}

/// `--var-file`: `NAME=VALUE` lines (`#` comments, optional `export`), or a JSON object.
pub(crate) fn parse_var_file(text: &str) -> Result<BTreeMap<String, String>, String> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) {
        return Ok(map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect());
    }
    let mut vars = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected NAME=VALUE", n + 1))?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        vars.insert(k.trim().to_string(), v.to_string());
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_usual_placeholder_forms() {
        assert_eq!(find("<IMAGE1_NAME>").as_deref(), Some("<IMAGE1_NAME>"));
        assert_eq!(find("repo:${TAG}").as_deref(), Some("${TAG}"));
        assert_eq!(
            find("{{ must_env `IMAGE` }}").as_deref(),
            Some("{{ must_env `IMAGE` }}")
        );
        assert_eq!(
            find("arn:aws:iam::YOUR_ACCOUNT_ID:role/x").as_deref(),
            Some("YOUR_ACCOUNT_ID")
        );
        assert_eq!(find("$HOME/bin"), None);
        assert_eq!(find("a < b > c"), None);
        assert_eq!(find("Section__Key"), None);
        assert_eq!(find("MY_YOUR_X"), None);
    }

    #[test]
    fn substitutes_inside_and_outside_strings() {
        let vars: BTreeMap<String, String> = [
            ("PORT", "8080"),
            ("IMAGE1_NAME", "nginx:1.25"),
            ("MSG", "say \"hi\""),
            ("IMAGE", "x"),
            ("var.region", "eu-west-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let text = r#"{"image": "<IMAGE1_NAME>", "containerPort": ${PORT}, "m": "${MSG}", "e": "{{ must_env `IMAGE` }}", "r": "${var.region}", "keep": "${OTHER} $HOME"}"#;
        let out = substitute(text, &vars).unwrap();
        assert_eq!(
            out,
            r#"{"image": "nginx:1.25", "containerPort": 8080, "m": "say \"hi\"", "e": "x", "r": "eu-west-1", "keep": "${OTHER} $HOME"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["m"], "say \"hi\"");
    }

    #[test]
    fn a_value_that_would_change_the_structure_is_refused_unquoted() {
        let vars: BTreeMap<String, String> = [
            ("EVIL", "x\nprivileged: true"),
            ("PORT", "8080, \"privileged\": true"),
            ("NEG", "-1"),
            ("ARN", "arn:aws:iam::1:role/x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            substitute("image: ${EVIL}\n", &vars),
            Err(UnsafeVar {
                name: "EVIL".into()
            })
        );
        assert!(substitute(r#"{"containerPort": ${PORT}}"#, &vars).is_err());
        // Inside a quoted string it is escaped, so the same value is safe there.
        let quoted = substitute("image: \"${EVIL}\"\n", &vars).unwrap();
        assert_eq!(quoted, "image: \"x\\nprivileged: true\"\n");
        assert_eq!(
            substitute("cpu: ${NEG}\nrole: ${ARN}\n", &vars).unwrap(),
            "cpu: -1\nrole: arn:aws:iam::1:role/x\n"
        );
    }

    #[test]
    fn var_files_in_dotenv_or_json() {
        let v = parse_var_file("# c\nexport TAG=1.2\nNAME = \"web app\"\n").unwrap();
        assert_eq!(v["TAG"], "1.2");
        assert_eq!(v["NAME"], "web app");
        assert_eq!(parse_var_file(r#"{"PORT": 80}"#).unwrap()["PORT"], "80");
        assert!(parse_var_file("oops").is_err());
    }
}
