//! appVersion names the application the chart runs. When a re-import keeps the user's image
//! tag (their edit, or `--ours` settling a conflict), Chart.yaml's appVersion follows the tag
//! that is kept rather than the one the input named.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::ChartMeta;

/// The main container's image tag in a values.yaml.
fn main_tag(values: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(values).ok()?;
    let values = crate::yaml_to_json::parse_keeping_text(text, &["tag"]).ok()??;
    let main = values.get("defaultContainer")?.as_str()?;
    let tag = values.pointer(&format!(
        "/containers/{}/image/tag",
        main.replace('~', "~0").replace('/', "~1")
    ))?;
    match tag {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// When the final values.yaml runs another tag than the generated one: rewrites the final
/// Chart.yaml in `files` if its appVersion (as it ends up) still names the generated tag, and
/// returns the generated Chart.yaml with appVersion naming the kept tag: the tool's own
/// Chart.yaml for these values, the merge base for the next import.
pub(super) fn follow(
    generated: &BTreeMap<String, Vec<u8>>,
    files: &mut BTreeMap<String, Vec<u8>>,
    dir: &Path,
) -> Option<Vec<u8>> {
    let (new_values, final_values) = (generated.get("values.yaml")?, files.get("values.yaml")?);
    if new_values == final_values {
        return None;
    }
    let (generated_tag, kept_tag) = (main_tag(new_values)?, main_tag(final_values)?);
    if generated_tag == kept_tag {
        return None;
    }
    let retag = |chart_yaml: &[u8]| {
        let mut meta = ChartMeta::parse(chart_yaml, dir).ok()?;
        if meta.app_version.as_deref() != Some(generated_tag.as_str()) {
            return None;
        }
        meta.app_version = Some(kept_tag.clone());
        Some(meta.render().into_bytes())
    };
    if let Some(followed) = files.get("Chart.yaml").and_then(|c| retag(c)) {
        files.insert("Chart.yaml".into(), followed);
    }
    retag(generated.get("Chart.yaml")?)
}
