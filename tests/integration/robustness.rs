//! No panic on user input: every value of every fixture, replaced by each kind of wrong value,
//! either converts or gives an error.

use serde_json::{json, Value};

use crate::common::cases;

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
    let settings = helm_ecs_import::convert::Options::default();
    let mut runs = 0;
    for case in cases() {
        let original: Value = serde_json::from_slice(&std::fs::read(&case.input).unwrap()).unwrap();
        let mut all = Vec::new();
        paths(&original, Vec::new(), &mut all);
        for path in all.iter().skip(1) {
            for r in &replacements {
                let mut doc = original.clone();
                *at(&mut doc, path) = r.clone();
                let outcome = std::panic::catch_unwind(|| {
                    if let Ok(loaded) = helm_ecs_import::ecs::from_value(&doc) {
                        let mut report = loaded.report;
                        if let Ok(w) = helm_ecs_import::convert::convert(
                            &loaded.task,
                            "t".into(),
                            &settings,
                            &mut report,
                        ) {
                            let values = helm_ecs_import::chart::values::build(&w);
                            let _ = helm_ecs_import::yaml::to_string(&values);
                        }
                    }
                });
                assert!(outcome.is_ok(), "{}: panic with {path:?} = {r}", case.name);
                runs += 1;
            }
        }
    }
    assert!(runs > 5000, "{runs}");
}
