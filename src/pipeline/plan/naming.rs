//! Chart names: `--name`, else the ECS service's name, else the family, else the file name;
//! in an environment, without the environment's name, so every environment names a service
//! the same way.

use std::path::Path;

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `web.json`, `web.json.tpl`, `web.json.template`, `web.yaml` and `web.yml` all give `web`.
pub(crate) fn file_stem(path: &Path) -> String {
    let name = file_name(path);
    let name = name
        .strip_suffix(".tpl")
        .or_else(|| name.strip_suffix(".template"))
        .unwrap_or(&name);
    [".json", ".yaml", ".yml"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
        .to_string()
}

fn known(name: Option<&str>) -> Option<&str> {
    name.filter(|s| crate::placeholder::find(s).is_none())
}

pub(crate) fn chart_name_for(
    name: Option<&str>,
    service: Option<&str>,
    family: Option<&str>,
    env: Option<&str>,
    stem: &str,
) -> String {
    // A name still holding a placeholder (`${AWS::StackName}-web`) would name the chart after
    // the placeholder's text, the same in every stack: the next name is used instead.
    let base = known(service).or(known(family)).unwrap_or(stem);
    let base = match env {
        Some(e) => service_key(base, e),
        None => base.to_string(),
    };
    let candidates = [name, Some(base.as_str()), Some(stem)];
    crate::convert::naming::chart_name(candidates.into_iter().flatten())
        .unwrap_or_else(|| "ecs-service".to_string())
}

/// A name with the environment's name removed as a prefix or suffix: `web-prod`, `prod-web`,
/// `web_prod` and `Web.Prod` all become `web` for environment `prod`.
pub(crate) fn service_key(family: &str, env: &str) -> String {
    let lower = family.to_ascii_lowercase();
    let env = env.to_ascii_lowercase();
    for sep in ['-', '_', '.'] {
        if let Some(rest) = lower.strip_suffix(&format!("{sep}{env}")) {
            if !rest.is_empty() {
                return family[..rest.len()].to_string();
            }
        }
        if let Some(rest) = lower.strip_prefix(&format!("{env}{sep}")) {
            if !rest.is_empty() {
                return family[family.len() - rest.len()..].to_string();
            }
        }
    }
    family.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_come_off_families() {
        assert_eq!(service_key("web-prod", "prod"), "web");
        assert_eq!(service_key("prod-web", "prod"), "web");
        assert_eq!(service_key("Web_PROD", "prod"), "Web");
        assert_eq!(service_key("web", "prod"), "web");
        assert_eq!(service_key("prod", "prod"), "prod");
        assert_eq!(service_key("production-web", "prod"), "production-web");
    }

    #[test]
    fn the_service_names_the_chart_in_every_mode() {
        let name = |env| chart_name_for(None, Some("api-service-prod"), Some("api"), env, "f");
        assert_eq!(name(None), "api-service-prod");
        assert_eq!(name(Some("prod")), "api-service");
        assert_eq!(
            chart_name_for(None, None, Some("web-dev"), Some("dev"), "x"),
            "web"
        );
        assert_eq!(
            chart_name_for(Some("mine"), None, Some("web"), None, "x"),
            "mine"
        );
    }
}
