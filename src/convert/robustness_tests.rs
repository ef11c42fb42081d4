//! No panic on user input: every value of every fixture, replaced by each kind of wrong value,
//! either converts or gives an error. A unit test, so it drives the rules directly.

use serde_json::{json, Value};

/// The bundled examples and every fixture's task definition.
fn fixtures() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples", "tests/fixtures"] {
        let mut keep = |rel: &str, is_dir: bool| {
            is_dir
                || rel.ends_with(".json")
                    && (dir == "examples" || rel.ends_with("/task-definition.json"))
        };
        out.extend(
            crate::walk::walk_all(&root.join(dir), &mut keep)
                .unwrap()
                .files
                .into_iter()
                .map(|e| e.path),
        );
    }
    assert!(out.len() > 10, "{out:?}");
    out
}

fn paths(v: &Value, prefix: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| {
            let mut p = prefix.clone();
            p.push(json!(k));
            paths(c, p, out)
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| {
            let mut p = prefix.clone();
            p.push(json!(i));
            paths(c, p, out)
        }),
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, seg| match seg {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

#[test]
fn wrong_values_anywhere_never_panic() {
    let replacements = [
        json!(null),
        json!(""),
        json!(-1),
        json!(1e300),
        json!("x y"),
        json!([]),
        json!({}),
        json!([{"a": 1}]),
        json!("${X}"),
    ];
    let settings = crate::convert::Options::default();
    let mut runs = 0;
    for input in fixtures() {
        let original: Value = serde_json::from_slice(&std::fs::read(&input).unwrap()).unwrap();
        let mut all = Vec::new();
        paths(&original, Vec::new(), &mut all);
        for path in all.iter().skip(1) {
            for r in &replacements {
                let mut doc = original.clone();
                *at(&mut doc, path) = r.clone();
                let outcome = std::panic::catch_unwind(|| {
                    if let Ok(loaded) = crate::ecs::from_value(&doc) {
                        let mut report = loaded.report;
                        let source = crate::convert::Source {
                            task: &loaded.task,
                            service: None,
                            options: &settings,
                            instance_volumes: &[],
                        };
                        if let Ok(w) = crate::convert::convert(source, "t".into(), &mut report) {
                            let values = crate::chart::values::build(&w);
                            let _ = crate::yaml::to_string(&values);
                        }
                    }
                });
                assert!(
                    outcome.is_ok(),
                    "{}: panic with {path:?} = {r}",
                    input.display()
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 5000, "{runs}");
}
